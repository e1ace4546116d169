"""FHIR R4 resources for what followed the decision: the course, its sessions and check-ins.

Added to a consultation's bundle (consultations/fhir.py) when it has a course:

- one `CarePlan` for the course: status (active, on-hold when paused, completed, or revoked
  when it ended early, with the reason as a note), one activity per planned session with its
  target date and status, linked to the session's `Procedure` once done;
- one `Procedure` per session record in force (an amendment replaces the record it amends, and
  says so in a note with its reason): treatment, date, performer, the parameters recorded for
  the treatment and the immediate reaction as notes (and, for a session that went ahead without
  its pre-session check-in, the practitioner's override), adverse events as complications;
- one `QuestionnaireResponse` per answered check-in: the pre-session safety re-check (its
  answers by contract code) or a follow-up (day 2, day 14), part of the session's Procedure
  when there is one.

Everything comes from the prefetches of `selectors.exportable`: no query here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from consultations import fhir, rules
from consultations import questionnaire as spec
from consultations.models import (
    CheckIn,
    CheckInKind,
    Course,
    CourseEndReason,
    CourseSession,
    CourseStatus,
    SessionRecord,
    SessionStatus,
    Treatment,
)

if TYPE_CHECKING:
    from consultations.selectors import ExportableConsultation

FOLLOW_UP_QUESTIONNAIRE = "pore-treatment-follow-up"
PRE_SESSION_QUESTIONNAIRE = "pore-treatment-pre-session"
ACTIVITY_STATUS: dict[str, str] = {
    SessionStatus.PLANNED: "scheduled",
    SessionStatus.DONE: "completed",
    SessionStatus.CANCELLED: "cancelled",
}
# Follow-up answers: (field, the question as the patient read it).
FOLLOW_UP_ITEMS = (
    ("redness", "How long did the redness last?"),
    ("swelling", "Any swelling?"),
    ("breakouts", "Any breakouts (spots)?"),
    ("dark_patches", "Any dark patches?"),
    ("blisters_or_crusts", "Any blisters or crusts?"),
    ("infection_signs", "Any signs of infection (pus, heat, spreading pain)?"),
    ("satisfaction", "How happy are you with the result, from 0 to 10?"),
    ("pores_now", "How do your pores look now?"),
    ("red_flag", "Red flag raised"),
)


def _care_plan_status(course: Course) -> str:
    if course.status == CourseStatus.PAUSED:
        return "on-hold"
    if course.status == CourseStatus.ENDED:
        return "completed" if course.end_reason == CourseEndReason.COMPLETED else "revoked"
    return "active"


def _treatment(code: str) -> dict[str, Any]:
    label = Treatment(code).label
    return {"coding": [fhir._coding("treatment", code, label)], "text": label}


def in_force(records: list[SessionRecord]) -> list[SessionRecord]:
    """The records no amendment supersedes."""
    amended = {record.supersedes_id for record in records if record.supersedes_id}
    return [record for record in records if record.pk not in amended]


def parameter_lines(record: SessionRecord) -> list[str]:
    """The parameters recorded for the treatment, then the immediate reaction, in words."""
    values: list[tuple[str, object, str]] = []
    if record.treatment == "laser":
        values += [
            ("Device", record.laser_device, ""),
            ("Wavelength", record.laser_wavelength_nm, " nm"),
            ("Spot size", record.laser_spot_mm, " mm"),
            ("Fluence", record.laser_fluence_j_cm2, " J/cm²"),
            ("Passes", record.laser_passes, ""),
        ]
    elif record.treatment == "chemical_peel":
        agent = rules.PEEL_AGENT_LABELS.get(record.peel_agent, record.peel_agent)
        values += [
            ("Peel agent", agent, ""),
            ("Concentration", record.peel_concentration_pct, "%"),
            ("Contact time", record.peel_contact_minutes, " minutes"),
            ("Layers", record.peel_layers, ""),
            ("Neutralisation", record.peel_neutralisation, ""),
            ("Frosting", record.frosting, " (0 to 3)"),
        ]
    else:
        values += [
            ("Tip", record.mda_tip, ""),
            ("Vacuum", record.mda_vacuum, ""),
            ("Passes", record.mda_passes, ""),
        ]
    values += [("Erythema", record.erythema_grade, " (0 to 3)"), ("Pain", record.pain, "/10")]
    lines = [f"{name}: {value}{unit}" for name, value, unit in values if value not in (None, "")]
    if record.agent_override_reason:
        lines.append(f"Agent outside the allowed list: {record.agent_override_reason}")
    return lines


def procedure(
    record: SessionRecord, *, patient: dict[str, Any], care_plan: dict[str, Any]
) -> dict[str, Any]:
    notes = parameter_lines(record)
    if record.supersedes_id:
        notes.append(f"Amended record (replaces an earlier one): {record.amendment_reason}")
    if record.adverse_notes:
        notes.append(f"Adverse events: {record.adverse_notes}")
    if record.notes:
        notes.append(f"Practitioner's notes: {record.notes}")
    session = record.session
    if session.check_in_override:
        why = session.get_check_in_override_display()
        if session.check_in_override_notes:
            why += f": {session.check_in_override_notes}"
        notes.append(f"Went ahead without the pre-session check-in answered ({why})")
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": fhir._uuid("Procedure", record.pk),
        "status": "completed",
        "basedOn": [fhir._ref(care_plan)],
        "code": _treatment(record.treatment),
        "subject": fhir._ref(patient),
        "performedDateTime": record.performed_on.isoformat(),
        "recorder": {"display": _name(record.recorded_by)},
        "performer": [{"actor": {"display": _name(record.performed_by)}}],
        "note": [{"text": text} for text in notes],
    }
    if record.adverse_events:
        resource["complication"] = [
            {"coding": [fhir._coding("adverse-event", str(code))], "text": str(code)}
            for code in record.adverse_events
        ]
    return resource


def _name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def care_plan(
    course: Course,
    sessions: list[CourseSession],
    *,
    patient: dict[str, Any],
    request: dict[str, Any] | None,
    procedures: dict[int, dict[str, Any]],
) -> dict[str, Any]:
    label = Treatment(course.treatment).label
    activities = []
    for session in sessions:
        activity: dict[str, Any] = {
            "detail": {
                "kind": "ServiceRequest",
                "code": _treatment(course.treatment),
                "status": ACTIVITY_STATUS.get(session.status, "unknown"),
                "scheduledPeriod": {"start": session.target_date.isoformat()},
                "description": f"{session.get_kind_display()} {session.number}",
            }
        }
        if session.pk in procedures:
            activity["outcomeReference"] = [fhir._ref(procedures[session.pk])]
        activities.append(activity)
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": fhir._uuid("CarePlan", course.pk),
        "status": _care_plan_status(course),
        "intent": "plan",
        "title": f"{label} course",
        "description": f"{label}, a session every {course.interval_weeks} weeks.",
        "subject": fhir._ref(patient),
        "created": fhir._instant(course.created_at),
        "activity": activities,
    }
    if sessions:
        start = sessions[0].target_date
        period = {"start": start.isoformat()}
        # A course ended before its first planned date ends the day it started (per-1).
        if course.ended_at is not None:
            ended = course.ended_at
            period["end"] = (
                start.isoformat() if ended.date() < start else fhir._instant(course.ended_at)
            )
        resource["period"] = period
    if request is not None:
        resource["supportingInfo"] = [fhir._ref(request)]
    if course.status == CourseStatus.ENDED:
        note = f"Ended: {course.get_end_reason_display()}."
        resource["note"] = [{"text": note + (f" {course.end_notes}" if course.end_notes else "")}]
    return resource


# Answers the patient types in their own words: strings, not codes.
TYPED = frozenset(q.code for q in spec.QUESTIONS if q.kind in (spec.TEXT, spec.STRING))


def _value(value: Any, system: str) -> list[dict[str, Any]]:
    values = value if isinstance(value, list) else [value]
    answers: list[dict[str, Any]] = []
    for each in values:
        if isinstance(each, bool):
            answers.append({"valueBoolean": each})
        elif isinstance(each, int):
            answers.append({"valueInteger": each})
        elif each in (None, ""):
            continue
        elif system in TYPED:
            answers.append({"valueString": str(each)})
        else:
            answers.append({"valueCoding": fhir._coding(system, str(each))})
    return answers


def _items(check_in: CheckIn) -> list[dict[str, Any]]:
    if check_in.kind == CheckInKind.PRE_SESSION:
        pairs = [(code, code, value) for code, value in sorted(check_in.answers.items())]
    else:
        pairs = [(code, text, getattr(check_in, code)) for code, text in FOLLOW_UP_ITEMS]
    items = []
    for code, text, value in pairs:
        answers = _value(value, code)
        if answers:
            items.append({"linkId": code, "text": text, "answer": answers})
    return items


def check_in_response(
    check_in: CheckIn,
    *,
    patient: dict[str, Any],
    care_plan: dict[str, Any],
    procedure: dict[str, Any] | None,
) -> dict[str, Any]:
    name = (
        PRE_SESSION_QUESTIONNAIRE
        if check_in.kind == CheckInKind.PRE_SESSION
        else FOLLOW_UP_QUESTIONNAIRE
    )
    assert check_in.answered_at is not None
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": fhir._uuid("QuestionnaireResponse", f"check-in/{check_in.pk}"),
        "questionnaire": f"{fhir.canonical_base()}/Questionnaire/{name}",
        "status": "completed",
        "basedOn": [fhir._ref(care_plan)],
        "subject": fhir._ref(patient),
        "authored": fhir._instant(check_in.answered_at),
        "item": _items(check_in)
        or [{"linkId": "nothing_new", "text": "Nothing new since the last time"}],
    }
    if procedure is not None:
        resource["partOf"] = [fhir._ref(procedure)]
    return resource


def course_resources(
    consultation: ExportableConsultation,
    *,
    patient: dict[str, Any],
    request: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    """The CarePlan, Procedures and check-in responses of the consultation's course."""
    course: Course | None = getattr(consultation, "course", None)
    if course is None:
        return []
    sessions = list(course.sessions.all())
    procedures: dict[int, dict[str, Any]] = {}
    plan = care_plan(course, sessions, patient=patient, request=request, procedures=procedures)
    for session in sessions:
        for record in in_force(list(session.records.all())):
            procedures[session.pk] = procedure(record, patient=patient, care_plan=plan)
    # Now that the procedures exist, the plan's activities point at them.
    plan = care_plan(course, sessions, patient=patient, request=request, procedures=procedures)
    responses = [
        check_in_response(
            check_in, patient=patient, care_plan=plan, procedure=procedures.get(session.pk)
        )
        for session in sessions
        for check_in in session.check_ins.all()
        if check_in.answered_at is not None
    ]
    return [plan, *procedures.values(), *responses]
