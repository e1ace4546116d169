"""Practitioner review: the queue, a consultation's detail, corrections, decisions, amendments.

Every view needs a login and the `consultations.review_consultation` permission (anonymous
users are sent to the login page, others get 403). Writes go through services.review, which
re-checks under a row lock that the consultation has not changed since the form was built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from consultations import rules, services
from consultations.forms.review import (
    ALL,
    FLAG_TERMS,
    GOAL_TERMS,
    HEALTH_TERMS,
    QUEUE_STATUSES,
    ROMAN,
    SEVERITY_ORDER,
    STOP,
    AmendForm,
    CorrectionForm,
    DecisionForm,
    QueueFilterForm,
    form_damaged,
    kept_input,
    posted_number,
)
from consultations.models import (
    AccessLog,
    AnswerCorrection,
    Consultation,
    ConsultationStatus,
    Decision,
    DecisionReason,
    DowntimeTolerance,
    Evaluation,
    EvaluationFinding,
    EvaluationTrigger,
    FitzpatrickSource,
    Primary,
    Sebum,
    Treatment,
)
from consultations.services import review as review_services

REVIEW_PERMISSION = "consultations.review_consultation"
PAGE_SIZE = 25

CHANGED_MESSAGE = (
    "This consultation changed while you were reviewing it: its answers were corrected, the "
    "rules ran again or another practitioner decided. Nothing was saved. Review it again; "
    "what you typed is kept below."
)
DECIDED_BEFORE_CORRECTION_MESSAGE = (
    "This consultation was decided while you were correcting it. Nothing was saved. To change "
    "the outcome, amend the decision."
)
DECIDED_MEANWHILE_MESSAGE = (
    "{who} {did} on {when}. Your choice and notes are in the amendment form below: send it "
    "only if you still want to change that decision."
)
DAMAGED_MESSAGE = (
    "This form arrived incomplete or damaged, so nothing was saved. Review the consultation "
    "again; what you typed is kept below."
)
# What became of the patient's email (Recorded.emailed): sent, refused, or not known here.
EMAIL_MESSAGES: dict[bool | None, str] = {
    True: "The patient has been emailed a link to their status page.",
    False: "The email to the patient could not be sent: their status page shows the decision, "
    "so let them know another way.",
    None: "The patient will be emailed a link to their status page.",
}


def _consultation(reference: str) -> Consultation:
    """A submitted (or later) consultation by its reference, or 404; drafts are the patient's."""
    return get_object_or_404(
        Consultation.objects.select_related("patient", "latest_evaluation").exclude(
            status=ConsultationStatus.DRAFT
        ),
        reference=reference,
    )


# --- Queue -------------------------------------------------------------------------------------


def _search(q: str) -> Q:
    """A reference (whole or part) or every word of the patient's name."""
    by_name = Q()
    for word in q.split():
        by_name &= Q(patient__first_name__icontains=word) | Q(patient__last_name__icontains=word)
    return Q(reference__icontains=q) | by_name


def _queue_rows(filters: dict[str, str]) -> tuple[QuerySet[Consultation], dict[str, int]]:
    """The filtered consultations (oldest first) and how many match in each status."""
    consultations = Consultation.objects.exclude(status=ConsultationStatus.DRAFT)
    if filters["flag"] == STOP:
        consultations = consultations.filter(latest_evaluation__has_stop_flag=True)
    elif filters["flag"]:
        consultations = consultations.filter(
            Exists(
                EvaluationFinding.objects.filter(
                    evaluation=OuterRef("latest_evaluation"), flag=filters["flag"]
                )
            )
        )
    if filters["primary"]:
        consultations = consultations.filter(latest_evaluation__primary=filters["primary"])
    if filters["q"]:
        consultations = consultations.filter(_search(filters["q"]))
    counts = consultations.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in QUEUE_STATUSES},
        **{ALL: Count("pk")},
    )
    if filters["status"] != ALL:
        consultations = consultations.filter(status=filters["status"])
    rows = (
        consultations.select_related("patient", "latest_evaluation")
        # The queue shows the primary and the flags, not the rules' whole snapshot.
        .defer("latest_evaluation__output", "latest_evaluation__answers")
        .prefetch_related(
            Prefetch(
                "latest_evaluation__findings",
                queryset=EvaluationFinding.objects.exclude(flag="").order_by("severity", "flag"),
                to_attr="flag_findings",
            )
        )
        .order_by("submitted_at", "pk")
    )
    return rows, counts


