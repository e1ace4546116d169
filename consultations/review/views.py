"""Practitioner review: the queue, a consultation's detail, corrections, decisions, amendments.

Every view needs a login and the `consultations.review_consultation` permission (anonymous
users are sent to the login page, others get 403). Writes go through services.review, which
re-checks under a row lock that the consultation has not changed since the form was built.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from clinic.auth import signed_in_user
from consultations import (
    presenters,
    rules,
    selectors,
    selectors_attention,
    selectors_detail,
    services,
)
from consultations.aftercare import decline_message
from consultations.models import (
    AccessLog,
    Consultation,
    ConsultationStatus,
    DecisionReason,
)
from consultations.permissions import REVIEW_PERMISSION
from consultations.presenters import explain, free_text
from consultations.presenters.queue import queue_row
from consultations.review import conflicts, page_cache, photo_views
from consultations.review.course_views import course_panel
from consultations.review.forms import (
    QUEUE_TABS,
    AmendForm,
    DecisionForm,
    QueueFilterForm,
    form_damaged,
    kept_input,
)
from consultations.selectors import ALL, NEWEST, OLDEST, STOP_FIRST, default_sort
from consultations.services import review as review_services

# What the patient reads after a decline, by reason (the decision form shows them all).
DECLINE_MESSAGE_LIST = [(label, decline_message(code)) for code, label in DecisionReason.choices]
DECLINE_DEFAULTS = {code: decline_message(code) for code, _ in DecisionReason.choices}

DECIDED_BEFORE_CORRECTION_MESSAGE = (
    "This consultation was decided while you were correcting it. Nothing was saved. To change "
    "the outcome, amend the decision."
)
# What became of the patient's email (Recorded.emailed): sent, refused, or not known here.
EMAIL_MESSAGES: dict[bool | None, str] = {
    True: "The patient has been emailed a link to their status page.",
    False: "The email to the patient could not be sent: their status page shows the decision, "
    "so let them know another way.",
    None: "The patient will be emailed a link to their status page.",
}


# --- Queue -------------------------------------------------------------------------------------

# The order a tab's rows are in, in words (the table's caption).
_DATE: dict[str, str] = {ConsultationStatus.DECIDED: "decided"}
ORDER_WORDS = {
    (status, sort): {
        OLDEST: f"{_DATE.get(status, 'submitted')} longest ago first",
        NEWEST: f"most recently {_DATE.get(status, 'submitted')} first",
        STOP_FIRST: f"stop flags first, then {_DATE.get(status, 'submitted')} longest ago first",
    }[sort]
    for status in [*QUEUE_TABS, ALL]
    for sort in (OLDEST, NEWEST, STOP_FIRST)
}


def _query_string(filters: selectors.QueueFilters, **changes: str) -> str:
    params = QueryDict(mutable=True)
    for name, value in {**asdict(filters), **changes}.items():
        if value:
            params[name] = value
    return params.urlencode()


FILTER_FIELDS = ("status", "flag", "primary", "q", "sort")


def _filter_widgets(data: QueryDict) -> dict[str, str]:
    """The filter form's widgets as HTML. Without a search (words that may name a patient,
    never kept), the same filters always give the same HTML: written once per process."""
    values = tuple(data.get(name, "") for name in FILTER_FIELDS)
    return _written_widgets(values) if values[3] else _kept_widgets(values)


def _written_widgets(values: tuple[str, ...]) -> dict[str, str]:
    data = QueryDict(mutable=True)
    data.update(dict(zip(FILTER_FIELDS, values, strict=True)))
    form = QueueFilterForm(data)
    return {name: str(form[name]) for name in FILTER_FIELDS}


_kept_widgets = functools.lru_cache(maxsize=256)(_written_widgets)


def _page_links(page: Page[Consultation], query: str) -> list[dict[str, Any]]:
    """Numbered links: the first and last pages, and two either side of this one."""
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return [
        {"number": number, "query": f"{query}&page={number}" if query else f"page={number}"}
        if isinstance(number, int)
        else {"number": None, "query": ""}
        for number in numbers
    ]


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    """The work list: awaiting review (longest wait first), decided (with the outcome and who),
    withdrawn, or all; filters, an order, a search that looks in every status if need be.
    Kept rendered while nothing it shows has changed (review/page_cache.py)."""
    return page_cache.kept_page(request, lambda: _render_queue(request))


def _render_queue(request: HttpRequest) -> HttpResponse:
    filter_form = QueueFilterForm(request.GET)
    filters = filter_form.filters()
    queue = selectors.queue(filters, request.GET.get("page"))
    page, counts = queue.page, queue.counts
    now = timezone.localtime()
    rows = [
        queue_row(consultation, now, settings.CLINIC_REVIEW_WORKING_DAYS)
        for consultation in page.object_list
    ]
    tabs = [
        {
            "status": status,
            "label": label,
            "count": counts[status],
            "more": status in queue.capped,  # more matches than were counted
            "active": queue.status == status,
            "query": _query_string(filters, status=status, page="", sort=""),
        }
        for status, label in [*QUEUE_TABS.items(), (ALL, "All")]
    ]
    order = filters.sort or default_sort(filters.status)
    page_query = _query_string(filters, status=queue.status, page="", sort=order)
    return render(
        request,
        "review/queue.html",
        {
            "filter_form": filter_form,
            "filter_widgets": _filter_widgets(request.GET),
            "filters": filters,
            "queue": queue,
            "tab_label": dict([*QUEUE_TABS.items(), (ALL, "All")])[filters.status],
            "page": page,
            "rows": rows,
            "tabs": tabs,
            "page_links": _page_links(page, page_query),
            "attention": selectors_attention.attention(),
            "page_query": page_query,
            "order_words": ORDER_WORDS[queue.status, order],
            "promised_days": settings.CLINIC_REVIEW_WORKING_DAYS,
            "columns": {
                "awaiting": queue.status == ConsultationStatus.SUBMITTED,
                "decided": queue.status == ConsultationStatus.DECIDED,
                "every": queue.status == ALL,
                # Reference, patient, submitted, suggestion, flags, and each column above (All
                # has the decision and the status).
                "count": 5
                + (queue.status in (ConsultationStatus.SUBMITTED, ConsultationStatus.DECIDED))
                + 2 * (queue.status == ALL),
            },
        },
    )


# --- Detail ------------------------------------------------------------------------------------


def _render_detail(
    request: HttpRequest,
    consultation: Consultation,
    *,
    decision_form: DecisionForm | None = None,
    amend_form: AmendForm | None = None,
    kept: dict[str, Any] | None = None,
    held: selectors_detail.Held = selectors_detail.UNKNOWN,
    status: int = 200,
) -> HttpResponse:
    """The detail page; each rendering shows patient data, so each is logged. A panel whose
    records `held` says are not there runs no query (a follow-up belongs to a course)."""
    history = selectors_detail.history(consultation, held)
    card = (
        explain.mark_reasons(presenters.suggestion_card(evaluation), evaluation)
        if (evaluation := consultation.latest_evaluation)
        else None
    )
    current = history.current_decision
    initial = kept or {}
    if evaluation is not None:
        if consultation.status == ConsultationStatus.SUBMITTED and decision_form is None:
            decision_form = DecisionForm(
                consultation=consultation, evaluation=evaluation, initial=initial
            )
        if (
            consultation.status == ConsultationStatus.DECIDED
            and current is not None
            and amend_form is None
        ):
            amend_form = AmendForm(
                consultation=consultation, evaluation=evaluation, current=current, initial=initial
            )
    services.access_log_record(
        user=request.user, action=AccessLog.Action.VIEW, consultation=consultation
    )
    return render(
        request,
        "review/detail.html",
        {
            "consultation": consultation,
            "patient": consultation.patient,
            "card": card,
            "summary_line": explain.summary_line(card) if card else "",
            "facts": explain.facts(consultation),
            "free_text_alerts": free_text.free_text_alerts(consultation),
            "highlight_names": free_text.highlight_names(consultation),
            "answer_groups": presenters.clinician_sections(consultation, history.corrections),
            "timeline": presenters.timeline(
                history.evaluations,
                history.corrections,
                history.decisions,
                evaluation.pk if evaluation else None,
            ),
            "red_flags": selectors_attention.open_red_flags(consultation) if held.course else [],
            "current_decision": current,
            "current_lines": presenters.decision_lines(current) if current else [],
            "decision_form": decision_form,
            "amend_form": amend_form,
            "amend_open": bool(kept) or (amend_form is not None and amend_form.is_bound),
            "can_correct": correctable(consultation),
            "rules_outdated": evaluation is not None
            and evaluation.ruleset_version != rules.RULESET_VERSION
            and consultation.status in (ConsultationStatus.SUBMITTED, ConsultationStatus.DECIDED),
            "ruleset_version": rules.RULESET_VERSION,
            "decline_messages": DECLINE_MESSAGE_LIST,
            "decline_defaults": DECLINE_DEFAULTS,
            "course_panel": course_panel(consultation) if held.course else None,
            **photo_views.photo_panel(consultation, request.GET, held),
        },
        status=status,
    )


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_safe
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The answers, the explained suggestion, the history, and the decision form (with what the
    practitioner typed, after a conflict)."""
    kept = conflicts.take_kept(request, reference, "decision")
    consultation, held = selectors_detail.consultation_for_detail(reference)
    return _render_detail(request, consultation, kept=kept, held=held)


