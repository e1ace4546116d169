"""Practitioner photo forms: a session photo upload, and the comparison's choice (GET)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from consultations.models import CourseSession, PhotoMoment, PhotoView

SESSION_MOMENTS = [
    (PhotoMoment.BEFORE.value, "Before the session"),
    (PhotoMoment.AFTER.value, "After the session"),
]

SELECT = {"class": "form-select form-select-sm"}


def session_label(session: CourseSession) -> str:
    return (
        f"Session {session.number} ({session.get_status_display().lower()}, "
        f"{session.target_date:%d %b %Y})"
    )


class SessionPhotoForm(forms.Form):
    """A before or after photo of one view at a planned or completed session."""

    session = forms.TypedChoiceField(
        label="Session", coerce=int, error_messages={"required": "Choose the session."}
    )
    moment = forms.ChoiceField(
        label="When",
        choices=SESSION_MOMENTS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose before or after the session."},
    )
    view = forms.ChoiceField(
        label="View",
        choices=PhotoView.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the view."},
    )
    photo = forms.FileField(
        label="Photo",
        help_text="JPEG, PNG or WebP. Location and device details are removed when it is kept.",
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
        error_messages={"required": "Choose or take the photo."},
    )
    consent_recorded_now = forms.BooleanField(
        label="The patient consented to clinical photos today (recorded under your name)",
        required=False,
    )

    def __init__(self, *args: Any, sessions: list[CourseSession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose a session"), *((s.pk, session_label(s)) for s in sessions)]


class CompareForm(forms.Form):
    """Which view and which later session to set beside the baseline (ids only, in the URL)."""

    photo_view = forms.ChoiceField(
        label="View", choices=PhotoView.choices, required=False, widget=forms.Select(SELECT)
    )
    photo_session = forms.TypedChoiceField(
        label="Later session",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(SELECT),
    )
    photo_moment = forms.ChoiceField(
        label="When", choices=SESSION_MOMENTS, required=False, widget=forms.Select(SELECT)
    )

    def __init__(self, data: QueryDict, *, sessions: list[CourseSession]) -> None:
        super().__init__(data)
        field = self.fields["photo_session"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Latest with a photo"), *((s.pk, session_label(s)) for s in sessions)]

    def choice(self) -> tuple[str, int | None, str]:
        """(view, session id or None, moment), the defaults for anything missing or wrong."""
        cleaned: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return (
            cleaned.get("photo_view") or PhotoView.FRONT.value,
            cleaned.get("photo_session"),
            cleaned.get("photo_moment") or PhotoMoment.AFTER.value,
        )


class PhotoDeleteForm(forms.Form):
    """Why a session photo is deleted (kept with the deletion's record)."""

    reason = forms.CharField(
        label="Why is this photo deleted?",
        help_text="For example: the wrong patient, a blurred photo, the patient asked.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why the photo is deleted.",
            "max_length": "Keep the reason under 500 characters.",
        },
    )
