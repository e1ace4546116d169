"""The clinic as patients see it: its name and how to reach it (settings CLINIC_*).

Templates get it with `{% load clinic_tags %}{% get_clinic as clinic %}` (base.html does), which
needs no request: the error pages and emails use it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.urls import reverse


@dataclass(frozen=True)
class Clinic:
    """The clinic as patients see it (settings CLINIC_*)."""

    name: str
    phone: str
    whatsapp: str
    email: str
    address: str
    hours: str
    privacy_url: str

    @property
    def phone_link(self) -> str:
        return "tel:" + "".join(char for char in self.phone if char.isdigit() or char == "+")

    @property
    def whatsapp_link(self) -> str:
        digits = "".join(char for char in self.whatsapp if char.isdigit())
        return f"https://wa.me/{digits}" if digits else ""


@cache
def _clinic(*values: str) -> Clinic:
    name, phone, whatsapp, email, address, hours, privacy_url = values
    return Clinic(name, phone, whatsapp, email, address, hours, privacy_url or reverse("privacy"))


def current_clinic() -> Clinic:
    """The clinic from settings (built once per set of values)."""
    return _clinic(
        settings.CLINIC_NAME,
        settings.CLINIC_PHONE,
        settings.CLINIC_WHATSAPP,
        settings.CLINIC_EMAIL,
        settings.CLINIC_ADDRESS,
        settings.CLINIC_HOURS,
        settings.CLINIC_PRIVACY_URL,
    )
