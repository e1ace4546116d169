"""The treatment course's forms on the consultation page: move a planned session, add a
maintenance session, pause, end early with a coded reason, clear a blocked session.

Validation and cleaning only; services/course.py and services/sessions.py check the same
invariants again under the consultation's row lock.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from consultations.models import (
    ClearanceOutcome,
    CourseEndReason,
    CourseSession,
    Evaluation,
    Treatment,
)
from consultations.review.forms import HiddenNumberField
from consultations.services.sessions import treatments_allowed

# How far ahead a session can be planned: further is a typo (a year of 2062).
PLANNING_HORIZON = datetime.timedelta(days=3 * 366)
# The reasons a practitioner ends a course with; the others are the system's own.
END_REASONS = [
    (code, label)
    for code, label in CourseEndReason.choices
    if code not in (CourseEndReason.DECISION_AMENDED, CourseEndReason.SAFETY_STOP)
]


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _future_date(value: datetime.date, what: str) -> None:
    today = timezone.localdate()
    if value < today:
        raise forms.ValidationError(f"Choose today or a later date for the {what}.")
    if value > today + PLANNING_HORIZON:
        raise forms.ValidationError(f"Choose a date within three years for the {what}.")


class RescheduleForm(forms.Form):
    """Move one planned session (and, by default, the planned sessions after it)."""

    session = forms.TypedChoiceField(
        coerce=int,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": "That session is no longer planned: it cannot be moved.",
            "required": "Choose the session to move.",
        },
    )
    target_date = forms.DateField(
        label="New date",
        widget=_date_widget(),
        error_messages={"required": "Enter the new date.", "invalid": "Enter a real date."},
    )
    move_later = forms.BooleanField(
        label="Move the later planned sessions by as much too", required=False, initial=True
    )

    def __init__(self, *args: Any, sessions: list[CourseSession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions = {s.number: s for s in sessions if s.status == "planned"}
        field = self.fields["session"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(str(number), str(number)) for number in self.sessions]

    def clean_target_date(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["target_date"]
        _future_date(value, "session")
        return value


class MaintenanceForm(forms.Form):
    """A maintenance session after the course."""

    target_date = forms.DateField(
        label="Date of the maintenance session",
        widget=_date_widget(),
        error_messages={"required": "Enter the date.", "invalid": "Enter a real date."},
    )

    def clean_target_date(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["target_date"]
        _future_date(value, "maintenance session")
        return value


class PauseForm(forms.Form):
    note = forms.CharField(
        label="Why (optional)",
        required=False,
        max_length=250,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class EndForm(forms.Form):
    """End the course: completed, or early with a coded reason."""

    reason = forms.ChoiceField(
        label="Why is the course ending?",
        choices=END_REASONS,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={
            "required": "Choose why the course is ending.",
            "invalid_choice": "Choose one of the reasons listed.",
        },
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text="Required for 'Other'.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["notes"] = str(data.get("notes") or "").strip()
        if data.get("reason") == CourseEndReason.OTHER and not data["notes"]:
            self.add_error("notes", "Say why in the notes when the reason is 'Other'.")
        return data


class ClearanceForm(forms.Form):
    """What happens to a session a check-in blocked."""

    # The block the form was built on (services.sessions.block_mark): always sent, so that a
    # form built before a later block cannot clear it unseen.
    block = HiddenNumberField()
    outcome = forms.ChoiceField(
        label="Your decision",
        choices=ClearanceOutcome.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={
            "required": "Choose what happens: proceed, change the treatment, or stop the course.",
            "invalid_choice": "Choose one of the options listed.",
        },
    )
    treatment = forms.ChoiceField(
        label="New treatment (for a change)",
        required=False,
        error_messages={"invalid_choice": "Choose a treatment the latest rules' run allows."},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={"required": "Give the reason for your decision: it is kept with it."},
    )

    def __init__(
        self,
        *args: Any,
        session: CourseSession,
        evaluation: Evaluation | None,
        **kwargs: Any,
    ) -> None:
        self.session = session
        super().__init__(*args, **kwargs)
        self.allowed = [t for t in treatments_allowed(evaluation) if t != session.course.treatment]
        field = self.fields["treatment"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", "Choose a treatment"),
            *((t, Treatment(t).label) for t in self.allowed),
        ]
        field.widget.attrs["class"] = "form-select"
        if not self.allowed:
            field.help_text = "The latest rules' run allows no other treatment."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == ClearanceOutcome.CHANGE:
            if not data.get("treatment"):
                self.add_error("treatment", "Choose the new treatment.")
        else:
            data["treatment"] = ""
        if "reason" in data:
            data["reason"] = data["reason"].strip()
            if not data["reason"]:
                self.add_error("reason", "Give the reason for your decision: it is kept with it.")
        return data
