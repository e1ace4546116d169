"""Review of merge 7fc0962: the widget writer's and the highlight filter's own escaping, with
hostile input (lazy strings, safe strings, Markup, quotes, ampersands, every kind of line
break), against Django's templates and the filter as it was."""

from __future__ import annotations

import markupsafe
import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from clinic.renderers import WidgetRenderer
from consultations.presenters.free_text import mark_names
from consultations.templatetags.review_tags import highlight
from tests.factories import submitted

HOSTILE = "\"><script>alert('x')</script>&amp; &lt;"


class Html:
    """An object that says it is HTML already (as SafeString and Markup do)."""

    def __html__(self) -> str:
        return "<em>trusted</em>"

    def __str__(self) -> str:
        return "<em>untrusted</em>"


VALUES = [
    HOSTILE,
    gettext_lazy(HOSTILE),
    format_lazy("{}{}", "<b>", '"&'),
    lazy(mark_safe, str)("<i>lazy safe</i>"),
    mark_safe("<i>safe</i> & more"),
    markupsafe.Markup("<u>markup</u>"),
    0,
    1.5,
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
@pytest.mark.parametrize(
    "widget",
    [
        lambda v: forms.TextInput(attrs={"placeholder": HOSTILE, "data-x": gettext_lazy("<&>")}),
        lambda v: forms.Textarea(attrs={"title": mark_safe("&amp;")}),
        lambda v: forms.Select(choices=[(HOSTILE, v), ("g", [("b", v)])], attrs={"title": HOSTILE}),
    ],
    ids=["input", "textarea", "select"],
)
def test_a_widget_escapes_a_hostile_value_as_djangos_template_does(widget, value):
    made = widget(value)
    expected = made.render("field", value, {"id": "id_x"}, renderer=DjangoTemplates())
    assert made.render("field", value, {"id": "id_x"}, renderer=WidgetRenderer()) == expected
    assert "<script>" not in expected


# Fails, before the merge as after it: Django's templates write an attribute or an option's
# value through stringformat:'s' (a plain str, escaped) and any variable that is not a str as
# str(); the writer honours __html__ on anything that has it (a Markup, any such object).
@pytest.mark.parametrize(
    "widget",
    [
        forms.TextInput(attrs={"placeholder": markupsafe.Markup('"><script>x</script>')}),
        forms.TextInput(attrs={"placeholder": Html()}),
        forms.Select(choices=[(markupsafe.Markup('"><script>x</script>'), "Label")]),
        forms.Select(choices=[("a", Html())]),
    ],
    ids=["markup-attribute", "html-attribute", "markup-option-value", "html-option-label"],
)
def test_a_value_with_its_own_html_is_escaped_as_djangos_template_escapes_it(widget):
    expected = widget.render("field", "", renderer=DjangoTemplates())
    assert "<script>" not in expected
    assert widget.render("field", "", renderer=WidgetRenderer()) == expected


def old_highlight(text: object, names: list[str] | None) -> str:
    """The highlight filter at 7fc0962^1."""
    pieces = mark_names(str(text or ""), list(names or []))
    written = "".join(
        format_html("<mark>{}</mark>", piece) if marked else escape(piece)
        for piece, marked in pieces
    )
    return mark_safe(linebreaksbr(mark_safe(written), autoescape=False))  # noqa: S308


TEXTS = [
    HOSTILE,
    "one\r\ntwo\rthree\nfour\n\r",
    mark_safe("<b>already safe</b>\n"),
    markupsafe.Markup("<b>markup</b>&amp;"),
    gettext_lazy("<lazy>\n"),
    None,
    "",
    0,
    "Warfarin & <Warfarin>",
]


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
@pytest.mark.parametrize("names", [None, [], ["warfarin"], ["<script>"]])
def test_the_highlight_filter_writes_what_it_wrote_before(text, names):
    assert highlight(text, names) == old_highlight(text, names)
    assert "<script>" not in highlight(text, names)


@pytest.mark.django_db
def test_free_text_with_no_name_to_mark_is_escaped_with_its_line_breaks(client, practitioner):
    consultation = submitted(other_medicines='<script>alert("x")</script> & co\r\nsecond\rthird')
    raw = client.get(reverse("review:detail", args=[consultation.reference])).content.decode()
    assert "<script>alert" not in raw
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co<br>second<br>third" in raw
