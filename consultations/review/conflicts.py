"""When a practitioner's form meets a consultation that changed under it.

Nothing is saved. The practitioner is told the one thing that happened (a colleague decided,
answers were corrected, the rules ran again), and what they typed is kept in their session for
the page they are sent back to: POST, redirect, GET, so a refresh never sends the form again.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.formats import date_format

from consultations import presenters, selectors
from consultations.models import Consultation, ConsultationStatus
from consultations.review.forms import DECLINED, posted_number

KEPT_KEY = "review_kept"

NOTHING_SAVED = "Nothing was saved. "
KEPT_BELOW = "What you typed is kept below."
DECIDED_MEANWHILE_MESSAGE = (
    "{who} {did} on {when}. Nothing was saved. Your choice and notes are in the amendment form "
    "below: send it only if you still want to change that decision."
)
CORRECTED_MESSAGE = (
    "Nothing was saved: answers were corrected after you opened this consultation, and the rules "
    "ran again. Corrected: {changes}. Check the new suggestion. " + KEPT_BELOW
)
RERUN_MESSAGE = (
    "Nothing was saved: {who} ran the current rules again on {when}. Check the new suggestion. "
    + KEPT_BELOW
)
CHANGED_MESSAGE = (
    "Nothing was saved: this consultation changed while you were reviewing it. Review it "
    "again. " + KEPT_BELOW
)
DAMAGED_MESSAGE = (
    "This form arrived incomplete or damaged, so nothing was saved. Review the consultation "
    "again. " + KEPT_BELOW
)


def _when(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "j M Y, H:i")


def tell_what_happened(
    request: HttpRequest, consultation: Consultation, data: QueryDict, *, decision_form: bool = True
) -> None:
    """One message: the change that made the practitioner's form outdated, most decisive first
    (a decision, then corrections, then the rules run again). `decision_form`: the form was the
    decision or amendment form (a decision made meanwhile is then what happened)."""
    current = selectors.decision_current(consultation) if decision_form else None
    if consultation.status == ConsultationStatus.DECIDED and current is not None:
        who = (
            "You"
            if current.decided_by_id == request.user.pk
            else f"Another practitioner, {presenters.person_name(current.decided_by)},"
        )
        did = "amended the decision" if current.supersedes_id else "decided this consultation"
        messages.warning(
            request,
            DECIDED_MEANWHILE_MESSAGE.format(who=who, did=did, when=_when(current.decided_at)),
        )
        return
    seen = posted_number(data.get("evaluation"))
    latest = consultation.latest_evaluation
    if seen is not None and latest is not None and latest.pk != seen:
        changes = [
            f"{presenters.correction_line(c)} (by {presenters.person_name(c.corrected_by)})"
            for c in selectors.corrections_after(consultation, seen)
        ]
        if changes:
            messages.error(request, CORRECTED_MESSAGE.format(changes="; ".join(changes)))
            return
        who = presenters.person_name(latest.created_by) if latest.created_by else "Someone"
        messages.error(request, RERUN_MESSAGE.format(who=who, when=_when(latest.created_at)))
        return
    messages.error(request, CHANGED_MESSAGE)


def tell_earlier_choice(request: HttpRequest, choice: str | None) -> None:
    """Name the option the practitioner had chosen, for them to choose again (or not)."""
    if not choice:
        return
    words = "decline or refer" if choice == DECLINED else presenters.treatment_label(choice)
    messages.info(
        request,
        f"You had chosen: {words}. Nothing is chosen now: check the suggestion, then choose.",
    )


KEPT_SECONDS = 10 * 60


def keep(request: HttpRequest, reference: str, form: str, values: dict[str, Any]) -> None:
    """Hold what the practitioner typed for the next page of this consultation's `form`."""
    request.session[KEPT_KEY] = {
        "reference": reference,
        "form": form,
        "values": values,
        "at": time.time(),
    }


def take_kept(request: HttpRequest, reference: str, form: str) -> dict[str, Any] | None:
    """What `keep` held for this consultation's `form`, once. Notes about a patient do not
    linger in the session: opening another consultation, or ten minutes, drops them."""
    kept = request.session.pop(KEPT_KEY, None)
    if (
        not isinstance(kept, dict)
        or kept.get("reference") != reference
        or kept.get("form") != form
        or time.time() - float(kept.get("at", 0)) > KEPT_SECONDS
    ):
        return None
    return dict(kept["values"])


__all__ = [
    "CHANGED_MESSAGE",
    "KEPT_SECONDS",
    "tell_earlier_choice",
    "DAMAGED_MESSAGE",
    "keep",
    "take_kept",
    "tell_what_happened",
]
