"""Request middleware: staff session idle timeout, no caching of pages, request size limit (and
the photo uploads' larger one, for senders who may upload), and bodies only in UTF-8."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from clinic import errors, ratelimit

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


class RequestSizeLimitMiddleware:
    """Refuse a body larger than REQUEST_MAX_BYTES before anything reads it (413), and a body
    whose size is not given up front (chunked: 411), file parts included.

    Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE) leaves out file parts, which it spools to
    disk, and only applies once the body is being parsed. No honest page of this app sends
    more than a few kilobytes, except the photo upload views (`accepts_uploads`): a body up to
    UPLOAD_REQUEST_MAX_BYTES goes on to them only if UploadAllowanceMiddleware, once the
    session is known, finds a sender who may upload there.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "transfer-encoding" in request.headers:
            return _refused(411, "Length Required")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refused(400, "Bad Request")
        if length > settings.REQUEST_MAX_BYTES:
            may_upload = _upload_check(request)
            if may_upload is None or length > settings.UPLOAD_REQUEST_MAX_BYTES:
                return _refused(413, "Request Entity Too Large")
            request.upload_allowed_if = may_upload  # type: ignore[attr-defined]
        return self.get_response(request)


class UploadAllowanceMiddleware:
    """A body over REQUEST_MAX_BYTES to a photo upload view, let through by
    RequestSizeLimitMiddleware, is refused unread (413) unless the view's own check finds a
    sender who may upload there (a practitioner signed in with the permission, a patient whose
    browser holds a draft); a signed-out practitioner is sent to sign in. A sender who may is
    held to PHOTO_UPLOAD_RATE_LIMIT per client address here, unread (429), too.

    After the session and authentication middleware, and before anything reads the body: the
    CSRF check reads it, in its process_view, which runs after every middleware's __call__ has
    begun.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        may_upload = getattr(request, "upload_allowed_if", None)
        if may_upload is None:
            return self.get_response(request)
        if not may_upload(request):
            if getattr(may_upload, "signs_in", False) and not request.user.is_authenticated:
                # A practitioner whose session ended while choosing a photo: sign in again.
                return redirect_to_login(request.get_full_path())
            return _refused(413, "Request Entity Too Large")
        # Large bodies are counted per client before one is read: over the photo upload rate,
        # the next ones are answered unread (the view counts each upload again, once read).
        rate = ratelimit.Rate.parse(settings.PHOTO_UPLOAD_RATE_LIMIT)
        if not ratelimit.hit(
            scope="photo-body", client=ratelimit.client_address(request), rate=rate
        ):
            return ratelimit.too_many_requests(request, rate=rate)
        return self.get_response(request)


UploadCheck = Callable[[HttpRequest], bool]


def accepts_uploads(
    may_upload: UploadCheck, *, signs_in: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Mark a view that takes photo uploads: its bodies may reach UPLOAD_REQUEST_MAX_BYTES when
    `may_upload(request)` (session and user known, body unread) says this sender may upload.
    `signs_in`: a signed-out sender is sent to the sign-in page rather than refused (staff
    pages, whose session may have ended while the photo was chosen)."""

    def mark(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        check: Any = functools.partial(may_upload)
        check.signs_in = signs_in
        view.may_upload = check  # type: ignore[attr-defined]
        return view

    return mark


def _upload_check(request: HttpRequest) -> UploadCheck | None:
    """The upload view's check (only looked up for a body over the usual limit)."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return getattr(match.func, "may_upload", None)


def _refused(status: int, reason: str) -> HttpResponse:
    """The plain page for a body refused unread.

    No `Connection: close`: hop-by-hop headers are the server's business, and a WSGI app must
    not set them (runserver's wsgiref turns one into a 500; gunicorn drops it). Gunicorn's sync
    workers close every connection anyway, and nginx refuses such a body before it gets here.
    """
    return HttpResponse(render_to_string("413.html"), status=status, reason=reason)


BODILESS_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class RequestCharsetMiddleware:
    """Refuse a body declared in any other character set than UTF-8 with the 400 page.

    No honest browser sends this site's forms in another encoding, and Django reads a form only
    in UTF-8: it refuses another (logging a traceback, and the CSRF check, unable to find its
    token, then answers 403) or reads an unknown one as UTF-8. Here it stops first, with one
    log line and no traceback.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in BODILESS_METHODS:
            charset = (request.content_params or {}).get("charset")
            if charset is not None and charset.strip().lower() != "utf-8":
                return errors.bad_request(request, ValueError("a body not in UTF-8"))
        return self.get_response(request)
