"""Photos: added by the patient to their own draft, or by a practitioner to a session; viewed
(and logged); deleted with the record on erasure and retention (issue #17).

Uploads are checked and re-encoded before any lock is taken (services/photo_files.py); the
write then takes the consultation's row lock: the draft's key check for a patient (as every
intake write, services.intake), `locked_for_review` for a practitioner (as every course
write), which also refuses an anonymised patient. A file is written before its row, and
removed again if the row is not; files of deleted rows are removed once the deletion commits.
Thumbnails are made on the task queue.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet

from clinic.queue import enqueue_with_transaction
from consultations.models import (
    AccessAction,
    Consultation,
    CourseSession,
    Photo,
    PhotoConsent,
    PhotoConsentKind,
    PhotoMoment,
    SessionStatus,
)
from consultations.models.photos import photo_name
from consultations.photo_consent import PHOTO_CONSENT_TEXT_VERSION
from consultations.photo_selectors import consent_in_force
from consultations.services import access_log_record
from consultations.services.intake import _attached
from consultations.services.photo_files import (
    CleanPhoto,
    PhotoRefused,
    display_bytes,
    photo_clean,
    thumbnail_bytes,
)
from consultations.services.review import locked_for_review
from consultations.storage import photo_storage

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

__all__ = [
    "PhotoRefused",
    "photo_add_by_patient",
    "photo_add_by_practitioner",
    "photo_thumbnail_make",
    "photo_viewed",
    "photos_delete",
]

logger = logging.getLogger(__name__)

CONSENT_NEEDED = (
    "Tick the box to agree to clinical photos. We can only keep your photos with your consent."
)
STAFF_CONSENT_NEEDED = (
    "The patient has not consented to clinical photos. Record their consent (tick the box) "
    "before adding photos."
)
NOT_A_DRAFT = "These answers have been sent, so photos can no longer be added here."


def _consent_record(
    consultation_id: int, kind: str, granted: bool, user: User | None = None
) -> None:
    """A new consent row when this changes what is in force (or nothing was recorded)."""
    latest = (
        PhotoConsent.objects.filter(consultation_id=consultation_id, kind=kind)
        .order_by("-at", "-pk")
        .first()
    )
    if (
        latest is not None
        and latest.granted == granted
        and latest.text_version == PHOTO_CONSENT_TEXT_VERSION
    ):
        return
    if latest is None and not granted:  # nothing given, nothing to withdraw
        return
    PhotoConsent.objects.create(
        consultation_id=consultation_id,
        kind=kind,
        granted=granted,
        text_version=PHOTO_CONSENT_TEXT_VERSION,
        recorded_by=user,
    )


def _store(
    clean: CleanPhoto,
    *,
    consultation_id: int,
    moment: str,
    view: str,
    session_id: int | None,
    user: User | None,
) -> Photo:
    """Write the file, then its row in place of the one it replaces (a retake)."""
    storage = photo_storage()
    name = storage.save(photo_name(), ContentFile(clean.data))
    try:
        replaced = Photo.objects.filter(
            consultation_id=consultation_id, moment=moment, view=view, session_id=session_id
        )
        _delete_rows(replaced)
        photo = Photo.objects.create(
            consultation_id=consultation_id,
            session_id=session_id,
            moment=moment,
            view=view,
            file=name,
            width=clean.width,
            height=clean.height,
            content_type="image/jpeg",
            source_format=clean.source_format,
            byte_size=len(clean.data),
            sha256=clean.sha256,
            uploaded_by=user,
        )
    except BaseException:
        storage.delete(name)
        raise
    from consultations import tasks

    enqueue_with_transaction(tasks.photo_thumbnail_make, photo.pk)
    return photo


@transaction.atomic
def photo_add_by_patient(
    *,
    consultation_id: int,
    draft_key: str,
    view: str,
    upload: UploadedFile,
    clinical_consent: bool,
    other_use_consent: bool,
) -> Photo:
    """The patient's photo of one view, on their own draft (a retake replaces it).

    Raises PhotoRefused (the message for the form), services.intake.DraftNotAttached when this
    browser's key no longer opens the draft.
    """
    clean = photo_clean(upload)  # before the lock: decoding takes a while
    consultation = _attached(consultation_id, draft_key)
    if not consultation.is_editable_by_patient:
        raise PhotoRefused(NOT_A_DRAFT)
    if not clinical_consent:
        raise PhotoRefused(CONSENT_NEEDED)
    photo_consents_by_patient(
        consultation_id=consultation.pk,
        clinical=clinical_consent,
        other_use=other_use_consent,
    )
    return _store(
        clean,
        consultation_id=consultation.pk,
        moment=PhotoMoment.INTAKE,
        view=view,
        session_id=None,
        user=None,
    )


def photo_consents_by_patient(*, consultation_id: int, clinical: bool, other_use: bool) -> None:
    """Record the patient's two photo consents as the form has them (caller holds the lock)."""
    _consent_record(consultation_id, PhotoConsentKind.CLINICAL, clinical)
    _consent_record(consultation_id, PhotoConsentKind.OTHER_USE, other_use)


