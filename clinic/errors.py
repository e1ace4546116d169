"""The 400 and 500 pages, without Django's CSRF processing.

Django's own handlers run the CSRF check again to offer a token to the template. When the
request's body is what was wrong (a form declared as UTF-16, say), that check reads the body
again, fails again, and the 400 page becomes an unhandled 500 with a long traceback. These
pages have no form, so they need no CSRF token.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    # With an empty context: the failure may be in the database the context processors need.
    return HttpResponseServerError(loader.get_template("500.html").render())
