"""Reads for photos: a consultation's photos by view, the photo a viewer may open, and the
side-by-side comparison. Fixed query counts, like consultations/selectors.py."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from consultations.models import (
    Consultation,
    CourseSession,
    Photo,
    PhotoConsent,
    PhotoConsentKind,
    PhotoMoment,
    PhotoView,
    SessionStatus,
)

VIEWS: tuple[str, ...] = tuple(PhotoView.values)


def consent_in_force(consultation_id: int, kind: str) -> bool:
    """Whether the latest recorded consent of this kind is given."""
    latest = (
        PhotoConsent.objects.filter(consultation_id=consultation_id, kind=kind)
        .order_by("-at", "-pk")
        .values_list("granted", flat=True)
        .first()
    )
    return bool(latest)


def photos_of(consultation_id: int) -> list[Photo]:
    """Every photo of the consultation, intake first, then by session, moment and view (one
    query)."""
    photos = Photo.objects.filter(consultation_id=consultation_id).select_related("session")
    return sorted(photos, key=photo_order)


def photo_order(photo: Photo) -> tuple[int, int, int]:
    """Intake first, then by session, before then after, and front, left, right."""
    return (
        photo.session.number if photo.session else 0,
        PhotoMoment.values.index(photo.moment),
        VIEWS.index(photo.view),
    )


def intake_photos(consultation_id: int) -> dict[str, Photo]:
    """The intake photos by view (one query)."""
    return {
        photo.view: photo
        for photo in Photo.objects.filter(
            consultation_id=consultation_id, moment=PhotoMoment.INTAKE
        )
    }


def clinical_consent_given(consultation_id: int) -> bool:
    return consent_in_force(consultation_id, PhotoConsentKind.CLINICAL)


def other_use_consent_given(consultation_id: int) -> bool:
    return consent_in_force(consultation_id, PhotoConsentKind.OTHER_USE)


def photo_for_staff(photo_id: int) -> Photo:
    """A photo of a sent consultation (drafts are the patient's), or 404."""
    try:
        return Photo.objects.filter(consultation__in=Consultation.objects.sent()).get(pk=photo_id)
    except Photo.DoesNotExist:
        raise Http404("No such photo") from None


def photo_for_link(token: str, photo_id: int) -> Photo:
    """A photo of the sent consultation whose private link this is, or 404 (another patient's
    photo, a wrong token, an anonymised record)."""
    try:
        return Photo.objects.filter(
            consultation__in=Consultation.objects.sent().filter(
                public_token=token, patient__anonymised_at__isnull=True
            )
        ).get(pk=photo_id)
    except Photo.DoesNotExist:
        raise Http404("No such photo") from None


def photo_for_draft(consultation_id: int, photo_id: int) -> Photo:
    """A photo of the draft this browser holds, or 404."""
    try:
        return Photo.objects.get(pk=photo_id, consultation_id=consultation_id)
    except Photo.DoesNotExist:
        raise Http404("No such photo") from None


def intake_photo_of(consultation_id: int, photo_id: int) -> Photo:
    """An intake photo of this consultation (one the patient may delete), or 404."""
    try:
        return Photo.objects.get(
            pk=photo_id, consultation_id=consultation_id, moment=PhotoMoment.INTAKE
        )
    except Photo.DoesNotExist:
        raise Http404("No such photo") from None


def session_photo_of(consultation_id: int, photo_id: int) -> Photo:
    """A session photo of this consultation (one a practitioner may delete), or 404."""
    try:
        return Photo.objects.select_related("session").get(
            pk=photo_id, consultation_id=consultation_id, session__isnull=False
        )
    except Photo.DoesNotExist:
        raise Http404("No such session photo") from None


def sessions_for_photos(consultation: Consultation) -> list[CourseSession]:
    """The course's sessions a photo may be added to: planned or done, in order."""
    return list(
        CourseSession.objects.filter(course__consultation_id=consultation.pk)
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("number")
    )


@dataclass(frozen=True)
class Comparison:
    """Baseline and later photo of one view, side by side (either may be missing)."""

    view: str
    view_label: str
    baseline: Photo | None
    later: Photo | None
    later_session: CourseSession | None


def baseline_for(photos: list[Photo], view: str) -> Photo | None:
    """The intake photo of the view, else the earliest session's "before" photo of it."""
    intake = [p for p in photos if p.moment == PhotoMoment.INTAKE and p.view == view]
    if intake:
        return intake[0]
    before = [p for p in photos if p.moment == PhotoMoment.BEFORE and p.view == view]
    return min(before, key=lambda p: p.session.number if p.session else 0, default=None)


def comparison(
    photos: list[Photo], *, view: str, session_id: int | None, moment: str
) -> Comparison:
    """Baseline against the chosen session's photo of the same view (its "after" unless
    "before" is asked for; the latest session with a photo when none is chosen)."""
    baseline = baseline_for(photos, view)
    candidates = [
        p for p in photos if p.session is not None and p.view == view and p is not baseline
    ]
    if session_id is not None:
        candidates = [p for p in candidates if p.session_id == session_id]
    wanted = [p for p in candidates if p.moment == moment] or candidates
    later = max(
        wanted,
        key=lambda p: (p.session.number if p.session else 0, p.moment == PhotoMoment.AFTER),
        default=None,
    )
    return Comparison(
        view=view,
        view_label=PhotoView(view).label,
        baseline=baseline,
        later=later,
        later_session=later.session if later is not None else None,
    )
