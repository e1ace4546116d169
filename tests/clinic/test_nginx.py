"""The production recipe: nginx (deploy/nginx/) in front of gunicorn's sync workers.

Three slow clients dribble their requests in; a fourth, normal request comes meanwhile. Straight
to gunicorn (three sync workers) the slow clients hold every worker and the normal request
waits for them; through nginx, which reads each request whole before passing it on, it is
answered at once. Debian's nginx (`apt-get install -y nginx`; .ci/run installs it).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from bench.client import Browser
from bench.load import UNLIMITED
from bench.server import ROOT, database_url, free_port, gunicorn

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
needs_nginx = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed")
needs_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="a production-like run needs PostgreSQL (set DATABASE_URL)",
)

PROXY_CONF = ROOT / "deploy" / "nginx" / "clinic-proxy.conf"
SERVER_CONF = ROOT / "deploy" / "nginx" / "clinic-server.conf"
SITE_CONF = ROOT / "deploy" / "nginx" / "clinic.conf"
SLOW_CLIENTS = 3
SLOW_SECONDS = 6.0


def nginx_conf(tmp: Path, *, listen: int, upstream: str, body: str) -> Path:
    user = "user root;" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"{kind}_temp_path {tmp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"""{user}
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    {temp}
    access_log {tmp / "access.log"};
    {body.replace("LISTEN", str(listen)).replace("UPSTREAM", upstream)}
}}
"""
    )
    return conf


@contextlib.contextmanager
def nginx(conf: Path, port: int) -> Iterator[str]:
    process = subprocess.Popen(  # noqa: S603
        [NGINX, "-c", str(conf), "-p", str(conf.parent), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {process.stderr.read().decode()}")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


def site_locations() -> list[str]:
    """The `location` blocks of the site file, as written (none of them nests braces)."""
    return re.findall(r"^ {4}location [^{]*\{[^}]*\}", SITE_CONF.read_text(), re.MULTILINE)


def nginx_size(value: str) -> int:
    """An nginx size ("1m", "46144k", "1048576") in bytes."""
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    value = value.lower()
    return int(value[:-1]) * units[value[-1]] if value[-1] in units else int(value)


def upload_locations() -> dict[str, int]:
    """Each location of the site file that sets its own body limit: its match, the limit."""
    found = {}
    for block in site_locations():
        size = re.search(r"client_max_body_size (\w+);", block)
        if size:
            found[block.split("{")[0].removeprefix("    location ").strip()] = nginx_size(size[1])
    return found


def location_matches(location: str, path: str) -> bool:
    kind, _, pattern = location.partition(" ")
    if kind == "=":
        return path == pattern
    assert kind == "~", location
    return re.search(pattern, path) is not None


def upload_paths() -> list[str]:
    """A path of each view that takes photo uploads (clinic.middleware.accepts_uploads)."""
    from django.urls import get_resolver

    paths = []
    for name, callback in (
        ("intake:photos", "consultations.intake.photo_views.photos"),
        ("review:photo_upload", "consultations.review.photo_views.photo_upload"),
    ):
        kwargs = {"reference": "PX-ABCDE"} if name.startswith("review") else {}
        path = reverse(name, kwargs=kwargs)
        match = get_resolver().resolve(path)
        assert f"{match.func.__module__}.{match.func.__name__}" == callback
        assert getattr(match.func, "may_upload", None) is not None
        paths.append(path)
    return paths


def upload_views_in_urlconf() -> int:
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns) -> int:
        count = 0
        for entry in patterns:
            if isinstance(entry, URLResolver):
                count += walk(entry.url_patterns)
            elif isinstance(entry, URLPattern) and hasattr(entry.callback, "may_upload"):
                count += 1
        return count

    return walk(get_resolver().url_patterns)


def test_the_server_wide_body_limit_is_the_apps():
    server = re.search(r"^client_max_body_size (\w+);", SERVER_CONF.read_text(), re.MULTILINE)
    assert server is not None
    assert nginx_size(server[1]) == settings.REQUEST_MAX_BYTES
    # Not in the file each location includes: it would be a duplicate in the upload locations.
    assert not re.search(r"^client_max_body_size", PROXY_CONF.read_text(), re.MULTILINE)


def test_the_photo_upload_locations_take_what_the_app_takes_there():
    """nginx and UPLOAD_REQUEST_MAX_BYTES cannot drift apart: each upload view's path falls in
    a location with that very limit, and no other page does."""
    locations = upload_locations()
    assert locations
    assert set(locations.values()) == {settings.UPLOAD_REQUEST_MAX_BYTES}
    paths = upload_paths()
    assert len(paths) == upload_views_in_urlconf()  # a new upload view needs its location
    for path in paths:
        assert any(location_matches(location, path) for location in locations), path
    for other in (
        "/consultation/start/",
        "/consultation/photos/1/full/",
        "/staff/consultations/PX-ABCDE/",
        "/staff/photos/1/full/",
        "/c/abc/photos/1/full/",
    ):
        assert not any(location_matches(location, other) for location in locations), other


@pytest.fixture(scope="module")
def app(django_db_setup, tmp_path_factory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("nginx-app") / "server.log"
    env = {**UNLIMITED, "BEHIND_TLS_PROXY": "1"}
    with gunicorn(
        database_url(connection.settings_dict), workers=3, env=env, log_path=log
    ) as server:
        yield server.url


@pytest.fixture(scope="module")
def proxied(app, tmp_path_factory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("nginx")
    port = free_port()
    # The site's own locations (the photo uploads' larger limit among them).
    locations = "\n".join(site_locations()).replace("/etc/nginx/clinic-proxy.conf", str(PROXY_CONF))
    body = f"""
    upstream clinic_app {{ server UPSTREAM; keepalive 8; }}
    server {{
        listen 127.0.0.1:LISTEN;
        include {SERVER_CONF};
        {locations}
    }}"""
    conf = nginx_conf(tmp, listen=port, upstream=app.removeprefix("http://"), body=body)
    with nginx(conf, port) as url:
        yield url


def slow_client(url: str, stop: threading.Event) -> None:
    """A request whose headers arrive one line every half second."""
    host, port = url.removeprefix("http://").split(":")
    with contextlib.suppress(OSError), socket.create_connection((host, int(port)), 5) as sock:
        sock.sendall(f"GET /consultation/start/ HTTP/1.1\r\nHost: {host}\r\n".encode())
        n = 0
        while not stop.wait(0.5):
            sock.sendall(f"X-Slow-{n}: 1\r\n".encode())
            n += 1
        sock.sendall(b"\r\n")
        sock.recv(1024)


def normal_request_seconds(url: str) -> float:
    """How long a normal request takes while three slow clients are connected."""
    stop = threading.Event()
    threads = [
        threading.Thread(target=slow_client, args=(url, stop), daemon=True)
        for _ in range(SLOW_CLIENTS)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the slow clients are in
    timer = threading.Timer(SLOW_SECONDS, stop.set)
    timer.start()
    response = Browser(url, timeout=60).get("/consultation/start/")
    timer.cancel()
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    assert response.status == 200
    return response.seconds


@needs_nginx
@needs_postgresql
def test_behind_nginx_slow_clients_do_not_hold_up_a_normal_request(app, proxied):
    direct = normal_request_seconds(app)
    through_nginx = normal_request_seconds(proxied)
    print(
        f"\nnormal request beside {SLOW_CLIENTS} slow clients: straight to gunicorn "
        f"{direct:.2f} s, through nginx {through_nginx:.3f} s"
    )

    assert direct > SLOW_SECONDS - 1  # the slow clients did hold every worker
    assert through_nginx < 1


@needs_nginx
@needs_postgresql
def test_nginx_refuses_a_body_over_the_limit_without_passing_it_on(proxied):
    host, port = proxied.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), 5) as sock:
        sock.sendall(
            f"POST /consultation/start/ HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n"
            f"Content-Length: {60 * 2**20}\r\n\r\n".encode()
        )
        assert sock.recv(1024).split()[1] == b"413"


@needs_nginx
def test_the_site_file_is_valid_nginx(tmp_path):
    """clinic.conf as shipped, with a throwaway certificate and the proxy file beside it."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603
        [
            shutil.which("openssl") or "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=clinic.example",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    site = (
        SITE_CONF.read_text()
        .replace("/etc/letsencrypt/live/clinic.example/fullchain.pem", str(cert))
        .replace("/etc/letsencrypt/live/clinic.example/privkey.pem", str(key))
        .replace("/etc/nginx/clinic-proxy.conf", str(PROXY_CONF))
        .replace("/etc/nginx/clinic-server.conf", str(SERVER_CONF))
        .replace("/var/log/nginx/", f"{tmp_path}/")
    )
    conf = nginx_conf(tmp_path, listen=0, upstream="", body=site)
    result = subprocess.run(  # noqa: S603
        [NGINX, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@needs_nginx
@needs_postgresql
def test_nginx_passes_a_photo_upload_over_the_usual_limit_on_to_the_app(proxied):
    """Two megabytes to the photo page reach the app, which answers itself (here: 413, the
    sender holds no draft); to any other page, nginx refuses them."""
    photos = post_raw(proxied, "/consultation/photos/", b"x" * (2 * 2**20))
    start = post_raw(proxied, "/consultation/start/", b"x" * (2 * 2**20))
    assert photos[0] == start[0] == 413
    assert "That request was too large" in photos[1]  # the app's page
    assert "nginx" in start[1]  # nginx's own


def post_raw(url: str, path: str, body: bytes) -> tuple[int, str]:
    import http.client

    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()
