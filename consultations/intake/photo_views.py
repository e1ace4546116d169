"""The patient's photos: the optional "Add photos" page of the intake (reached from the check
page), the draft's own photos for that browser, and the sent consultation's photos through the
private status link.

A photo is added to a draft only through the draft's ownership check (intake/browser.py and
services.intake: the browser's key, checked under the row lock), and shown only to that browser
or to the holder of the private link. Every photo shown is in the access log.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from clinic import ratelimit
from clinic.middleware import accepts_uploads
from consultations import photo_selectors
from consultations.intake import browser
from consultations.intake.photo_forms import VIEW_LABELS, IntakePhotosForm
from consultations.intake.views import no_draft
from consultations.models import Consultation, Photo, PhotoView
from consultations.photo_consent import (
    PHOTO_CONSENT_TEXT_VERSION,
    PHOTO_GUIDANCE,
    PHOTO_STATEMENT_PARAGRAPHS,
    PHOTO_STATEMENT_TITLE,
)
from consultations.photo_response import (
    consultation_limit_reached,
    consultation_rate,
    photo_response,
)
from consultations.services import intake as intake_services
from consultations.services import photos as services
from consultations.services.photo_removal import photo_consent_withdrawable

photo_limit = ratelimit.rate_limited("photo", setting="PHOTO_UPLOAD_RATE_LIMIT")


def draft_photo_url(photo: Photo, size: str = "thumbnail") -> str:
    return reverse("intake:draft_photo", kwargs={"photo": photo.pk, "size": size})


def _page(
    request: HttpRequest, consultation: Consultation, form: IntakePhotosForm, status: int = 200
) -> HttpResponse:
    current = photo_selectors.intake_photos(consultation.pk)
    return render(
        request,
        "intake/photos.html",
        {
            "step_title": "Add photos of your skin (optional)",
            "form": form,
            "error_links": form.error_links() if form.is_bound else [],
            "guidance": PHOTO_GUIDANCE,
            "statement_title": PHOTO_STATEMENT_TITLE,
            "statement_paragraphs": PHOTO_STATEMENT_PARAGRAPHS,
            "consent_version": PHOTO_CONSENT_TEXT_VERSION,
            "can_withdraw": photo_consent_withdrawable(consultation.pk),
            "views": [
                (form[view], current.get(view), VIEW_LABELS[PhotoView(view)])
                for view in PhotoView.values
            ],
        },
        status=status,
    )


def holds_a_draft(request: HttpRequest) -> bool:
    """Whether this browser holds a draft it may add photos to (the larger upload body)."""
    consultation = browser.consultation(request)
    return consultation is not None and consultation.is_editable_by_patient


@accepts_uploads(holds_a_draft)
@require_http_methods(["GET", "HEAD", "POST"])
@photo_limit
def photos(request: HttpRequest) -> HttpResponse:
    """Three optional views with guidance, a preview (intake.js) and the photo consents."""
    consultation = browser.consultation(request)
    if consultation is None or not consultation.is_editable_by_patient:
        return no_draft(request)
    if request.method != "POST":
        initial = {
            "clinical_consent": photo_selectors.clinical_consent_given(consultation.pk),
            "other_use_consent": photo_selectors.other_use_consent_given(consultation.pk),
        }
        return _page(request, consultation, IntakePhotosForm(initial=initial))
    form = IntakePhotosForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, consultation, form)
    uploads = form.uploads()
    if consultation_limit_reached(consultation.pk, len(uploads)):
        return ratelimit.too_many_requests(request, rate=consultation_rate())
    added = 0
    for view, upload in uploads:
        try:
            services.photo_add_by_patient(
                consultation_id=consultation.pk,
                draft_key=browser.draft_key(request),
                view=view,
                upload=upload,
                clinical_consent=form.cleaned_data["clinical_consent"],
                other_use_consent=form.cleaned_data["other_use_consent"],
            )
            added += 1
        except services.PhotoRefused as refused:
            form.add_error(view, refused.message)
        except intake_services.DraftNotAttached:
            return no_draft(request)
    if form.errors:
        if added:
            messages.success(request, f"{_count(added)} added. Please look at the others below.")
        return _page(request, consultation, form)
    messages.success(request, f"{_count(added)} added.")
    return redirect(f"{reverse('intake:check')}#photos-heading")


def _count(added: int) -> str:
    return "Your photo was" if added == 1 else f"Your {added} photos were"


@require_safe
def draft_photo(request: HttpRequest, photo: int, size: str) -> FileResponse:
    """A photo of the draft this browser holds (the check and photo pages' thumbnails)."""
    consultation = browser.consultation(request)
    if consultation is None or not consultation.is_editable_by_patient:
        raise Http404("No draft in this browser")
    found = photo_selectors.photo_for_draft(consultation.pk, photo)
    response = photo_response(found, size)
    services.photo_viewed(photo=found, user=None, via=f"patient draft {size}")
    return response


@require_safe
def photo(request: HttpRequest, token: str, photo: int, size: str) -> FileResponse:
    """A photo of the patient's sent consultation, through their private link."""
    found = photo_selectors.photo_for_link(token, photo)
    response = photo_response(found, size)
    services.photo_viewed(photo=found, user=None, via=f"patient link {size}")
    return response