def _query_string(filters: dict[str, str], **changes: str) -> str:
    params = QueryDict(mutable=True)
    for name, value in {**filters, **changes}.items():
        if value:
            params[name] = value
    return params.urlencode()


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    """Submitted consultations, oldest first, with stop flags marked; filters and search."""
    filter_form = QueueFilterForm(request.GET)
    filters = filter_form.filters()
    rows, counts = _queue_rows(filters)
    paginator = Paginator(rows, PAGE_SIZE)
    # The per-status counts already hold the total: spare the paginator its own COUNT(*).
    paginator.count = counts[filters["status"]]
    page = paginator.get_page(request.GET.get("page"))
    for consultation in page.object_list:
        evaluation = consultation.latest_evaluation
        findings = evaluation.flag_findings if evaluation else []
        consultation.queue_flags = [
            {"code": f.flag, "label": FLAG_TERMS.get(f.flag, f.flag), "severity": f.severity}
            for f in sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.flag))
        ]
    tabs = [
        {
            "status": status,
            "label": label,
            "count": counts[status],
            "active": filters["status"] == status,
            "query": _query_string(filters, status=status, page=""),
        }
        for status, label in [*QUEUE_STATUSES.items(), (ALL, "All")]
    ]
    return render(
        request,
        "consultations/review/queue.html",
        {
            "filter_form": filter_form,
            "filters": filters,
            "page": page,
            "tabs": tabs,
            "page_query": _query_string(filters, page=""),
        },
    )


# --- Detail ------------------------------------------------------------------------------------


def suggestion_card(evaluation: Evaluation) -> dict[str, Any]:
    """The rules' output with the labels a practitioner reads; flags by severity, stop first."""
    output = evaluation.output
    flags = sorted(output["flags"], key=lambda f: SEVERITY_ORDER.get(f["severity"], 9))
    return {
        "evaluation": evaluation,
        "primary": output["primary"],
        "primary_label": Primary(output["primary"]).label,
        "is_defer": output["primary"] == rules.DEFER,
        "defer_reason": output["defer_reason"],
        "suggestions": [
            {**s, "label": Treatment(s["treatment"]).label, "is_primary": s["rank"] == 1}
            for s in output["suggestions"]
        ],
        "excluded": [{**e, "label": Treatment(e["treatment"]).label} for e in output["excluded"]],
        "flags": [{**f, "label": FLAG_TERMS.get(f["code"], f["code"])} for f in flags],
        "stop_count": sum(f["severity"] == "stop" for f in flags),
        "ruleset_version": output["ruleset_version"],
    }


def _answer_text(field: str, value: Any) -> str:
    if value is None or value == "":
        return "Not answered"
    if field == "fitzpatrick":
        return f"Type {ROMAN.get(value, value)}"
    if field == "sebum":
        return Sebum(value).label
    if field == "fitzpatrick_source":
        return FitzpatrickSource(value).label
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _row(
    label: str,
    value: str,
    *,
    field: str = "",
    notable: bool = False,
    corrections: dict[str, AnswerCorrection] | None = None,
) -> dict[str, Any]:
    correction = (corrections or {}).get(field)
    return {
        "label": label,
        "value": value,
        "notable": notable,
        "corrected_from": _answer_text(field, correction.old_value) if correction else "",
        "correction": correction,
    }


