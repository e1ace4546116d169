"""Deployment checks of this project's own settings (`manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

DEMO_CLINIC = {
    "CLINIC_NAME": "Demo Skin Clinic",
    "CLINIC_PHONE": "+65 6000 0000",
    "CLINIC_WHATSAPP": "+65 8000 0000",
    "CLINIC_EMAIL": "hello@clinic.example",
    "CLINIC_ADDRESS": "1 Example Road, #02-03, Singapore 000001",
    "CLINIC_HOURS": "Monday to Friday 9 am to 7 pm, Saturday 9 am to 1 pm",
}


@register(Tags.security, deploy=True)
def clinic_identity_is_set(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Patients are told to call the clinic: in production it must not be the demo clinic."""
    return [
        Warning(
            f"{name} is still the demo value {value!r}.",
            hint=f"Set {name} to your clinic's own, or to empty where the clinic has none "
            "(README, Configuration).",
            id="clinic.W001",
        )
        for name, value in DEMO_CLINIC.items()
        if getattr(settings, name) == value
    ]
