"""A test-only URLconf: the project's URLs plus views that fail in each way Django handles."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

# What a failing view "knows"; an error page must never show it.
INTERNAL_DETAIL = "internal-detail-psycopg-table-consultations_patient"


def bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(INTERNAL_DETAIL)


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(INTERNAL_DETAIL)


def server_error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(INTERNAL_DETAIL)


handler400 = "clinic.errors.bad_request"
handler500 = "clinic.errors.server_error"

urlpatterns = [
    path("test-errors/400/", bad_request),
    path("test-errors/403/", forbidden),
    path("test-errors/500/", server_error),
    path("", include("clinic.urls")),
]
