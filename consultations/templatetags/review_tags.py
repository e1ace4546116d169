"""`{% load review_tags %}`: free text with the names that bear on a yes/no answer marked."""

from __future__ import annotations

import html
import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from consultations.presenters.free_text import mark_names

register = template.Library()

# Every line break, as Django's linebreaksbr finds them (CRLF, CR or LF).
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@register.filter(name="highlight")
def highlight(text: object, names: list[str] | None) -> SafeString:
    """The text, escaped, line breaks kept, each of `names` in a <mark>."""
    plain = str(text or "")
    if names:
        written = "".join(
            format_html("<mark>{}</mark>", piece) if marked else escape(piece)
            for piece, marked in mark_names(plain, list(names))
        )
    else:  # most answers: nothing to mark, and the page has forty of them
        written = html.escape(plain)  # what Django's escape() does, without its lazy wrapper
    return mark_safe(LINE_BREAK.sub("<br>", written))  # noqa: S308 (escaped above)
