"""`{% load clinic_tags %}`: `{% get_clinic as clinic %}` (the clinic's name and contact
details) and `|duration` (a length of time in the unit a person would use)."""

from __future__ import annotations

from django import template

from clinic.identity import Clinic, current_clinic

register = template.Library()


@register.simple_tag
def get_clinic() -> Clinic:
    return current_clinic()


@register.filter
def duration(hours: float | None) -> str:
    """Hours as people say them: "25 minutes", "5.5 hours", "3.2 days" (from 2 days)."""
    if hours is None:
        return "–"
    if hours < 1:
        minutes = round(hours * 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    if hours < 48:
        number = _number(hours)
        return f"{number} hour{'s' if number != '1' else ''}"
    return f"{_number(hours / 24)} days"


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")
