"""The 503 page itself, and the database deadline's reach, in-process (no proxy needed)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError
from django.template import loader

from clinic.db_unavailable import database_deadline

pytestmark = pytest.mark.faults


class SessionSaveFails:
    """Stands in for SessionMiddleware meeting a dead database as it saves the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self.get_response(request)
        raise OperationalError("server closed the connection unexpectedly (port 5432)")


def test_the_page_renders_without_a_request_or_the_database():
    page = loader.get_template("503.html").render()
    assert "Sorry, this page is temporarily unavailable" in page
    assert 'href="/"' in page


@pytest.mark.django_db
def test_a_database_error_in_a_middleware_gets_the_503_page_not_the_500_page(client, settings):
    after = settings.MIDDLEWARE.index("clinic.db_unavailable.DatabaseUnavailableMiddleware") + 1
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:after],
        f"{__name__}.SessionSaveFails",
        *settings.MIDDLEWARE[after:],
    ]
    client.raise_request_exception = False

    response = client.get("/")

    assert response.status_code == 503
    page = response.content.decode()
    assert "temporarily unavailable" in page
    assert "5432" not in page and "connection" not in page.lower()
    assert response["Retry-After"]
    assert response["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_deadline_never_interrupts_work_outside_the_database_driver():
    started = time.monotonic()
    with database_deadline(0.1):
        time.sleep(0.5)  # the timer fires several times; nothing is raised here
    assert time.monotonic() - started >= 0.5


def test_the_deadline_is_off_outside_the_main_thread_and_when_zero():
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with database_deadline(0.1):
                time.sleep(0.3)
        except Exception as exc:
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=5)
    assert errors == []
    with database_deadline(0):
        time.sleep(0.05)