def _answer_groups(
    consultation: Consultation, corrections: list[AnswerCorrection]
) -> list[dict[str, Any]]:
    """The answers in the order the patient gave them (About you, skin, goals, health)."""
    c = consultation
    patient = c.patient
    # The patient's first answer is the oldest correction's old value; show the latest change.
    latest = {correction.field: correction for correction in corrections}
    fitzpatrick = _answer_text("fitzpatrick", c.fitzpatrick)
    details = [_answer_text("fitzpatrick_source", c.fitzpatrick_source)]
    if c.fitzpatrick_score is not None:
        details.append(f"self-test score {c.fitzpatrick_score}/40")
    if c.fitzpatrick_self_report and c.fitzpatrick_self_report != c.fitzpatrick:
        details.append(f"patient picked type {ROMAN[c.fitzpatrick_self_report]}")
    goals = [GOAL_TERMS.get(goal, goal) for goal in c.goals or []]
    return [
        {
            "title": "About the patient",
            "rows": [
                _row("Name", patient.full_name),
                _row(
                    "Date of birth",
                    f"{patient.date_of_birth:%d %b %Y} (age {c.age} at submission)",
                ),
                _row("Email", patient.email),
                _row("Phone", patient.phone or "Not given"),
            ],
        },
        {
            "title": "Skin",
            "rows": [
                _row(
                    "Fitzpatrick phototype",
                    f"{fitzpatrick} ({'; '.join(details)})",
                    field="fitzpatrick",
                    corrections=latest,
                ),
                _row(
                    "Sebum (oiliness)",
                    _answer_text("sebum", c.sebum),
                    field="sebum",
                    corrections=latest,
                ),
            ],
        },
        {
            "title": "Goals",
            "rows": [
                _row("Primary goal", goals[0] if goals else "Not answered"),
                _row("Other goals", ", ".join(goals[1:]) or "None"),
                _row(
                    "Downtime tolerance",
                    DowntimeTolerance(c.downtime_tolerance).label
                    if c.downtime_tolerance
                    else "Not answered",
                ),
                _row("Previous treatments", c.previous_treatments or "None given"),
            ],
        },
        {
            "title": "Health and medicines",
            "rows": [
                *(
                    _row(
                        term,
                        _answer_text(field, getattr(c, field)),
                        field=field,
                        notable=bool(getattr(c, field)),
                        corrections=latest,
                    )
                    for field, term in HEALTH_TERMS.items()
                ),
                _row("Other medicines", c.other_medicines or "None given"),
                _row("Allergies", c.allergies or "None given"),
            ],
        },
    ]


ANSWER_LABELS = {
    "fitzpatrick": "Fitzpatrick phototype",
    "fitzpatrick_source": "Phototype source",
    "sebum": "Sebum",
    **HEALTH_TERMS,
}
_TRIGGER_TITLES = {
    EvaluationTrigger.SUBMISSION: "Rules ran on the patient's submission",
    EvaluationTrigger.CORRECTION: "Answers corrected; rules ran again",
    EvaluationTrigger.RERUN: "Rules ran again",
}
_OUTCOME_WORDS = {
    "accepted": "Accepted the suggestion",
    "changed": "Chose another treatment",
    "declined": "Declined / referred",
}


def _timeline(
    evaluations: list[Evaluation],
    corrections: list[AnswerCorrection],
    decisions: list[Decision],
    latest_id: int | None,
) -> list[dict[str, Any]]:
    """Evaluations (with the corrections that caused them) and decisions, oldest first."""
    by_evaluation: dict[int | None, list[AnswerCorrection]] = {}
    for correction in corrections:
        by_evaluation.setdefault(correction.evaluation_id, []).append(correction)
    events: list[dict[str, Any]] = []
    for evaluation in evaluations:
        lines = [
            f"{ANSWER_LABELS.get(c.field, c.field)}: {_answer_text(c.field, c.old_value)} "
            f"→ {_answer_text(c.field, c.new_value)}"
            for c in by_evaluation.pop(evaluation.pk, [])
        ]
        notes = {c.note for c in corrections if c.evaluation_id == evaluation.pk and c.note}
        card = suggestion_card(evaluation)
        lines.append(
            f"Suggested: {card['primary_label']} · {len(card['flags'])} flag(s), "
            f"{card['stop_count']} stop · ruleset {card['ruleset_version']}"
        )
        events.append(
            {
                "at": evaluation.created_at,
                "kind": "evaluation",
                "title": _TRIGGER_TITLES.get(evaluation.trigger, "Rules ran"),
                "by": evaluation.created_by,
                "lines": lines,
                "notes": sorted(notes),
                "card": card if evaluation.pk != latest_id else None,
                "is_latest": evaluation.pk == latest_id,
            }
        )
    for loose in by_evaluation.values():  # corrections without an evaluation (none expected)
        for correction in loose:
            events.append(
                {
                    "at": correction.corrected_at,
                    "kind": "correction",
                    "title": "Answer corrected",
                    "by": correction.corrected_by,
                    "lines": [
                        f"{ANSWER_LABELS.get(correction.field, correction.field)}: "
                        f"{_answer_text(correction.field, correction.old_value)} → "
                        f"{_answer_text(correction.field, correction.new_value)}"
                    ],
                    "notes": [correction.note] if correction.note else [],
                }
            )
    for decision in decisions:
        events.append(
            {
                "at": decision.decided_at,
                "kind": "decision",
                "title": ("Decision amended" if decision.supersedes_id else "Decision recorded"),
                "by": decision.decided_by,
                "decision": decision,
                "lines": _decision_lines(decision),
                "notes": [decision.notes] if decision.notes else [],
            }
        )
    return sorted(events, key=lambda event: event["at"])