@transaction.atomic
def photo_add_by_practitioner(
    *,
    consultation: Consultation,
    user: User,
    session_id: int,
    moment: str,
    view: str,
    upload: UploadedFile,
    consent_recorded_now: bool,
) -> Photo:
    """A practitioner's before or after photo of a planned or done session.

    Raises PhotoRefused (the message for the form) and services.review.ReviewRefused (an
    anonymised patient).
    """
    clean = photo_clean(upload)
    locked = locked_for_review(consultation)
    session = (
        CourseSession.objects.filter(pk=session_id, course__consultation_id=locked.pk)
        .exclude(status=SessionStatus.CANCELLED)
        .first()
    )
    if session is None:
        raise PhotoRefused("Choose a planned or completed session of this course.")
    if moment not in (PhotoMoment.BEFORE, PhotoMoment.AFTER):
        raise PhotoRefused("Choose before or after the session.")
    if consent_recorded_now:
        _consent_record(locked.pk, PhotoConsentKind.CLINICAL, True, user)
    elif not consent_in_force(locked.pk, PhotoConsentKind.CLINICAL):
        raise PhotoRefused(STAFF_CONSENT_NEEDED)
    photo = _store(
        clean,
        consultation_id=locked.pk,
        moment=moment,
        view=view,
        session_id=session.pk,
        user=user,
    )
    access_log_record(
        user=user,
        action=AccessAction.PHOTO_ADD,
        consultation=locked,
        detail=f"photo {photo.pk}: session {session.number} {moment} {view}",
    )
    return photo


def photo_thumbnail_make(*, photo_id: int, remake: bool = False) -> bool:
    """Make the photo's thumbnail and its display-size copy (the task queue's job), each one
    not made yet, or both again at the current sizes when `remake` (the old files go once the
    new names are committed); False when there is nothing to do (deleted meanwhile, or both made
    already: a task may run twice)."""
    storage = photo_storage()
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or (photo.thumbnail and photo.display and not remake):
        return False
    try:
        with storage.open(photo.file.name, "rb") as stored:
            data = stored.read()
    except FileNotFoundError:  # the photo was deleted (a retake, an erasure) meanwhile
        return False
    made = False
    for field, make in (("thumbnail", thumbnail_bytes), ("display", display_bytes)):
        old = getattr(photo, field).name or ""
        if old and not remake:
            continue
        name = storage.save(photo_name(), ContentFile(make(data)))
        with transaction.atomic():
            # Only over the copy read above: deleted meanwhile (the deletion's row lock makes
            # this wait, then find nothing), or another worker was quicker.
            updated = Photo.objects.filter(pk=photo_id, **{field: old}).update(**{field: name})
            if updated and old:
                transaction.on_commit(functools.partial(_files_delete, [old]), robust=True)
        if not updated:
            storage.delete(name)
            continue
        made = True
    return made


def photo_viewed(*, photo: Photo, user: User | AnonymousUser | None, via: str) -> None:
    """One access log row per photo streamed: which photo, how reached; no patient data."""
    access_log_record(
        user=user,
        action=AccessAction.PHOTO,
        consultation_id=photo.consultation_id,
        patient_id=None,
        detail=f"photo {photo.pk} {via}",
    )


def _delete_rows(photos: Iterable[Photo]) -> int:
    """Delete the rows; their files once the deletion is committed."""
    names: list[str] = []
    pks: list[int] = []
    if isinstance(photos, QuerySet):
        # Locked as their names are read: a thumbnail (or display copy) made meanwhile waits,
        # and then finds no row (and removes its own file) instead of landing unseen between
        # the two.
        photos = photos.select_for_update(of=("self",))
    for photo in photos:
        pks.append(photo.pk)
        names.extend(
            name for name in (photo.file.name, photo.thumbnail.name, photo.display.name) if name
        )
    if not pks:
        return 0
    Photo.objects.filter(pk__in=pks).delete()
    transaction.on_commit(lambda: _files_delete(names), robust=True)
    return len(pks)


def _files_delete(names: list[str]) -> None:
    storage = photo_storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # the storage is down: the name (random) says whose it was not
            logger.exception("Photo file %s could not be deleted", name)


def photos_delete(*, consultation_ids: Iterable[int]) -> int:
    """Delete every photo of these consultations, files, thumbnails and display copies
    (erasure, retention); how many. The caller's transaction decides: the files go once it
    commits."""
    return _delete_rows(Photo.objects.filter(consultation_id__in=list(consultation_ids)))
