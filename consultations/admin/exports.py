"""The consultations CSV export, ready for a spreadsheet in Singapore: one row per consultation,
headers and answers in words, times in the clinic's time zone, the decision in force, and
formulas neutralised. The file starts with a byte-order mark so that Excel reads it as UTF-8.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from consultations import presenters, questionnaire, rules
from consultations.models import Consultation, Decision
from consultations.presenters import person_name

BOM = "\ufeff"
# The answers, in the order the patient was asked them (the rules' codes and their follow-ups).
ANSWER_CODES: tuple[str, ...] = (
    "fitzpatrick",
    "fitzpatrick_source",
    "fitzpatrick_score",
    "sebum",
    "goals",
    "downtime_tolerance",
    *(
        q.code
        for step in questionnaire.HEALTH_STEPS
        for q in questionnaire.questions_in(step)
        if q.code in rules.ANSWER_FIELDS or q.kind == questionnaire.BOOLEAN
    ),
)


def local_time(value: datetime.datetime | None) -> str:
    """ "2026-11-30 14:05" in the clinic's time zone: sorts, and spreadsheets read it."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def csv_safe(value: object) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(consultations: QuerySet[Consultation]) -> QuerySet[Consultation]:
    """The consultations with what a row needs, in a fixed number of queries."""
    return (
        consultations.select_related("patient", "latest_evaluation")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.current().select_related("decided_by"),
                to_attr="current_decisions",
            )
        )
        .order_by("pk")
    )


def csv_header() -> list[str]:
    return [
        "Reference",
        "Status",
        "First name",
        "Last name",
        "Email",
        "Date of birth",
        "Age at submission",
        "Sent (local time)",
        "Questionnaire version",
        *(questionnaire.question(code).term for code in ANSWER_CODES),
        "Other medicines",
        "Allergies",
        "Rules' suggestion",
        "Stop flags",
        "Ruleset",
        "Decision",
        "Treatment decided",
        "Reason",
        "Decided by",
        "Decided (local time)",
        "Amended",
    ]


def _answer(consultation: Consultation, code: str) -> str:
    value: Any = getattr(consultation, code)
    if value in (None, "", []):
        return ""
    return presenters.answer_text(code, value)


def csv_row(consultation: Consultation) -> Iterable[str]:
    evaluation = consultation.latest_evaluation
    decisions: list[Decision] = getattr(consultation, "current_decisions", [])
    decision = decisions[0] if decisions else None
    flags = evaluation.output["flags"] if evaluation else []
    patient = consultation.patient
    values = [
        consultation.reference,
        consultation.get_status_display(),
        patient.first_name,
        patient.last_name,
        patient.email,
        patient.date_of_birth.isoformat() if patient.date_of_birth else "",
        consultation.age,
        local_time(consultation.submitted_at),
        consultation.questionnaire_version,
        *(_answer(consultation, code) for code in ANSWER_CODES),
        consultation.other_medicines,
        consultation.allergies,
        presenters.treatment_label(evaluation.primary) if evaluation else "",
        "; ".join(presenters.flag_label(f["code"]) for f in flags if f["severity"] == "stop"),
        evaluation.ruleset_version if evaluation else "",
        decision.get_outcome_display() if decision else "",
        decision.get_treatment_display() if decision and decision.treatment else "",
        decision.get_reason_code_display() if decision and decision.reason_code else "",
        person_name(decision.decided_by) if decision else "",
        local_time(decision.decided_at) if decision else "",
        "Yes" if decision and decision.supersedes_id else ("No" if decision else ""),
    ]
    return [csv_safe(value) for value in values]