def _decision_lines(decision: Decision) -> list[str]:
    words = _OUTCOME_WORDS[decision.outcome]
    lines = [f"{words}: {decision.get_treatment_display()}" if decision.treatment else words]
    if decision.treatment and decision.plan_sessions:
        lines.append(
            f"Plan: {decision.plan_sessions} sessions, {decision.plan_interval_weeks} weeks apart"
        )
    if decision.plan_constraints:
        lines.append("Constraints: " + "; ".join(decision.plan_constraints))
    if decision.reason_code:
        lines.append(f"Reason: {DecisionReason(decision.reason_code).label}")
    if decision.override_excluded:
        lines.append("Override: the rules had excluded this treatment")
    if decision.amendment_reason:
        lines.append(f"Why amended: {decision.amendment_reason}")
    return lines


def _render_detail(
    request: HttpRequest,
    consultation: Consultation,
    *,
    decision_form: DecisionForm | None = None,
    amend_form: AmendForm | None = None,
    kept: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The detail page; each rendering shows patient data, so each is logged."""
    evaluations = list(
        consultation.evaluations.select_related("created_by").order_by("created_at", "pk")
    )
    corrections = list(
        consultation.corrections.select_related("corrected_by").order_by("corrected_at", "pk")
    )
    decisions = list(
        consultation.decisions.select_related("decided_by").order_by("decided_at", "pk")
    )
    current = review_services.decision_current(consultation)
    evaluation = consultation.latest_evaluation
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
        "consultations/review/detail.html",
        {
            "consultation": consultation,
            "patient": consultation.patient,
            "card": suggestion_card(evaluation) if evaluation else None,
            "answer_groups": _answer_groups(consultation, corrections),
            "timeline": _timeline(
                evaluations, corrections, decisions, evaluation.pk if evaluation else None
            ),
            "current_decision": current,
            "current_lines": _decision_lines(current) if current else [],
            "decision_form": decision_form,
            "amend_form": amend_form,
            "amend_open": bool(kept) or (amend_form is not None and amend_form.is_bound),
            "can_correct": consultation.status == ConsultationStatus.SUBMITTED,
        },
        status=status,
    )


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_safe
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The answers, the explained suggestion, the history, and the decision form."""
    return _render_detail(request, _consultation(reference))


def _name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def _tell_what_changed(request: HttpRequest, consultation: Consultation, data: QueryDict) -> None:
    """Name the answers corrected after the evaluation the practitioner's form was built on."""
    seen = posted_number(data.get("evaluation"))
    if seen is None:
        return
    corrections = AnswerCorrection.objects.filter(
        consultation=consultation, evaluation_id__gt=seen
    ).select_related("corrected_by")
    changes = [
        f"{ANSWER_LABELS.get(c.field, c.field)}: {_answer_text(c.field, c.old_value)} → "
        f"{_answer_text(c.field, c.new_value)} ({_name(c.corrected_by)})"
        for c in corrections.order_by("corrected_at", "pk")
    ]
    if changes:
        messages.info(request, "Corrected since you opened it: " + "; ".join(changes) + ".")


def _tell_who_decided(request: HttpRequest, consultation: Consultation) -> None:
    """Name who decided (or last amended) the consultation, and when."""
    current = review_services.decision_current(consultation)
    if current is None:
        return
    who = (
        "You"
        if current.decided_by_id == request.user.pk
        else f"Another practitioner, {_name(current.decided_by)},"
    )
    did = "amended the decision" if current.supersedes_id else "decided this consultation"
    when = date_format(timezone.localtime(current.decided_at), "j M Y, H:i")
    messages.warning(request, DECIDED_MEANWHILE_MESSAGE.format(who=who, did=did, when=when))


def _changed(request: HttpRequest, reference: str, data: QueryDict) -> HttpResponse:
    """The consultation changed under the practitioner (or their form arrived damaged): show it
    afresh with their input kept."""
    consultation = _consultation(reference)
    if form_damaged(data):
        messages.error(request, DAMAGED_MESSAGE)
        return _render_detail(request, consultation, kept=kept_input(data), status=400)
    messages.error(request, CHANGED_MESSAGE)
    _tell_what_changed(request, consultation, data)
    if consultation.status == ConsultationStatus.DECIDED:
        _tell_who_decided(request, consultation)
    return _render_detail(request, consultation, kept=kept_input(data), status=409)


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
            user=request.user,
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
    messages.add_message(request, level, f"{done} {EMAIL_MESSAGES[recorded.emailed]}")
    return redirect("review:detail", reference=reference)


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_POST
def decide(request: HttpRequest, reference: str) -> HttpResponse:
    """Record the decision on the evaluation the practitioner saw (or say it changed)."""
    consultation = _consultation(reference)
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
    consultation = _consultation(reference)
    current = review_services.decision_current(consultation)
    if consultation.status != ConsultationStatus.DECIDED or current is None:
        messages.error(request, "Only a decided consultation can be amended.")
        return redirect("review:detail", reference=reference)
    form = AmendForm(
        request.POST,
        consultation=consultation,
        evaluation=consultation.latest_evaluation,
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


def _correction_kept(data: QueryDict) -> dict[str, Any]:
    kept: dict[str, Any] = {
        name: data[name] for name in ("fitzpatrick", "sebum", "note") if name in data
    }
    kept.update({field: field in data for field in rules.BOOLEAN_FIELDS})
    return kept


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def correct(request: HttpRequest, reference: str) -> HttpResponse:
    """Correct answers after examination; the rules run again as a new evaluation."""
    consultation = _consultation(reference)
    if consultation.status != ConsultationStatus.SUBMITTED:
        messages.error(
            request,
            "This consultation has been decided, so its answers can no longer be corrected. "
            "To change the outcome, amend the decision."
            if consultation.status == ConsultationStatus.DECIDED
            else "Only a submitted consultation can be corrected.",
        )
        return redirect("review:detail", reference=reference)
    status = 200
    if request.method != "POST":
        form = CorrectionForm(consultation=consultation)
    else:
        form = CorrectionForm(request.POST, consultation=consultation)
        try:
            if posted_number(request.POST.get("lock_version")) != consultation.lock_version:
                raise review_services.ConsultationChanged
            if form.is_valid():
                before = consultation.latest_evaluation
                evaluation = review_services.correction_apply(
                    consultation=consultation,
                    user=request.user,
                    lock_version=form.cleaned_data["lock_version"],
                    changes=form.changes(),
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _corrected_message(before, evaluation))
                return redirect("review:detail", reference=reference)
        except review_services.ConsultationChanged:
            consultation = _consultation(reference)
            if consultation.status != ConsultationStatus.SUBMITTED:
                messages.error(request, DECIDED_BEFORE_CORRECTION_MESSAGE)
                return redirect("review:detail", reference=reference)
            damaged = form_damaged(request.POST)
            messages.error(request, DAMAGED_MESSAGE if damaged else CHANGED_MESSAGE)
            form = CorrectionForm(consultation=consultation, initial=_correction_kept(request.POST))
            status = 400 if damaged else 409
        except review_services.NothingChanged as exc:
            form.add_error(None, str(exc))
        except review_services.ReviewRefused as exc:
            messages.error(request, str(exc))
            return redirect("review:detail", reference=reference)
    return render(
        request,
        "consultations/review/correct.html",
        {"consultation": consultation, "patient": consultation.patient, "form": form},
        status=status,
    )


def _corrected_message(before: Evaluation | None, after: Evaluation) -> str:
    message = "Answers corrected and the rules ran again."
    if before is not None and before.primary != after.primary:
        message += (
            f" The suggestion changed from {before.get_primary_display()} "
            f"to {after.get_primary_display()}."
        )
    else:
        message += f" The suggestion is still {after.get_primary_display()}."
    return message
