"""The consultations CSV export: one row per consultation, formulas neutralised."""

from __future__ import annotations

from collections.abc import Iterable

from consultations.models import (
    HEALTH_FIELDS,
    Consultation,
)

_CSV_ANSWER_FIELDS = (
    "fitzpatrick",
    "fitzpatrick_source",
    "sebum",
    "goals",
    "age",
    *HEALTH_FIELDS,
    "downtime_tolerance",
)


def csv_header() -> list[str]:
    return [
        "reference",
        "status",
        "first_name",
        "last_name",
        "email",
        "submitted_at",
        *_CSV_ANSWER_FIELDS,
        "primary_suggestion",
        "ruleset_version",
    ]


def csv_safe(value: object) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_row(consultation: Consultation) -> Iterable[str]:
    evaluation = consultation.latest_evaluation
    values = [
        consultation.reference,
        consultation.status,
        consultation.patient.first_name,
        consultation.patient.last_name,
        consultation.patient.email,
        consultation.submitted_at.isoformat() if consultation.submitted_at else "",
        *(getattr(consultation, name) for name in _CSV_ANSWER_FIELDS),
        evaluation.primary if evaluation else "",
        evaluation.ruleset_version if evaluation else "",
    ]
    return [csv_safe(" ".join(v) if isinstance(v, list) else v) for v in values]
