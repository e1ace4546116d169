"""`{% load course_tags %}`: the course forms' widgets, their own classes kept (large targets
on the session record form), with the ARIA attributes of an error."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter(name="course_widget")
def course_widget(field: BoundField) -> SafeString:
    attrs: dict[str, str | bool] = {}
    if field.errors:
        css = str(field.field.widget.attrs.get("class", ""))
        attrs["class"] = f"{css} is-invalid".strip()
        attrs["aria-invalid"] = "true"
        described = [f"{field.auto_id}_helptext"] if field.help_text else []
        attrs["aria-describedby"] = " ".join([*described, f"{field.auto_id}_error"])
    elif field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_helptext"
    return field.as_widget(attrs=attrs)


@register.filter(name="is_choice_group")
def is_choice_group(field: BoundField) -> bool:
    """Radio buttons and tick boxes: a fieldset with a legend, not a label."""
    return field.widget_type in ("radioselect", "checkboxselectmultiple")


@register.filter(name="get_item")
def get_item(mapping: dict[str, object], key: str) -> object:
    return mapping.get(key)
