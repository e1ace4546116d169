"""A form renderer that writes the plain widgets in Python: the same HTML, without templates.

Django renders every widget through a template (an input, its attributes in an included
template, each option of a select in another): a few tenths of a millisecond each, and a staff
page has dozens. The widgets below are written here exactly as Django's own templates write
them (django/forms/templates/django/forms/widgets/); any other widget, or one with a template
of its own, goes through the templates as before. tests/clinic/test_renderers.py renders each
both ways and compares.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeData

WIDGETS = "django/forms/widgets/"
# Each of these templates is `{% include "django/forms/widgets/input.html" %}`.
INPUT_TYPES = ("input", "text", "number", "email", "hidden", "checkbox", "password", "url", "tel")


def _escape(value: Any) -> str:
    """Django's conditional_escape() without the lazy-text wrapper of its escape(), which cost
    more than the escaping (a page's widgets call this hundreds of times)."""
    if not isinstance(value, str):  # as Django's templates: a lazy text, or any other object
        value = str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _value(value: Any) -> str:
    """An attribute's value as Django's templates write it (`stringformat:'s'`): Django's safe
    strings as they are, anything else escaped, a value with its own `__html__` (a Jinja2
    Markup) included."""
    text = str(value)
    return text if isinstance(text, SafeData) else html.escape(text)


def _attrs(attrs: Mapping[str, Any]) -> str:
    return "".join(
        f" {_escape(name)}" if value is True else f' {_escape(name)}="{_value(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    given = "" if value is None else f' value="{_value(value)}"'
    return (
        f'<input type="{_escape(widget["type"])}" '
        f'name="{_escape(widget["name"])}"{given}{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: Mapping[str, Any]) -> str:
    value = _escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'
    )


def _option(option: Mapping[str, Any]) -> str:
    return (
        f'<option value="{_value(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_escape(option['label'])}</option>"
    )


def _select(widget: Mapping[str, Any]) -> str | None:
    parts = [f'<select name="{_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != WIDGETS + "select_option.html":
                return None
            # The option's template ends with a newline, which its include keeps.
            parts.append("\n  " + _option(option) + "\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


WRITERS: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    **{f"{WIDGETS}{name}.html": _input for name in INPUT_TYPES},
    WIDGETS + "textarea.html": _textarea,
    WIDGETS + "select.html": _select,
}


class WidgetRenderer(DjangoTemplates):
    """Django's default renderer, writing the plain widgets without a template."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        writer = WRITERS.get(template_name)
        widget = context.get("widget")
        if writer is not None and widget is not None:
            html = writer(widget)
            if html is not None:
                return html.strip()
        return super().render(template_name, context, request)
