"""The widget renderer writes the same HTML as Django's templates, widget by widget and on the
pages with forms."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.urls import reverse
from django.utils.safestring import mark_safe

from clinic.renderers import WidgetRenderer
from tests.factories import decided, submitted
from tests.intake.steps import fill_draft

TRICKY = '<b>"Tom & Jerry\'s"</b>'
CHOICES = [
    ("", "---------"),
    ("a", TRICKY),
    ("Group <1>", [("b", "Bee"), ("c", mark_safe("<i>safe</i>"))]),
    (3, "Three"),
]
WIDGETS = [
    (forms.TextInput(attrs={"class": "form-control", "maxlength": 10}), TRICKY),
    (forms.TextInput(attrs={"required": True, "disabled": False, "x": mark_safe("&amp;")}), ""),
    (forms.NumberInput(attrs={"min": 1}), 3),
    (forms.NumberInput(), None),
    (forms.HiddenInput(), 42),
    (forms.EmailInput(attrs={"autocomplete": "email"}), "a@example.com"),
    (forms.PasswordInput(), "secret"),
    (forms.CheckboxInput(attrs={"class": "form-check-input"}), True),
    (forms.CheckboxInput(), False),
    (forms.Textarea(attrs={"rows": 4, "aria-describedby": "x_helptext"}), TRICKY),
    (forms.Textarea(), ""),
    (forms.Textarea(), None),
    (forms.Select(choices=CHOICES, attrs={"class": "form-select"}), "b"),
    (forms.Select(choices=CHOICES), 3),
    (forms.Select(choices=CHOICES), None),
    (forms.URLInput(), "https://example.com/?a=1&b=2"),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS)
def test_each_widget_is_written_as_djangos_template_writes_it(widget, value):
    expected = widget.render("field", value, {"id": "id_field"}, renderer=DjangoTemplates())
    assert widget.render("field", value, {"id": "id_field"}, renderer=WidgetRenderer()) == expected


def test_a_widget_it_does_not_know_goes_through_its_template():
    widget = forms.RadioSelect(choices=[("a", "A"), ("b", "B")])
    expected = widget.render("field", "a", renderer=DjangoTemplates())
    assert widget.render("field", "a", renderer=WidgetRenderer()) == expected


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def both_ways(settings, get) -> tuple[str, str]:
    pages = []
    for renderer in ("django.forms.renderers.DjangoTemplates", "clinic.renderers.WidgetRenderer"):
        settings.FORM_RENDERER = renderer
        response = get()
        assert response.status_code == 200
        pages.append(CSRF.sub("", response.content.decode()))
    return pages[0], pages[1]


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["submitted", "decided"])
def test_the_consultation_page_is_the_same_html(client, practitioner, settings, state):
    consultation = submitted() if state == "submitted" else decided()
    url = reverse("review:detail", args=[consultation.reference])

    by_templates, by_writer = both_ways(settings, lambda: client.get(url))

    assert "<select" in by_writer or "<textarea" in by_writer
    assert by_writer == by_templates


@pytest.mark.django_db
def test_the_queue_page_is_the_same_html(client, practitioner, settings):
    submitted()
    url = reverse("review:queue") + "?q=a&flag=stop"

    by_templates, by_writer = both_ways(settings, lambda: client.get(url))

    assert by_writer == by_templates


@pytest.mark.django_db
@pytest.mark.parametrize("step", ["about", "skin", "goals", "check"])
def test_the_intake_pages_are_the_same_html(client, settings, step):
    fill_draft(client)
    url = reverse("intake:check") if step == "check" else reverse("intake:step", args=[step])
    if step == "about":
        url = reverse("intake:start")

    by_templates, by_writer = both_ways(settings, lambda: client.get(url))

    assert by_writer == by_templates
