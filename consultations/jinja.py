"""The Jinja2 environment of the staff pages that render many rows: the review queue and a
consultation's page (their templates are in `jinja2/` folders; every other page is Django's).

Django's template language spent more on those two pages than everything else they do: each
variable is looked up through a chain of dicts and tried as a dict key, an attribute, a list
index and a callable. Jinja2 compiles a template to Python once per process. The filters below
are Django's own, with what Django's templates do implicitly made explicit (aware datetimes
shown in the clinic's time zone, falsy values taking a default), so the HTML is the same
(tests/clinic/test_jinja.py compares the two base layouts).
"""

from __future__ import annotations

import datetime
import functools
import html
from typing import Any

from django.http import HttpRequest
from django.template import defaultfilters
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.functional import SimpleLazyObject
from django.utils.html import json_script
from django.utils.safestring import SafeString, mark_safe
from jinja2.compiler import CodeGenerator

from clinic.identity import current_clinic
from consultations.templatetags.aftercare import patient_message_filter
from consultations.templatetags.form_tags import bootstrap_widget
from consultations.templatetags.review_tags import highlight
from jinja2 import ChainableUndefined, Environment


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """`{% url %}`: the path of a named URL. The queue links 25 consultations, the same ones
    view after view: each path is worked out once per process (and script prefix)."""
    return _path(get_script_prefix(), name, args, tuple(sorted(kwargs.items())))


@functools.lru_cache(maxsize=4096)
def _path(
    prefix: str, name: str, args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...]
) -> str:
    return reverse(name, args=args or None, kwargs=dict(kwargs) or None)


# The staff pages' one date format, written directly: Django's date formatting costs about
# 50 microseconds a call, and the queue shows 25 to 50 dates.
DAY_MONTH_YEAR_TIME = "j M Y, H:i"


def date(value: Any, format_string: str) -> str:
    """`|date`: an aware datetime in the current time zone, as Django's templates show it."""
    if not value and value != 0:
        return ""
    aware = isinstance(value, datetime.datetime) and timezone.is_aware(value)
    local = timezone.localtime(value) if aware else value
    if format_string == DAY_MONTH_YEAR_TIME and isinstance(local, datetime.datetime):
        month = str(MONTHS_3[local.month]).title()  # as the "M" of Django's dateformat
        return f"{local.day} {month} {local.year}, {local.hour:02}:{local.minute:02}"
    return defaultfilters.date(local, format_string)


def pluralize(value: Any, suffix: str = "s") -> str:
    return defaultfilters.pluralize(value, suffix)


def linebreaksbr(value: Any) -> SafeString:
    """`|linebreaksbr` with autoescape on, as in every template here."""
    return defaultfilters.linebreaksbr(value, autoescape=True)


def escaped(value: Any) -> str:
    """Every value a template writes, escaped as Django escapes it (an apostrophe is `&#x27;`
    there, `&#39;` in Jinja2's own escaping); what is already safe is written as it is."""
    if type(value) is str:
        return html.escape(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


class _EscapeOnce(CodeGenerator):
    """Writes `finalize(value)` for each value a template outputs, where Jinja2 writes
    `escape(finalize(value))`: `escaped` above has escaped it already, and the second pass
    (a check and a Markup copy of every value, about 300 on a consultation's page) found nothing
    left to do. That holds in every block: `escaped` escapes whatever `{% autoescape %}` says
    (as it did when it returned Markup), so a block switched by a variable, where Jinja2 decides
    at render time, must not add its own escape either."""

    def _output_child_pre(self, node: Any, frame: Any, finalize: Any) -> None:
        if finalize.src is None:  # no finalize: not this environment
            super()._output_child_pre(node, frame, finalize)
            return
        self.write(finalize.src)

    def _output_child_post(self, node: Any, frame: Any, finalize: Any) -> None:
        if finalize.src is None:
            super()._output_child_post(node, frame, finalize)
            return
        self.write(")")


def join(value: Any, separator: str) -> SafeString:
    return defaultfilters.join(value, separator, autoescape=True)


def django_template(name: str, request: HttpRequest, **context: Any) -> SafeString:
    """A Django template rendered inside a Jinja2 page: the course forms' partials
    (review/_course_form.html), which their own Django pages share, so they are written once.
    Only a consultation with a course renders them."""
    return mark_safe(render_to_string(name, context, request=request))  # noqa: S308 (Django's escaped output)


def csrf_once(request: HttpRequest) -> dict[str, Any]:
    """`csrf_input` worked out once per page. Django's Jinja2 backend gives a lazy value that
    masks the token afresh each time it is written (64 random characters, one system call
    each), and a consultation's page writes it in two forms or more: one masked token per
    response instead (Django's own `{% csrf_token %}` masks afresh each time it is written;
    every masked form of the token is accepted alike)."""
    return {"csrf_input": SimpleLazyObject(lambda: csrf_input(request))}


def environment(**options: Any) -> Environment:
    # As Django's templates: a missing value (or an attribute of one) renders as "", whatever
    # DEBUG is, and the newline that ends an included file is kept.
    options["undefined"] = ChainableUndefined
    options["keep_trailing_newline"] = True
    options.pop("autoescape", None)
    env = Environment(autoescape=True, finalize=escaped, **options)
    env.code_generator_class = _EscapeOnce
    env.globals.update(
        static=static, url=url, get_clinic=current_clinic, django_template=django_template
    )
    env.filters.update(
        date=date,
        join=join,
        pluralize=pluralize,
        linebreaksbr=linebreaksbr,
        json_script=json_script,
        highlight=highlight,
        patient_message=patient_message_filter,
        bootstrap_widget=bootstrap_widget,
    )
    return env
