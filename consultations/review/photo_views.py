"""Practitioners and photos: a photo streamed to a practitioner (logged), the session photo
upload, and the detail page's photo panel (review/_photos.html): the intake photos, each
session's, and a baseline beside a later session, same view.

Login and the review permission, as every review page; every photo shown is in the access log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from clinic import ratelimit
from clinic.auth import signed_in_user
from clinic.middleware import accepts_uploads
from consultations import photo_selectors, selectors
from consultations.models import Consultation
from consultations.permissions import REVIEW_PERMISSION
from consultations.photo_consent import PHOTO_GUIDANCE
from consultations.photo_response import (
    consultation_limit_reached,
    consultation_rate,
    photo_response,
)
from consultations.review.photo_forms import CompareForm, PhotoDeleteForm, SessionPhotoForm
from consultations.selectors_detail import UNKNOWN, Held
from consultations.services import photo_removal
from consultations.services import photos as services
from consultations.services.review import ReviewRefused

photo_limit = ratelimit.rate_limited("photo", setting="PHOTO_UPLOAD_RATE_LIMIT")


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_safe
def photo(request: HttpRequest, photo: int, size: str) -> FileResponse:
    """One photo (the original, its display copy or its thumbnail) of a sent consultation;
    each one shown is logged."""
    found = photo_selectors.photo_for_staff(photo)
    response = photo_response(found, size)
    services.photo_viewed(photo=found, user=request.user, via=f"staff {size}")
    return response


def photo_panel(consultation: Consultation, params: Any, held: Held = UNKNOWN) -> dict[str, Any]:
    """The detail page's photo context: every photo, the comparison and its form, and the
    course panel's comparisons (review/_course.html). Sessions belong to a course."""
    photos = photo_selectors.photos_of(consultation.pk) if held.photos else []
    sessions = photo_selectors.sessions_for_photos(consultation) if held.course else []
    if not photos:  # nothing to compare: review/_photos.html shows no comparison or its form
        return {
            "course_photo_comparisons": [],
            "photo_session_ids": set(),
            "photos_intake": [],
            "photos_sessions": [],
            "photo_sessions": sessions,
            "photo_compare_form": None,
            "photo_comparison": None,
        }
    compare_form = CompareForm(params, sessions=sessions)
    view, session_id, moment = compare_form.choice()
    comparisons = [
        photo_selectors.comparison(photos, view=each, session_id=None, moment=moment)
        for each in photo_selectors.VIEWS
    ]
    return {
        # The course panel: the baseline beside the latest session, each view that has both.
        "course_photo_comparisons": [c for c in comparisons if c.baseline and c.later],
        "photo_session_ids": {p.session_id for p in photos if p.session_id is not None},
        "photos_intake": [p for p in photos if p.session is None],
        "photos_sessions": [p for p in photos if p.session is not None],
        "photo_sessions": sessions,
        "photo_compare_form": compare_form,
        "photo_comparison": photo_selectors.comparison(
            photos, view=view, session_id=session_id, moment=moment
        ),
    }


def may_add_photos(request: HttpRequest) -> bool:
    """Whether a practitioner with the review permission is signed in (the larger upload
    body)."""
    user = request.user
    return user.is_authenticated and user.is_active and user.has_perm(REVIEW_PERMISSION)


@accepts_uploads(may_add_photos, signs_in=True)
@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
@photo_limit
def photo_upload(request: HttpRequest, reference: str) -> HttpResponse:
    """Add a before or after photo of one view to a planned or completed session."""
    consultation = selectors.consultation_for_staff(reference)
    sessions = photo_selectors.sessions_for_photos(consultation)
    if request.method != "POST":
        initial = {"session": request.GET.get("session", "")}
        form = SessionPhotoForm(initial=initial, sessions=sessions)
        return _upload_page(request, consultation, form)
    form = SessionPhotoForm(request.POST, request.FILES, sessions=sessions)
    if not form.is_valid():
        return _upload_page(request, consultation, form)
    if consultation_limit_reached(consultation.pk, 1):
        return ratelimit.too_many_requests(request, rate=consultation_rate())
    try:
        services.photo_add_by_practitioner(
            consultation=consultation,
            user=signed_in_user(request),
            session_id=form.cleaned_data["session"],
            moment=form.cleaned_data["moment"],
            view=form.cleaned_data["view"],
            upload=form.cleaned_data["photo"],
            consent_recorded_now=form.cleaned_data["consent_recorded_now"],
        )
    except services.PhotoRefused as refused:
        form.add_error("photo", refused.message)
        return _upload_page(request, consultation, form)
    except ReviewRefused as refused:
        messages.error(request, str(refused))
        return redirect("review:detail", reference=reference)
    messages.success(request, "The photo was added.")
    return redirect(f"{reverse('review:detail', kwargs={'reference': reference})}#photos-heading")


def _upload_page(
    request: HttpRequest, consultation: Consultation, form: SessionPhotoForm
) -> HttpResponse:
    return render(
        request,
        "review/photo_upload.html",
        {
            "consultation": consultation,
            "form": form,
            "guidance": PHOTO_GUIDANCE,
            "has_sessions": bool(photo_selectors.sessions_for_photos(consultation)),
            "consent_given": photo_selectors.clinical_consent_given(consultation.pk),
        },
    )


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def photo_delete(request: HttpRequest, reference: str, photo: int) -> HttpResponse:
    """Delete one session photo, with the reason (asked for on this page first)."""
    consultation = selectors.consultation_for_staff(reference)
    found = photo_selectors.session_photo_of(consultation.pk, photo)
    form = PhotoDeleteForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            photo_removal.photo_delete_by_practitioner(
                consultation=consultation,
                user=signed_in_user(request),
                photo_id=found.pk,
                reason=form.cleaned_data["reason"],
            )
        except photo_removal.PhotoNotFound:
            raise Http404("No such session photo") from None
        except ReviewRefused as refused:
            messages.error(request, str(refused))
            return redirect("review:detail", reference=reference)
        messages.success(request, "The photo was deleted.")
        detail = reverse("review:detail", kwargs={"reference": reference})
        return redirect(f"{detail}#photos-heading")
    return render(
        request,
        "review/photo_delete.html",
        {"consultation": consultation, "photo": found, "form": form},
    )
