"""Links in emails to patients and staff: absolute, built from settings.SITE_URL (never from
the request's Host header). The emails themselves are queued and sent by services/outbox.py;
they carry links only, never answers or health details.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def status_url(public_token: str) -> str:
    """The patient's private status link."""
    return absolute_url(reverse("intake:status", kwargs={"token": public_token}))


def staff_url(reference: str) -> str:
    """The practitioner's link to a consultation (login and permission required)."""
    return absolute_url(reverse("review:detail", kwargs={"reference": reference}))
