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
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from markupsafe import Markup

from consultations.jinja import date
from tests.factories import AdminFactory, PatientFactory, PractitionerFactory, submitted

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')


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


class OwnHtml:
    """Any object that says it is HTML already (as Django's and Jinja2's safe strings do)."""

    def __html__(self) -> str:
        return "<em>own</em>"


HOSTILE = 'O\'Brien <script>alert("x")</script> & co'


def test_every_value_is_escaped_once_as_django_escapes_it() -> None:
    """Each value is escaped by the environment's finalize alone (consultations/jinja.py): plain
    text, numbers and lazy text as Django's conditional_escape() writes them, safe strings as
    they are, in blocks and macros alike. Even an {% autoescape false %} block writes nothing
    unescaped that is not marked safe, nor does one switched by a variable (Jinja2 decides that
    block's escaping as it renders: the value must not be escaped a second time)."""
    env = engines["jinja2"].env
    values = {
        "text": HOSTILE,
        "lazy": gettext_lazy("Patient's <notes>"),
        "number": 3,
        "nothing": None,
        "django_safe": mark_safe("<b>kept</b>"),
        "markup": Markup("<i>kept</i>"),
        "own": OwnHtml(),
    }
    template = env.from_string(
        "{% macro show(x) %}[{{ x }}]{% endmacro %}"
        "{% set block %}{{ text }}{% endset %}"
        "{% for name in names %}{{ values[name] }}|{{ show(values[name]) }}|{% endfor %}"
        "{{ missing }}{{ missing.deeper }}/{{ block }}/"
        "{% autoescape false %}{{ text }}{% endautoescape %}"
        "{% for switch in [true, false] %}"
        "/{% autoescape switch %}{{ text }}{% endautoescape %}"
        "{% endfor %}"
        "{% autoescape values is defined %}{{ show(text) }}{% endautoescape %}"
    )
    html = template.render(values=values, names=list(values), text=HOSTILE)

    expected = "".join(
        f"{conditional_escape(value)}|[{conditional_escape(value)}]|" for value in values.values()
    )
    expected += f"/{conditional_escape(HOSTILE)}/{conditional_escape(HOSTILE)}"
    expected += f"/{conditional_escape(HOSTILE)}" * 2 + f"[{conditional_escape(HOSTILE)}]"
    assert html == expected
    assert "&#x27;" in html and "&quot;" in html  # Django's entities, not Jinja2's


@pytest.mark.django_db
def test_a_page_masks_its_csrf_token_once_and_the_token_is_accepted(practitioner) -> None:
    consultation = submitted()
    client = Client(enforce_csrf_checks=True)
    client.force_login(practitioner)
    html = client.get(reverse("review:detail", args=[consultation.reference])).content.decode()

    tokens = TOKEN.findall(html)
    assert len(tokens) >= 2  # sign-out in the menu, and the decision form
    assert len(set(tokens)) == 1

    signed_out = client.post(reverse("logout"), {"csrfmiddlewaretoken": tokens[0]})
    assert signed_out.status_code == 302
