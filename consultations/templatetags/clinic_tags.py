"""`{% load clinic_tags %}{% get_clinic as clinic %}`: the clinic's name and contact details."""

from __future__ import annotations

from django import template

from clinic.identity import Clinic, current_clinic

register = template.Library()


@register.simple_tag
def get_clinic() -> Clinic:
    return current_clinic()
