"""Request middleware: staff session idle timeout and no caching of pages."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REARM_EVERY_SECONDS = 60
_REARMED_AT = "staff_idle_rearmed_at"


class StaffSessionTimeoutMiddleware:
    """Staff sessions end after STAFF_SESSION_IDLE_SECONDS without a request.

    Patients are not logged in; their drafts live in the database and come back with the
    resume link, so only logged-in users get the short idle timeout.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Re-arming the expiry makes it an idle (not absolute) timeout. Each re-arm writes
            # the session, so it happens at most once a minute: the session then ends between
            # 29 and 30 minutes after the last request.
            now = int(time.time())
            if now - request.session.get(_REARMED_AT, 0) >= REARM_EVERY_SECONDS:
                request.session[_REARMED_AT] = now
                request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
        return response


class NoStoreMiddleware:
    """Pages may show patient data: no browser or proxy may keep a copy.

    Every dynamic response gets `Cache-Control: no-store` unless the view set its own
    Cache-Control (static files are served by whitenoise before this runs).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response
