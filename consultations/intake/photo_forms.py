"""The intake's photo page: three optional views and the two photo consents."""

from __future__ import annotations

from typing import Any

from django import forms

from consultations.intake.fields import tick_box
from consultations.intake.forms import IntakeForm
from consultations.models import PhotoView
from consultations.photo_consent import (
    CLINICAL_CONSENT_LABEL,
    OTHER_USE_CONSENT_HELP,
    OTHER_USE_CONSENT_LABEL,
    VIEW_HELP,
)

# Opens the phone's front camera where there is one; a computer offers its files.
CAMERA_ATTRS = {"accept": "image/*", "capture": "user", "data-photo-input": ""}

NO_PHOTO_CHOSEN = "Choose or take at least one photo, or go back to check your answers."
CONSENT_MISSING = (
    "Tick the box to agree to clinical photos. We can only keep your photos with your consent."
)

VIEW_LABELS = {
    PhotoView.FRONT: "Front",
    PhotoView.LEFT_45: "Left side",
    PhotoView.RIGHT_45: "Right side",
}


def photo_field(view: str) -> forms.FileField:
    return forms.FileField(
        label=VIEW_LABELS[PhotoView(view)],
        help_text=VIEW_HELP[view],
        required=False,
        widget=forms.FileInput(attrs=CAMERA_ATTRS),
        error_messages={"invalid": "Choose the photo again: the file did not arrive whole."},
    )


class IntakePhotosForm(IntakeForm):
    """Up to three photos (one per view) and the consents; the clinical one is needed to add
    any."""

    front = photo_field(PhotoView.FRONT)
    left_45 = photo_field(PhotoView.LEFT_45)
    right_45 = photo_field(PhotoView.RIGHT_45)
    clinical_consent = tick_box(label=CLINICAL_CONSENT_LABEL)
    other_use_consent = tick_box(label=OTHER_USE_CONSENT_LABEL, help_text=OTHER_USE_CONSENT_HELP)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(view) for view in PhotoView.values) and not self.errors:
            self.add_error(PhotoView.FRONT, NO_PHOTO_CHOSEN)
        elif not cleaned.get("clinical_consent"):
            self.add_error("clinical_consent", CONSENT_MISSING)
        return cleaned

    def uploads(self) -> list[tuple[str, Any]]:
        """(view, uploaded file) for each view given, in the order of the page."""
        return [
            (view, self.cleaned_data[view])
            for view in PhotoView.values
            if self.cleaned_data.get(view)
        ]
