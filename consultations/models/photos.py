"""Photos of the patient's skin: three standard views at intake and before and after each
session, and the patient's consents to them (issue #17).

A `Photo` row points at a file in the private photo storage (consultations/storage.py): the
upload decoded and re-encoded as a JPEG from its pixels alone (no EXIF, GPS, device or comment),
with its thumbnail and its display-size copy (what the pages open) made on the task queue. File
names are random: nothing in a path says whose photo it is. `PhotoConsent` keeps each consent
the patient gave (or withdrew), with the version of the text they saw
(consultations/photo_consent.py), as `Consent` does for the answers.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from consultations.models.choices import choices_check
from consultations.models.consultation import Consultation
from consultations.models.course import CourseSession
from consultations.storage import photo_storage


class PhotoMoment(models.TextChoices):
    INTAKE = "intake", "At intake"
    BEFORE = "before", "Before the session"
    AFTER = "after", "After the session"


class PhotoView(models.TextChoices):
    FRONT = "front", "Front"
    LEFT_45 = "left_45", "Left, about 45°"
    RIGHT_45 = "right_45", "Right, about 45°"


class PhotoConsentKind(models.TextChoices):
    CLINICAL = "clinical", "Clinical photos (for my care)"
    OTHER_USE = "other_use", "Any other use (teaching, publication)"


def photo_name() -> str:
    """A random file name: the storage path says nothing about the patient."""
    return f"{uuid.uuid4().hex}.jpg"


class Photo(models.Model):
    """One photo of one standard view, at intake or before or after a session."""

    Moment = PhotoMoment
    View = PhotoView

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="photos")
    session = models.ForeignKey(
        CourseSession, on_delete=models.PROTECT, null=True, blank=True, related_name="photos"
    )
    moment = models.CharField(max_length=8, choices=PhotoMoment.choices)
    view = models.CharField(max_length=8, choices=PhotoView.choices)
    file = models.FileField(storage=photo_storage, max_length=100)
    thumbnail = models.FileField(storage=photo_storage, max_length=100, blank=True)
    # Long side DISPLAY_SIDE (1600 px): what the pages open; blank until the task queue makes it.
    display = models.FileField(storage=photo_storage, max_length=100, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    # Of the stored file, as decoded (always JPEG once re-encoded); the upload's own format is
    # kept for the record.
    content_type = models.CharField(max_length=32, default="image/jpeg")
    source_format = models.CharField(max_length=8)
    byte_size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # Null: the patient, through their own draft.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            choices_check("moment", PhotoMoment, name="photo_valid_moment"),
            choices_check("view", PhotoView, name="photo_valid_view"),
            # Intake photos belong to no session; session photos are before or after one.
            models.CheckConstraint(
                condition=(Q(moment="intake") & Q(session__isnull=True))
                | (~Q(moment="intake") & Q(session__isnull=False)),
                name="photo_session_matches_moment",
            ),
            # One photo per view and moment: a retake replaces it.
            models.UniqueConstraint(
                fields=["consultation", "view"],
                condition=Q(moment="intake"),
                name="photo_one_intake_view",
            ),
            models.UniqueConstraint(
                fields=["session", "moment", "view"],
                condition=Q(session__isnull=False),
                name="photo_one_session_view",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_moment_display()}, {self.get_view_display()}"


class PhotoConsent(models.Model):
    """A consent to photos given (or withdrawn), with the version of the text shown."""

    Kind = PhotoConsentKind

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="photo_consents"
    )
    kind = models.CharField(max_length=16, choices=PhotoConsentKind.choices)
    granted = models.BooleanField()
    text_version = models.CharField(max_length=16)
    # Null: the patient, on the intake's photo page; else the practitioner who recorded it.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [choices_check("kind", PhotoConsentKind, name="photoconsent_valid_kind")]

    def __str__(self) -> str:
        state = "given" if self.granted else "withdrawn"
        return f"{self.get_kind_display()}: {state} ({self.text_version})"


class PhotoDeletion(models.Model):
    """A photo deleted before the record ends: by the patient (one photo, or all of them when
    they withdraw their consent to clinical photos) or by a practitioner, who gives a reason.
    The photo itself (row and file) is gone; this keeps which one it was, when and by whom."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="photo_deletions"
    )
    # The deleted row's id (the row is gone), and what it showed.
    photo_number = models.PositiveIntegerField()
    moment = models.CharField(max_length=8, choices=PhotoMoment.choices)
    view = models.CharField(max_length=8, choices=PhotoView.choices)
    session_number = models.PositiveSmallIntegerField(null=True, blank=True)
    # Null: the patient, through their draft or their private link.
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    # Deleted because the patient withdrew their consent to clinical photos.
    consent_withdrawn = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            choices_check("moment", PhotoMoment, name="photodeletion_valid_moment"),
            choices_check("view", PhotoView, name="photodeletion_valid_view"),
            # A practitioner says why; the patient need not.
            models.CheckConstraint(
                condition=Q(deleted_by__isnull=True) | ~Q(reason=""),
                name="photodeletion_staff_reason",
            ),
        ]

    def __str__(self) -> str:
        who = "the patient" if self.deleted_by_id is None else "a practitioner"
        return f"Photo {self.photo_number} deleted by {who}"
