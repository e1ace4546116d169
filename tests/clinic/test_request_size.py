"""Bodies far larger than any honest intake request are refused before they are read.

A real gunicorn: the client announces 60 MB (a form with a file part, or a plain form) and
sends only the first bytes; the refusal must come at once, without waiting for the rest. A
chunked body (no Content-Length, so no size to check first) is refused the same way.
"""

from __future__ import annotations

import io
import socket
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from bench.load import UNLIMITED
from bench.server import database_url, gunicorn

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="a real server on the test database needs PostgreSQL (set DATABASE_URL)",
)

SIXTY_MB = 60 * 1024 * 1024


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory) -> str:
    log = tmp_path_factory.mktemp("size") / "server.log"
    with gunicorn(
        database_url(connection.settings_dict), workers=1, env=UNLIMITED, log_path=log
    ) as app:
        yield app.url


def send_head(
    url: str, path: str, headers: dict[str, str], first_bytes: bytes
) -> tuple[int, float]:
    """Send the request line, headers and the first bytes of the body; the status and how long
    the answer took."""
    parts = urlsplit(url)
    started = time.monotonic()
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        head = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", "Cookie: csrftoken=" + "a" * 32]
        head += [f"{name}: {value}" for name, value in headers.items()]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + first_bytes)
        answer = sock.recv(4096).decode("latin-1")
    return int(answer.split()[1]), time.monotonic() - started


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data; boundary=xyz", "application/x-www-form-urlencoded"],
)
@pytest.mark.parametrize("path", ["/consultation/start/", "/accounts/login/", "/admin/login/"])
def test_a_60_mb_body_is_refused_before_it_is_read(server, path, content_type):
    first = b'--xyz\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n\r\n'
    status, seconds = send_head(
        server, path, {"Content-Type": content_type, "Content-Length": str(SIXTY_MB)}, first
    )
    assert status == 413
    assert seconds < 2


@pytest.mark.parametrize(
    ("path", "answer"),
    [
        ("/consultation/photos/", 413),
        ("/staff/consultations/PX-ABCDE/photos/", 302),  # to the sign-in page
    ],
)
def test_an_anonymous_upload_within_the_photo_limit_is_refused_before_it_is_read(
    server, path, answer
):
    """The photo pages take bodies up to UPLOAD_REQUEST_MAX_BYTES, from senders who may upload
    there only: without a session, 20 MB are refused at once, unread (a signed-out
    practitioner is sent to sign in)."""
    assert settings.REQUEST_MAX_BYTES < 20 * 2**20 < settings.UPLOAD_REQUEST_MAX_BYTES
    first = b'--xyz\r\nContent-Disposition: form-data; name="front"; filename="a.jpg"\r\n\r\n'
    headers = {
        "Content-Type": "multipart/form-data; boundary=xyz",
        "Content-Length": str(20 * 2**20),
    }
    status, seconds = send_head(server, path, headers, first)
    assert status == answer
    assert seconds < 2


def test_a_chunked_body_without_a_length_is_refused(server):
    status, seconds = send_head(
        server,
        "/consultation/start/",
        {"Content-Type": "multipart/form-data; boundary=xyz", "Transfer-Encoding": "chunked"},
        b"400\r\n" + b"x" * 1024 + b"\r\n",
    )
    assert status == 411
    assert seconds < 2


def test_an_honest_intake_step_is_far_below_the_limit(client, db):
    from tests.intake.steps import ABOUT, START

    response = client.post(START, {**ABOUT, "first_name": "M" * 100})
    assert response.status_code == 302
    assert settings.REQUEST_MAX_BYTES >= 100_000


def run_under_wsgiref(environ: dict[str, str], body: bytes) -> bytes:
    """The app as `manage.py runserver` serves it: wsgiref's handler, which refuses a response
    that sets a hop-by-hop header (the server's business, not the application's)."""
    from wsgiref.handlers import SimpleHandler
    from wsgiref.util import setup_testing_defaults

    from clinic.wsgi import application

    setup_testing_defaults(environ)
    out, errors = io.BytesIO(), io.StringIO()
    SimpleHandler(io.BytesIO(body), out, errors, environ, multithread=False).run(application)
    return out.getvalue()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"CONTENT_LENGTH": str(SIXTY_MB)}, b"413"),
        ({"HTTP_TRANSFER_ENCODING": "chunked"}, b"411"),
    ],
)
def test_a_refused_body_gets_its_page_under_runserver_too(db, headers, status):
    answer = run_under_wsgiref(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/consultation/start/",
            "SERVER_NAME": "testserver",
            "HTTP_HOST": "testserver",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            **headers,
        },
        b"first_name=M",
    )
    head = answer.split(b"\r\n\r\n", 1)[0]
    assert head.split(b"\r\n")[0].split()[1] == status
    assert b"connection:" not in head.lower()
