"""The decision form's fields, written by review/_field.html, are the HTML crispy-forms wrote
(whitespace between tags aside): labels, classes, help text, errors and their ARIA links."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string

from consultations.review.forms import DecisionForm
from tests.factories import submitted

pytestmark = pytest.mark.django_db

FIELDS = ["patient_message", "override_excluded", "reason_code", "notes"]


def tidy(html: str) -> str:
    """The HTML without the whitespace around its tags, which a browser does not show."""
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", re.sub(r"\s+", " ", html)).strip()


def by_crispy(field) -> str:
    template = Template("{% load crispy_forms_filters %}{{ field|as_crispy_field }}")
    return tidy(template.render(Context({"field": field})))


def by_template(field) -> str:
    return tidy(render_to_string("review/_field.html", {"field": field}))


def test_each_field_of_a_new_form_is_what_crispy_wrote():
    consultation = submitted()
    form = DecisionForm(consultation=consultation, evaluation=consultation.latest_evaluation)

    for name in FIELDS:
        assert by_template(form[name]) == by_crispy(form[name]), name


def test_each_field_with_errors_and_typed_text_is_what_crispy_wrote():
    consultation = submitted()
    data = {
        "choice": "decline",
        "notes": "x" * 5000,
        "patient_message": '<b>"Hi"</b>',
        "override_excluded": "on",
        "reason_code": "no such reason",
    }
    form = DecisionForm(data, consultation=consultation, evaluation=consultation.latest_evaluation)
    form.is_valid()
    form.add_error("override_excluded", "Say why <here>.")
    form.add_error("patient_message", "Too short.")

    assert {"notes", "reason_code", "override_excluded", "patient_message"} <= set(form.errors)
    for name in FIELDS:
        assert by_template(form[name]) == by_crispy(form[name]), name
