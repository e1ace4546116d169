"""The patient deletes their photos: one intake photo, or all of them by withdrawing their
consent to clinical photos. Before sending, through the draft this browser holds; after,
through their private link. Each asks first (a page with the photo and one button), then
deletes on the POST of that page (services/photo_removal.py records it).

A POST without the page's confirmation (`confirm=yes`) shows the page again and changes
nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from consultations import photo_selectors, selectors
from consultations.intake import browser
from consultations.intake.views import intake_limit, no_draft
from consultations.models import Photo
from consultations.services import intake as intake_services
from consultations.services import photo_removal as services

DELETE_PARAGRAPHS = (
    "We will delete this photo straight away. This cannot be undone.",
    "Your answers are not affected.",
)
WITHDRAW_PARAGRAPHS = (
    "If you withdraw your consent, we delete all your photos straight away, including any "
    "that the practitioner took at your treatment sessions. This cannot be undone.",
    "Your answers and your treatment are not affected. The practitioner will ask you before "
    "taking any new photos.",
)


def _confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "yes"


def _confirm_page(
    request: HttpRequest,
    *,
    title: str,
    paragraphs: tuple[str, ...],
    button: str,
    cancel_url: str,
    image_url: str = "",
    image_alt: str = "",
) -> HttpResponse:
    return render(
        request,
        "intake/photo_confirm.html",
        {
            "step_title": title,
            "paragraphs": paragraphs,
            "button": button,
            "cancel_url": cancel_url,
            "image_url": image_url,
            "image_alt": image_alt,
        },
    )


def _photo_alt(photo: Photo) -> str:
    return f"Your photo: {photo.get_view_display().lower()}"


@require_http_methods(["GET", "HEAD", "POST"])
@intake_limit
def draft_photo_delete(request: HttpRequest, photo: int) -> HttpResponse:
    """Delete one photo of the draft this browser holds."""
    consultation = browser.consultation(request)
    if consultation is None or not consultation.is_editable_by_patient:
        return no_draft(request)
    found = photo_selectors.intake_photo_of(consultation.pk, photo)
    if _confirmed(request):
        try:
            services.photo_delete_from_draft(
                consultation_id=consultation.pk,
                draft_key=browser.draft_key(request),
                photo_id=found.pk,
            )
        except (intake_services.DraftNotAttached, services.PhotoNotFound):
            return no_draft(request)
        messages.success(request, "Your photo was deleted.")
        return redirect("intake:photos")
    return _confirm_page(
        request,
        title="Delete this photo?",
        paragraphs=DELETE_PARAGRAPHS,
        button="Delete the photo",
        cancel_url=reverse("intake:photos"),
        image_url=reverse("intake:draft_photo", kwargs={"photo": found.pk, "size": "thumbnail"}),
        image_alt=_photo_alt(found),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@intake_limit
def draft_photos_withdraw(request: HttpRequest) -> HttpResponse:
    """Withdraw the photo consents on the draft this browser holds; its photos go."""
    consultation = browser.consultation(request)
    if consultation is None or not consultation.is_editable_by_patient:
        return no_draft(request)
    if _confirmed(request):
        try:
            services.photo_consent_withdraw_from_draft(
                consultation_id=consultation.pk, draft_key=browser.draft_key(request)
            )
        except (intake_services.DraftNotAttached, services.PhotoNotFound):
            return no_draft(request)
        messages.success(request, "You withdrew your consent. Your photos were deleted.")
        return redirect("intake:check")
    return _confirm_page(
        request,
        title="Withdraw your consent to photos?",
        paragraphs=WITHDRAW_PARAGRAPHS,
        button="Withdraw consent and delete my photos",
        cancel_url=reverse("intake:photos"),
    )


def _status_photos_url(token: str) -> str:
    return reverse("intake:status", kwargs={"token": token}) + "#your-photos-heading"


@require_http_methods(["GET", "HEAD", "POST"])
@intake_limit
def photo_delete(request: HttpRequest, token: str, photo: int) -> HttpResponse:
    """Delete one of the patient's intake photos, through their private link."""
    link_photo = photo_selectors.photo_for_link(token, photo)  # 404: another record's, a bad link
    found = photo_selectors.intake_photo_of(link_photo.consultation_id, link_photo.pk)
    if _confirmed(request):
        try:
            services.photo_delete_by_link(token=token, photo_id=found.pk)
        except services.PhotoNotFound:
            raise Http404("No such photo") from None
        messages.success(request, "Your photo was deleted.")
        return redirect(_status_photos_url(token))
    return _confirm_page(
        request,
        title="Delete this photo?",
        paragraphs=DELETE_PARAGRAPHS,
        button="Delete the photo",
        cancel_url=_status_photos_url(token),
        image_url=reverse(
            "intake:photo", kwargs={"token": token, "photo": found.pk, "size": "thumbnail"}
        ),
        image_alt=_photo_alt(found),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@intake_limit
def photos_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """Withdraw the photo consents through the private link; every photo of the consultation
    goes, session photos too."""
    selectors.sent_by_token(token)  # 404: a wrong token, an anonymised record
    if _confirmed(request):
        try:
            services.photo_consent_withdraw_by_link(token=token)
        except services.PhotoNotFound:
            raise Http404("No such consultation") from None
        messages.success(request, "You withdrew your consent. Your photos were deleted.")
        return redirect(_status_photos_url(token))
    return _confirm_page(
        request,
        title="Withdraw your consent to photos?",
        paragraphs=WITHDRAW_PARAGRAPHS,
        button="Withdraw consent and delete my photos",
        cancel_url=_status_photos_url(token),
    )
