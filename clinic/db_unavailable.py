"""A database outage gives a plain "temporarily unavailable" page quickly, and the app recovers.

How each kind of fault is bounded:

- The server is down (connection refused or cut): psycopg fails at once.
- The server accepts a new connection but never answers: libpq's `connect_timeout` (settings).
- An already-open persistent connection stops getting replies: nothing in libpq bounds that
  read. TCP keepalives and `tcp_user_timeout` do not fire while the far kernel still ACKs what
  is sent (a hung server, a proxy or firewall dropping replies), and the server's
  `statement_timeout` never sees the query. So while a request runs in a process's main thread
  (gunicorn's sync worker), a SIGALRM timer fires DB_REQUEST_TIMEOUT seconds after it started
  and then every quarter second; each time the worker is found waiting inside psycopg, it
  raises DatabaseStalled there. Work outside the driver is never interrupted.

The request then gets templates/503.html and every database connection it used is closed, so
the next request opens a fresh one: no restart needed. A submission interrupted this way is
rolled back by its transaction (or never reached the server), so nothing is half-written.

A database known to be down fails fast: after a request timed out on it (a connect timeout, or
the deadline above), the process answers every request with the 503 page at once for
DB_BREAKER_SECONDS, instead of letting each wait seconds for the same timeout; then one request
tries again (a circuit breaker, per process). A refused connection fails at once anyway, so it
does not open the breaker.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
# After the first firing the timer repeats, so that a rollback or a session save that hits the
# same stuck connection is cut short as well.
_REPEAT_SECONDS = 0.25
_FAILED = "_database_unavailable"


class DatabaseStalled(OperationalError):
    """The database did not answer within the request's time budget."""


def _waiting_in_database_driver(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_globals.get("__name__", "").startswith("psycopg"):
            return True
        frame = frame.f_back
    return False


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if _waiting_in_database_driver(frame):
        raise DatabaseStalled("The database did not answer in time.")


@contextmanager
def database_deadline(seconds: float) -> Iterator[None]:
    """Bound the time a request may wait on the database (main thread only; 0 turns it off)."""
    armed = (
        seconds > 0
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, _on_alarm)
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
    if not armed:
        yield
        return
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def unavailable_response() -> HttpResponse:
    # Rendered without the request: the context processors would ask the database for the user.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _close_connections() -> None:
    for connection in connections.all(initialized_only=True):
        connection.close()


class Breaker:
    """Open for DB_BREAKER_SECONDS after the database made a request wait and fail."""

    open_until = 0.0

    @classmethod
    def is_open(cls) -> bool:
        return time.monotonic() < cls.open_until

    @classmethod
    def trip(cls, exception: BaseException) -> None:
        if settings.DB_BREAKER_SECONDS and _timed_out(exception):
            cls.open_until = time.monotonic() + settings.DB_BREAKER_SECONDS
            logger.warning(
                "Database timed out; answering 503 at once for %s s", settings.DB_BREAKER_SECONDS
            )


def _timed_out(exception: BaseException) -> bool:
    """The request's deadline, or libpq's connect timeout ("connection timeout expired")."""
    return isinstance(exception, DatabaseStalled) or "timeout expired" in str(exception)


def _note_failure(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """A database error raised in a middleware (not a view) still ends as the 503 page."""
    exception = sys.exc_info()[1]
    if request is not None and isinstance(exception, DATABASE_ERRORS):
        setattr(request, _FAILED, True)
        Breaker.trip(exception)


got_request_exception.connect(_note_failure, dispatch_uid="clinic.db_unavailable")


class DatabaseUnavailableMiddleware:
    """Turn OperationalError/InterfaceError into the 503 page and drop the broken connection."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if Breaker.is_open():
            return unavailable_response()
        with database_deadline(settings.DB_REQUEST_TIMEOUT):
            response = self.get_response(request)
        if not getattr(request, _FAILED, False):
            return response
        _close_connections()
        if response.status_code == 503:
            return response
        # A middleware inside this one failed (a session save, say) and Django made a 500 page
        # of it: the 503 page instead (the header middlewares outside this one add theirs).
        logger.warning("Database unavailable on %s %s", request.method, request.path)
        return unavailable_response()

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        setattr(request, _FAILED, True)
        Breaker.trip(exception)
        logger.warning(
            "Database unavailable (%s) on %s %s",
            type(exception).__name__,
            request.method,
            request.path,
        )
        return unavailable_response()
