"""Fixtures for the patient's pages."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _intake_settings(settings):
    """Rate limits out of the way (tests/clinic/test_ratelimit.py tests them), and links
    built on a known address."""
    settings.INTAKE_RATE_LIMIT = "1000000/1m"
    settings.INTAKE_EMAIL_RATE_LIMIT = "1000000/1m"
    settings.SITE_URL = "https://clinic.example"
    settings.PRACTITIONER_NOTIFY_EMAILS = ["practitioners@clinic.example"]
