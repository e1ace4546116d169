"""A practitioner marks a follow-up's red flag handled, with a note (login and the review
permission required). The consultation leaves the top of the queue once none is open."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clinic.auth import signed_in_user
from consultations import selectors, selectors_attention
from consultations.permissions import REVIEW_PERMISSION
from consultations.review.red_flag_forms import RedFlagHandledForm
from consultations.services import checkins
from consultations.services.review import ReviewRefused

DAMAGED_MESSAGE = "The form arrived incomplete, so nothing was saved. Please try again."


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_POST
def red_flag_handled(request: HttpRequest, reference: str) -> HttpResponse:
    """Record who handled the red flag, when, and what they did; then back to the page."""
    consultation = selectors.consultation_for_staff(reference)
    form = RedFlagHandledForm(request.POST)
    if not form.is_valid():
        if "check_in" in form.errors:
            messages.error(request, DAMAGED_MESSAGE)
            return redirect("review:detail", reference=reference)
        flags = dict(selectors_attention.open_red_flags(consultation))
        check_in = next((c for c in flags if c.pk == form.cleaned_data["check_in"]), None)
        if check_in is None:
            messages.info(request, "This red flag has been handled already.")
            return redirect("review:detail", reference=reference)
        # What the practitioner typed is kept: the form again with its message.
        return render(
            request,
            "review/red_flag_handle.html",
            {
                "consultation": consultation,
                "check_in": check_in,
                "line": flags[check_in],
                "form": form,
            },
        )
    try:
        checkins.red_flag_handle(
            consultation=consultation,
            user=signed_in_user(request),
            check_in_id=form.cleaned_data["check_in"],
            note=form.cleaned_data["note"],
        )
    except ReviewRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Red flag marked handled.")
    return redirect("review:detail", reference=reference)
