"""`{% load aftercare %}`: a decision's aftercare instructions, in the version stored with it.

The patient's status page has only the decision: `{% with care=decision|aftercare %}`.
"""

from __future__ import annotations

from django import template

from consultations.aftercare import AFTERCARE_VERSION, Aftercare, aftercare_for, decline_message

register = template.Library()


@register.filter(name="aftercare")
def aftercare_filter(decision: object) -> Aftercare | None:
    """The instructions for a decision's treatment, in the version stored with it."""
    treatment = getattr(decision, "treatment", "")
    if not treatment:
        return None
    return aftercare_for(treatment, getattr(decision, "aftercare_version", "") or AFTERCARE_VERSION)


@register.filter(name="patient_message")
def patient_message_filter(decision: object) -> str:
    """What a declined or referred patient reads: their practitioner's message, or (for a
    decision recorded before messages existed) the clinic's message for its reason."""
    message = str(getattr(decision, "patient_message", "") or "")
    return message or decline_message(str(getattr(decision, "reason_code", "") or ""))
