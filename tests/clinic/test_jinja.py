"""The pages Jinja2 renders (the review queue, a consultation's page) look like every other page:
the two base layouts write the same HTML, and the date filter writes what Django's does."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.template import defaultfilters, engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from consultations.jinja import date
from tests.factories import AdminFactory, PatientFactory, PractitionerFactory, submitted

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def both_bases(user) -> tuple[str, str]:
    pages = []
    for engine in ("django", "jinja2"):
        request = RequestFactory().get("/staff/")
        request.user = user
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        messages.success(request, "Decision recorded. <b>escaped</b>")
        html = engines[engine].get_template("base.html").render({}, request)
        pages.append(CSRF.sub('name="csrfmiddlewaretoken" value=""', html))
    return pages[0], pages[1]


@pytest.mark.django_db
@pytest.mark.parametrize("make_user", [PractitionerFactory, AdminFactory, AnonymousUser])
def test_the_jinja2_base_layout_is_the_django_one(make_user) -> None:
    django_html, jinja_html = both_bases(make_user())
    assert "Decision recorded. &lt;b&gt;escaped&lt;/b&gt;" in jinja_html
    assert jinja_html == django_html


def test_dates_read_as_on_every_other_page() -> None:
    start = timezone.now().replace(month=1, day=1, hour=0, minute=5)
    for days in range(0, 366, 3):
        moment = start + datetime.timedelta(days=days, hours=days % 24)
        expected = defaultfilters.date(timezone.template_localtime(moment), "j M Y, H:i")
        assert date(moment, "j M Y, H:i") == expected
    assert date(None, "j M Y, H:i") == ""


@pytest.mark.django_db
def test_names_are_escaped_as_on_every_other_page(client, practitioner) -> None:
    consultation = submitted(patient=PatientFactory(first_name="Áine", last_name="O'Brien <b>"))
    for page in (reverse("review:queue"), reverse("review:detail", args=[consultation.reference])):
        html = client.get(page).content.decode()
        assert "Áine O&#x27;Brien &lt;b&gt;" in html
        assert "O'Brien" not in html and "<b>" not in html
