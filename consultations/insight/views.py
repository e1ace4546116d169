"""Insight pages: analytics, the rule test bench, FHIR export and printable summaries.

Who may see what:
- analytics, printable summary: practitioners (`review_consultation`; superusers have every
  permission);
- FHIR export: practitioners who also hold `export_consultation`;
- rule test bench: clinic admins only, i.e. staff users with `consultations.view_evaluation`
  (it reads every consultation's evaluations at once, which is an admin's view, not a
  practitioner's).

The patient's own copy of their answers is a patient page: consultations/intake/views.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from clinic.auth import signed_in_user
from consultations import fhir, presenters, rules, selectors, selectors_detail, services
from consultations.insight.analytics import DateRange
from consultations.insight.forms import DateRangeForm, ReplayForm
from consultations.insight.outcome_snapshots import (
    MAX_AGE,
    snapshot_for_page,
    snapshot_pending,
)
from consultations.insight.outcomes import MIN_N
from consultations.insight.replay import replay as compute_replay
from consultations.insight.replay_outcomes import outcome_replay
from consultations.models import AccessLog
from consultations.permissions import EXPORT_PERMISSION, REVIEW_PERMISSION
from consultations.presenters import explain, free_text
from consultations.services.insight import fhir_export_record

BENCH_PERMISSION = "consultations.view_evaluation"


ViewFunction = Callable[..., HttpResponse]


def staff_permission_required(perm: str) -> Callable[[ViewFunction], ViewFunction]:
    """Login required (anonymous users go to the login page), then staff + perm, else 403."""

    def decorator(view: ViewFunction) -> ViewFunction:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not (request.user.is_staff and request.user.has_perm(perm)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@require_safe
@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
def analytics(request: HttpRequest) -> HttpResponse:
    form = DateRangeForm(request.GET or None)
    date_range = DateRange()
    if form.is_bound and form.is_valid():
        date_range = DateRange(form.cleaned_data["date_from"], form.cleaned_data["date_to"])
    # The numbers come from the task queue's latest count (outcome_snapshots.py): the page
    # reads no consultation, whatever the size of the table.
    snapshot = snapshot_for_page(date_range) if not form.errors else None
    report = snapshot.analytics if snapshot else None
    # A count asked for and not made yet; when none is while one is needed, the worker is busy
    # with others (outcome_snapshots.MAX_QUEUED_COUNTS).
    needed = not form.errors and (snapshot is None or snapshot.stale)
    pending = needed and snapshot_pending(date_range)
    return render(
        request,
        "insight/analytics.html",
        {
            "form": form,
            "counting": snapshot is None and pending,
            "busy": needed and not pending,
            "pending": pending,
            "report": report,
            "chart_data": report.chart_data() if report else None,
            "snapshot": snapshot,
            "min_n": MIN_N,
            "max_age_minutes": int(MAX_AGE.total_seconds() // 60),
        },
    )


@require_safe
@staff_permission_required(BENCH_PERMISSION)
def replay(request: HttpRequest) -> HttpResponse:
    form = ReplayForm(request.GET or None)
    report = outcomes = None
    if form.is_bound and form.is_valid():
        report = compute_replay(selectors.replayable(), since=form.cleaned_data["since"])
        outcomes = outcome_replay(selectors.replayable(), since=form.cleaned_data["since"])
    return render(
        request,
        "insight/replay.html",
        {
            "form": form,
            "report": report,
            "outcomes": outcomes,
            "ruleset_version": rules.RULESET_VERSION,
        },
    )


@require_safe
@login_required
@permission_required([REVIEW_PERMISSION, EXPORT_PERMISSION], raise_exception=True)
def fhir_export(request: HttpRequest, reference: str) -> HttpResponse:
    consultation = selectors.exportable_by_reference(reference)
    bundle = fhir.consultation_bundle(consultation)
    fhir_export_record(
        user=signed_in_user(request), consultations=[consultation], detail="staff page"
    )
    response = HttpResponse(
        json.dumps(bundle, indent=2, ensure_ascii=False),
        content_type=f"{fhir.FHIR_CONTENT_TYPE}; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{consultation.reference}.fhir.json"'
    return response


@require_safe
@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
def print_summary(request: HttpRequest, reference: str) -> HttpResponse:
    consultation = selectors.consultation_for_staff(reference)
    decision = selectors.decision_current(consultation)
    services.access_log_record(
        user=request.user, action=AccessLog.Action.PRINT, consultation=consultation
    )
    evaluation = consultation.latest_evaluation
    history = selectors_detail.history(consultation)
    card = (
        explain.mark_reasons(presenters.suggestion_card(evaluation), evaluation)
        if evaluation
        else None
    )
    return render(
        request,
        "insight/print.html",
        {
            "consultation": consultation,
            "patient": consultation.patient,
            "sections": explain.compact_sections(
                presenters.clinician_sections(consultation, history.corrections)
            ),
            "corrections": [presenters.correction_line(c) for c in history.corrections],
            "evaluation": evaluation,
            "card": card,
            "summary_line": explain.summary_line(card) if card else "",
            "facts": explain.facts(consultation),
            "free_text_alerts": free_text.free_text_alerts(consultation),
            "consent": selectors.latest_consent(consultation),
            "decision": decision,
            "decision_lines": presenters.decision_lines(decision) if decision else [],
            "printed_at": timezone.now(),
        },
    )
