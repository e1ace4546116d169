"""The review queue's rows in words: flags by severity, how long a consultation has waited
(and whether the clinic's promise to patients has passed), and the decision in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from consultations.models import Consultation, ConsultationStatus, DecisionOutcome
from consultations.presenters.review import SEVERITY_ORDER, flag_label, person_name

WEEKDAYS = 5


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after `start` up to and including `end` (0 when end <= start)."""
    total = max((end - start).days, 0)
    weeks, rest = divmod(total, 7)
    return weeks * WEEKDAYS + sum(
        1 for offset in range(1, rest + 1) if (start.weekday() + offset) % 7 < WEEKDAYS
    )


def waiting_text(since: datetime, now: datetime) -> str:
    """A wait as people say it: "40 minutes", "5 hours", "3 days"."""
    minutes = max(int((now - since).total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{hours // 24} days"


@dataclass(frozen=True)
class QueueRow:
    consultation: Consultation
    flags: list[dict[str, str]]
    waiting: str  # "" unless awaiting review
    overdue: bool  # waited more working days than patients are promised
    outcome: str  # "" unless decided
    decided_by: str
    decided_at: datetime | None
    amended: bool


def queue_row(consultation: Consultation, now: datetime, promised_days: int) -> QueueRow:
    """One row; `now` is aware and local (working days are the clinic's days)."""
    evaluation = consultation.latest_evaluation
    findings: list[tuple[str, str]] = getattr(evaluation, "flag_findings", []) if evaluation else []
    flags = [
        {"code": flag, "label": flag_label(flag), "severity": severity}
        for flag, severity in sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f[1], 9), f[0]))
    ]
    waiting, overdue = "", False
    if consultation.status == ConsultationStatus.SUBMITTED and consultation.submitted_at:
        waiting = waiting_text(consultation.submitted_at, now)
        submitted_on = consultation.submitted_at.astimezone(now.tzinfo).date()
        overdue = working_days_between(submitted_on, now.date()) > promised_days
    decision = next(iter(getattr(consultation, "decisions_in_force", [])), None)
    if decision is None or consultation.status != ConsultationStatus.DECIDED:
        return QueueRow(consultation, flags, waiting, overdue, "", "", None, False)
    outcome = DecisionOutcome(decision.outcome).label
    if decision.treatment:
        outcome = f"{outcome}: {decision.get_treatment_display()}"
    return QueueRow(
        consultation,
        flags,
        waiting,
        overdue,
        outcome,
        person_name(decision.decided_by),
        decision.decided_at,
        amended=decision.supersedes_id is not None,
    )
