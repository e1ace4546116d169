"""A treatment course in the practitioners' words: sessions, what was recorded, why a session
is blocked, who changed what. No queries: callers pass what course_selectors fetched."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from consultations import rules
from consultations.models import (
    AdverseEvent,
    CheckIn,
    CheckInKind,
    CourseEndReason,
    CourseEvent,
    CourseSession,
    SessionClearance,
    SessionRecord,
    SessionStatus,
    Treatment,
)
from consultations.selectors_course import check_in_counts_for, pre_session_in_force

ERYTHEMA_GRADES = {0: "none", 1: "mild", 2: "moderate", 3: "marked"}
FROSTING_GRADES = {0: "none", 1: "irregular", 2: "even pink-white", 3: "solid white"}


def block_reasons(session: CourseSession) -> list[str]:
    """Why a check-in blocked the session, one short line each (the check-in writes dicts with
    a text, or plain strings: each shown as it reads)."""
    lines = []
    for item in session.block_reasons or []:
        if isinstance(item, dict) and item.get("text"):
            label = " · ".join(str(item[key]) for key in ("rule", "flag") if item.get(key))
            lines.append(f"{item['text']} ({label})" if label else str(item["text"]))
        else:
            lines.append(str(item))
    return lines


# Codes a course event's detail may carry, in words.
_CODE_WORDS = {
    **{code: str(label).lower() for code, label in Treatment.choices},
    **{code: str(label).lower() for code, label in CourseEndReason.choices},
}


def event_detail(event: CourseEvent) -> str:
    """A course event's detail with its codes in words ("side_effect" reads "side effect")."""
    return " ".join(_CODE_WORDS.get(word, word) for word in event.detail.split())


def _number(value: Decimal | int | None) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def _parts(*pairs: tuple[str, Any, str]) -> str:
    return ", ".join(
        f"{label} {_number(v)}{unit}" for label, v, unit in pairs if v not in (None, "")
    )


def agent_label(code: str) -> str:
    return rules.PEEL_AGENT_LABELS.get(code, code)


def record_lines(record: SessionRecord) -> list[str]:
    """What was done and how the skin reacted, in clinical terms."""
    lines = []
    if record.treatment == Treatment.LASER:
        lines.append(
            _parts(
                ("device", record.laser_device, ""),
                ("wavelength", record.laser_wavelength_nm, " nm"),
                ("spot", record.laser_spot_mm, " mm"),
                ("fluence", record.laser_fluence_j_cm2, " J/cm²"),
                ("passes", record.laser_passes, ""),
            )
        )
    elif record.treatment == Treatment.CHEMICAL_PEEL:
        lines.append(
            _parts(
                ("agent", agent_label(record.peel_agent), ""),
                ("concentration", record.peel_concentration_pct, "%"),
                ("contact", record.peel_contact_minutes, " min"),
                ("layers", record.peel_layers, ""),
                ("neutralised with", record.peel_neutralisation, ""),
            )
        )
        if record.agent_override_reason:
            lines.append(f"Agent outside the allowed list: {record.agent_override_reason}")
    else:
        lines.append(
            _parts(
                ("tip", record.mda_tip, ""),
                ("vacuum", record.mda_vacuum, ""),
                ("passes", record.mda_passes, ""),
            )
        )
    reaction = (
        f"Erythema {record.erythema_grade} ({ERYTHEMA_GRADES.get(record.erythema_grade, '?')})"
    )
    if record.treatment == Treatment.CHEMICAL_PEEL:
        reaction += f", frosting {record.frosting} ({FROSTING_GRADES.get(record.frosting, '?')})"
    lines.append(f"{reaction}, pain {record.pain}/10")
    events = [
        AdverseEvent(code).label if code in AdverseEvent.values else str(code)
        for code in record.adverse_events or []
    ]
    lines.append("Adverse events: " + (", ".join(events) if events else "none"))
    if record.adverse_notes:
        lines.append(f"Adverse event notes: {record.adverse_notes}")
    if record.notes:
        lines.append(f"Notes: {record.notes}")
    return [line for line in lines if line]


@dataclass
class SessionRow:
    """One session of the course panel, with what the practitioner may do with it."""

    session: CourseSession
    record: SessionRecord | None
    earlier_records: list[SessionRecord]
    record_lines: list[str]
    reasons: list[str]
    clearances: list[SessionClearance]
    pre_check_in: CheckIn | None
    follow_ups: list[CheckIn]
    actions: set[str] = field(default_factory=set)
    # The panel's forms for this session (review/course_views.py), when it may use them.
    reschedule_form: Any = None
    clearance_form: Any = None


def session_row(
    session: CourseSession, *, course_status: str, course_blocked: bool = False
) -> SessionRow:
    """A session with its record in force (records are fetched oldest first). While any
    session of the course is blocked (`course_blocked`), none is offered for recording."""
    records = list(session.records.all())
    superseded = {r.supersedes_id for r in records if r.supersedes_id}
    current = next((r for r in reversed(records) if r.pk not in superseded), None)
    check_ins = list(session.check_ins.all())
    # The check-in in force (a cancelled one, answers kept, no longer counts).
    pre = pre_session_in_force(sorted(check_ins, key=lambda c: -c.pk))
    row = SessionRow(
        session=session,
        record=current,
        earlier_records=[r for r in records if r is not current],
        record_lines=record_lines(current) if current else [],
        reasons=block_reasons(session),
        clearances=list(session.clearances.all()),
        pre_check_in=pre,
        follow_ups=[c for c in check_ins if c.kind != CheckInKind.PRE_SESSION],
    )
    active, ended = course_status == "active", course_status == "ended"
    planned = session.status == SessionStatus.PLANNED
    if planned and not ended:
        row.actions.add("reschedule")
    if planned and session.is_blocked and not ended:
        row.actions.add("clear")
    if planned and active and not course_blocked and current is None:
        row.actions.add("record")
        if not check_in_counts_for(pre, timezone.localdate()):
            # The normal path when the patient has not answered it (or answered too long
            # ago: the tablet then asks afresh).
            row.actions.add("check_in")
    if current is not None:
        row.actions.add("amend")
    return row
