"""`{% load aftercare %}`: a decision's aftercare instructions, in the version stored with it.

The patient's status page has only the decision: `{% with care=decision|aftercare %}`.
"""

from __future__ import annotations

from django import template

from consultations.aftercare import AFTERCARE_VERSION, Aftercare, aftercare_for

register = template.Library()


@register.filter(name="aftercare")
def aftercare_filter(decision: object) -> Aftercare | None:
    """The instructions for a decision's treatment, in the version stored with it."""
    treatment = getattr(decision, "treatment", "")
    if not treatment:
        return None
    return aftercare_for(treatment, getattr(decision, "aftercare_version", "") or AFTERCARE_VERSION)
