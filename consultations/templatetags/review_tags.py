"""`{% load review_tags %}`: free text with the names that bear on a yes/no answer marked."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from consultations.presenters.free_text import mark_names

register = template.Library()


@register.filter(name="highlight")
def highlight(text: object, names: list[str] | None) -> SafeString:
    """The text, escaped, line breaks kept, each of `names` in a <mark>."""
    pieces = mark_names(str(text or ""), list(names or []))
    html = "".join(
        format_html("<mark>{}</mark>", piece) if marked else escape(piece)
        for piece, marked in pieces
    )
    # linebreaksbr on text that is already escaped: autoescape off for this call.
    return mark_safe(linebreaksbr(mark_safe(html), autoescape=False))  # noqa: S308 (escaped above)
