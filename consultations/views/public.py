"""Public pages that show no patient data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Explain enlarged pores and the three treatments, and offer to start a consultation."""
    try:
        start_url = reverse("intake:start")
    except NoReverseMatch:  # the intake is not wired up in this build
        start_url = None
    return render(request, "consultations/home.html", {"start_url": start_url})
