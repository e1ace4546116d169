"""Deleting photos before the record ends: the patient deletes one of their intake photos
(through their draft, or their private link once sent) or withdraws their consent to clinical
photos (which deletes every photo of the consultation, session photos too); a practitioner
deletes a session photo, giving a reason.

Each write takes the consultation's row lock, as every photo write does (services/photos.py),
and refuses an anonymised patient. The rows go in the transaction, the files once it commits
(photos._delete_rows). Each deletion leaves a `PhotoDeletion` row (which photo, who, when, the
practitioner's reason) and an access-log row; a withdrawal leaves the consents' new rows with
the version of the text the patient saw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from consultations.models import (
    AccessAction,
    Consultation,
    Photo,
    PhotoConsentKind,
    PhotoDeletion,
    PhotoMoment,
)
from consultations.photo_selectors import consent_in_force
from consultations.services import access_log_record
from consultations.services.intake import _attached
from consultations.services.photos import _consent_record, _delete_rows
from consultations.services.review import locked_for_review

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NO_REASON = "Say why the photo is deleted."


class PhotoNotFound(Exception):
    """No such photo here, or the link no longer opens the record: the view answers 404."""


def _link_locked(token: str) -> Consultation:
    """The sent consultation of this private link, row-locked; PhotoNotFound once the patient
    was anonymised (the link then leads nowhere) or for a wrong token."""
    consultation = (
        Consultation.objects.sent()
        .select_for_update(of=("self",))
        .select_related("patient")
        .filter(public_token=token)
        .first()
    )
    if consultation is None or consultation.patient.anonymised_at is not None:
        raise PhotoNotFound
    return consultation


def _deleted(
    photos: list[Photo],
    *,
    consultation: Consultation,
    user: User | None = None,
    reason: str = "",
    consent_withdrawn: bool = False,
    via: str,
) -> int:
    """Record and delete these photos (of `consultation`, locked by the caller)."""
    PhotoDeletion.objects.bulk_create(
        PhotoDeletion(
            consultation_id=consultation.pk,
            photo_number=photo.pk,
            moment=photo.moment,
            view=photo.view,
            session_number=photo.session.number if photo.session else None,
            deleted_by=user,
            reason=reason,
            consent_withdrawn=consent_withdrawn,
        )
        for photo in photos
    )
    count = _delete_rows(
        Photo.objects.filter(pk__in=[photo.pk for photo in photos], consultation=consultation)
    )
    for photo in photos:
        access_log_record(
            user=user,
            action=AccessAction.PHOTO_DELETE,
            consultation=consultation,
            detail=f"photo {photo.pk} {via}",
        )
    return count


def _intake_photo(consultation: Consultation, photo_id: int) -> Photo:
    photo = Photo.objects.filter(
        pk=photo_id, consultation=consultation, moment=PhotoMoment.INTAKE
    ).first()
    if photo is None:
        raise PhotoNotFound
    return photo


@transaction.atomic
def photo_delete_from_draft(*, consultation_id: int, draft_key: str, photo_id: int) -> None:
    """The patient deletes one photo of the draft this browser holds. Raises
    services.intake.DraftNotAttached (the key no longer opens it), PhotoNotFound."""
    consultation = _attached(consultation_id, draft_key)
    if not consultation.is_editable_by_patient:
        raise PhotoNotFound
    photo = _intake_photo(consultation, photo_id)
    _deleted([photo], consultation=consultation, via="deleted by the patient (draft)")


@transaction.atomic
def photo_delete_by_link(*, token: str, photo_id: int) -> None:
    """The patient deletes one of their intake photos through their private link. Raises
    PhotoNotFound (another consultation's photo, a session photo, a link that opens nothing)."""
    consultation = _link_locked(token)
    photo = _intake_photo(consultation, photo_id)
    _deleted([photo], consultation=consultation, via="deleted by the patient (link)")


def _withdrawn(consultation: Consultation, via: str) -> int:
    _consent_record(consultation.pk, PhotoConsentKind.CLINICAL, False)
    _consent_record(consultation.pk, PhotoConsentKind.OTHER_USE, False)
    photos = list(Photo.objects.filter(consultation=consultation).select_related("session"))
    access_log_record(
        user=None,
        action=AccessAction.PHOTO_DELETE,
        consultation=consultation,
        detail=f"photo consent withdrawn by the patient ({via})",
    )
    return _deleted(
        photos,
        consultation=consultation,
        consent_withdrawn=True,
        via=f"deleted: consent withdrawn ({via})",
    )


@transaction.atomic
def photo_consent_withdraw_from_draft(*, consultation_id: int, draft_key: str) -> int:
    """The patient withdraws their photo consents on their draft: every photo goes; how many.
    Raises services.intake.DraftNotAttached, PhotoNotFound (sent meanwhile)."""
    consultation = _attached(consultation_id, draft_key)
    if not consultation.is_editable_by_patient:
        raise PhotoNotFound
    return _withdrawn(consultation, "draft")


@transaction.atomic
def photo_consent_withdraw_by_link(*, token: str) -> int:
    """The patient withdraws their photo consents through their private link: every photo of
    the consultation goes, session photos too; how many. Raises PhotoNotFound."""
    return _withdrawn(_link_locked(token), "link")


def photo_consent_withdrawable(consultation_id: int) -> bool:
    """Whether there is a consent to withdraw, or photos to delete."""
    return (
        consent_in_force(consultation_id, PhotoConsentKind.CLINICAL)
        or Photo.objects.filter(consultation_id=consultation_id).exists()
    )


@transaction.atomic
def photo_delete_by_practitioner(
    *, consultation: Consultation, user: User, photo_id: int, reason: str
) -> None:
    """A practitioner deletes one session photo, saying why. Raises PhotoNotFound, ValueError
    (no reason), services.review.ReviewRefused (an anonymised patient)."""
    reason = reason.strip()
    if not reason:
        raise ValueError(NO_REASON)
    locked = locked_for_review(consultation)
    photo = (
        Photo.objects.filter(pk=photo_id, consultation=locked, session__isnull=False)
        .select_related("session")
        .first()
    )
    if photo is None:
        raise PhotoNotFound
    _deleted(
        [photo],
        consultation=locked,
        user=user,
        reason=reason,
        via=f"deleted: session {photo.session.number if photo.session else '-'} "
        f"{photo.moment} {photo.view}",
    )