def _changed(request: HttpRequest, reference: str, data: QueryDict) -> HttpResponse:
    """The consultation changed under the practitioner (or their form arrived damaged): say
    what happened, keep what they typed, and send them back to the page (a refresh is a GET)."""
    consultation = selectors.consultation_for_staff(reference)
    if form_damaged(data):
        messages.error(request, conflicts.DAMAGED_MESSAGE)
    else:
        conflicts.tell_what_happened(request, consultation, data)
    kept = kept_input(data)
    if consultation.status != ConsultationStatus.DECIDED:
        # The suggestion may differ now: the choice is made again, never ticked for them.
        conflicts.tell_earlier_choice(request, kept.pop("choice", None))
    conflicts.keep(request, reference, "decision", kept)
    return redirect("review:detail", reference=reference)


def _record(
    request: HttpRequest,
    form: DecisionForm,
    service: Callable[..., review_services.Recorded],
    *,
    done: str,
    **kwargs: Any,
) -> HttpResponse:
    """Store the form's decision (or amendment) and say what happened, the patient's email
    included. A repeated submit (a double click) gets the first one's answer, storing nothing.
    """
    reference = form.consultation.reference
    try:
        recorded = service(
            consultation=form.consultation,
            user=signed_in_user(request),
            evaluation_id=form.cleaned_data["evaluation"],
            lock_version=form.cleaned_data["lock_version"],
            choice=form.decision_input(),
            **kwargs,
        )
    except review_services.ConsultationChanged:
        return _changed(request, reference, request.POST)
    except review_services.ReviewRefused as exc:
        messages.error(request, str(exc))
        return redirect("review:detail", reference=reference)
    level = messages.WARNING if recorded.emailed is False else messages.SUCCESS
    then_next = request.POST.get("then") == "next"
    if then_next:  # the message is read on another consultation's page: it names this one
        done = f"{reference}: {done[0].lower()}{done[1:]}"
    if not recorded.repeated:  # a double click's first request has said it already
        messages.add_message(request, level, f"{done} {EMAIL_MESSAGES[recorded.emailed]}")
    if not then_next:
        return redirect("review:detail", reference=reference)
    if following := selectors.next_awaiting(signed_in_user(request)):
        return redirect("review:detail", reference=following)
    messages.info(request, "No other consultation is awaiting review.")
    return redirect("review:queue")


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_POST
def decide(request: HttpRequest, reference: str) -> HttpResponse:
    """Record the decision on the evaluation the practitioner saw (or say it changed)."""
    consultation = selectors.consultation_for_staff(reference)
    decidable = (ConsultationStatus.SUBMITTED, ConsultationStatus.DECIDED)
    if consultation.status not in decidable or not consultation.latest_evaluation:
        messages.error(request, "Only a submitted consultation can be decided.")
        return redirect("review:detail", reference=reference)
    form = DecisionForm(
        request.POST, consultation=consultation, evaluation=consultation.latest_evaluation
    )
    if not form.is_valid():
        if form.is_outdated() or consultation.status != ConsultationStatus.SUBMITTED:
            return _changed(request, reference, request.POST)
        return _render_detail(request, consultation, decision_form=form)
    # An outdated form, or a decided consultation, goes on too: under the row lock the service
    # tells this practitioner's double click from a real conflict.
    return _record(request, form, review_services.review_decide, done="Decision recorded.")


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_POST
def amend(request: HttpRequest, reference: str) -> HttpResponse:
    """Replace the decision in force with a new one that says why; both stay on record."""
    consultation = selectors.consultation_for_staff(reference)
    current = selectors.decision_current(consultation)
    evaluation = consultation.latest_evaluation
    if consultation.status != ConsultationStatus.DECIDED or current is None or evaluation is None:
        messages.error(request, "Only a decided consultation can be amended.")
        return redirect("review:detail", reference=reference)
    form = AmendForm(
        request.POST,
        consultation=consultation,
        evaluation=evaluation,
        current=current,
    )
    if not form.is_valid():
        if form.is_outdated():
            return _changed(request, reference, request.POST)
        return _render_detail(request, consultation, amend_form=form)
    return _record(
        request,
        form,
        review_services.decision_amend,
        done="Decision amended; the earlier decision is kept.",
        decision_id=form.cleaned_data["decision"],
        amendment_reason=form.cleaned_data["amendment_reason"],
    )


def correctable(consultation: Consultation) -> bool:
    """Answers can be corrected until the decision; after it, only the answers the patient
    was never asked can be recorded (so that an amendment can use the current rules)."""
    return consultation.status == ConsultationStatus.SUBMITTED or (
        consultation.status == ConsultationStatus.DECIDED and bool(consultation.unasked_codes)
    )
