"""Changing what the rules ran on: correcting answers after examination (or recording the
answers to questions the patient was never asked), and running the current rules again.

Both write through services with the consultation row locked and the lock version the
practitioner's page was built on compared: after a conflict the practitioner is sent back to the
page (a refresh never posts again), told what changed, with what they typed kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from clinic.auth import signed_in_user
from consultations import rules, selectors, services
from consultations.models import AccessLog, ConsultationStatus, Evaluation
from consultations.permissions import REVIEW_PERMISSION
from consultations.review import conflicts
from consultations.review.corrections import CorrectionForm
from consultations.review.forms import form_damaged, posted_number
from consultations.review.views import DECIDED_BEFORE_CORRECTION_MESSAGE, correctable
from consultations.services import corrections
from consultations.services import review as review_services


def _correction_kept(data: QueryDict, fresh: CorrectionForm) -> dict[str, Any]:
    """What the practitioner typed, to show again after a conflict, on the fresh form.

    Yes/no boxes are not kept: an unticked box is not posted, so a box the practitioner never
    saw (a colleague has just recorded that answer) would come back as "no". They show the
    answers as they are now, with what changed named above the form.
    """
    kept: dict[str, Any] = {
        name: data[name]
        for name in ("fitzpatrick", "sebum", "note", *rules.FOLLOW_UPS)
        if name in data and name in fresh.fields
    }
    kept |= {name: data[name] for name in data if name.startswith("ask_") and name in fresh.fields}
    return kept


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def correct(request: HttpRequest, reference: str) -> HttpResponse:
    """Correct answers after examination; the rules run again as a new evaluation."""
    consultation = selectors.consultation_for_staff(reference)
    if not correctable(consultation):
        messages.error(
            request,
            "This consultation has been decided, so its answers can no longer be corrected. "
            "To change the outcome, amend the decision."
            if consultation.status == ConsultationStatus.DECIDED
            else "Only a submitted consultation can be corrected.",
        )
        return redirect("review:detail", reference=reference)
    if request.method != "POST":
        kept = conflicts.take_kept(request, reference, "correction")
        form = CorrectionForm(consultation=consultation, initial=kept or {})
        services.access_log_record(
            user=request.user,
            action=AccessLog.Action.VIEW,
            consultation=consultation,
            detail="correction form",
        )
    else:
        form = CorrectionForm(request.POST, consultation=consultation)
        try:
            if posted_number(request.POST.get("lock_version")) != consultation.lock_version:
                raise review_services.ConsultationChanged
            if form.is_valid():
                before = consultation.latest_evaluation
                evaluation = corrections.correction_apply(
                    consultation=consultation,
                    user=signed_in_user(request),
                    lock_version=form.cleaned_data["lock_version"],
                    changes=form.changes(),
                    note=form.note_text(),
                )
                messages.success(request, _corrected_message(before, evaluation))
                return redirect("review:detail", reference=reference)
        except review_services.ConsultationChanged:
            consultation = selectors.consultation_for_staff(reference)
            if not correctable(consultation) or (
                consultation.status == ConsultationStatus.DECIDED and not form.only_unasked
            ):
                messages.error(request, DECIDED_BEFORE_CORRECTION_MESSAGE)
                return redirect("review:detail", reference=reference)
            if form_damaged(request.POST):
                messages.error(request, conflicts.DAMAGED_MESSAGE)
            else:
                conflicts.tell_what_happened(
                    request, consultation, request.POST, decision_form=False
                )
            fresh = CorrectionForm(consultation=consultation)
            conflicts.keep(request, reference, "correction", _correction_kept(request.POST, fresh))
            return redirect("review:correct", reference=reference)
        except review_services.NothingChanged as exc:
            form.add_error(None, str(exc))
        except review_services.ReviewRefused as exc:
            messages.error(request, str(exc))
            return redirect("review:detail", reference=reference)
    return render(
        request,
        "review/correct.html",
        {"consultation": consultation, "patient": consultation.patient, "form": form},
    )


def _corrected_message(before: Evaluation | None, after: Evaluation) -> str:
    return "Answers corrected and the rules ran again." + _suggestion_change(before, after)


def _suggestion_change(before: Evaluation | None, after: Evaluation) -> str:
    if before is not None and before.primary != after.primary:
        return (
            f" The suggestion changed from {before.get_primary_display()} "
            f"to {after.get_primary_display()}."
        )
    return f" The suggestion is still {after.get_primary_display()}."


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_POST
def rerun(request: HttpRequest, reference: str) -> HttpResponse:
    """Run the current rules again (an evaluation made by an earlier ruleset): a new
    evaluation, the earlier one kept; nothing about the answers changes."""
    consultation = selectors.consultation_for_staff(reference)
    before = consultation.latest_evaluation
    seen = posted_number(request.POST.get("lock_version"))
    try:
        evaluation = review_services.evaluation_rerun(
            consultation=consultation,
            user=signed_in_user(request),
            # A missing or damaged number is a stale page: refused, never re-run blindly.
            lock_version=-1 if seen is None else seen,
        )
    except review_services.ConsultationChanged:
        consultation = selectors.consultation_for_staff(reference)
        conflicts.tell_what_happened(request, consultation, request.POST)
        return redirect("review:detail", reference=reference)
    except review_services.ReviewRefused as exc:
        messages.error(request, str(exc))
        return redirect("review:detail", reference=reference)
    message = f"The rules ran again (ruleset {evaluation.ruleset_version})."
    messages.success(request, message + _suggestion_change(before, evaluation))
    return redirect("review:detail", reference=reference)
