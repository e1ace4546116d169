"""At the chair: a session's record (append-only, amended by a new row that supersedes, as
decisions are, 0003), and a practitioner's clearance of a session a check-in blocked. The
pre-session check-in a record needs, or its override, and the tablet: session_check_in.py.

Every write takes the consultation's row lock (`locked_for_review`, through the course
service), which also refuses an anonymised patient, and leaves an access log row. The partial
unique constraint on first records and the one-to-one `supersedes` are the database's last
guard against two records (or two amendments of one record) at the same moment.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from consultations import rules
from consultations.models import (
    AccessLog,
    AdverseEvent,
    ClearanceOutcome,
    Consultation,
    Course,
    CourseEndReason,
    CourseEventKind,
    CourseSession,
    CourseStatus,
    Evaluation,
    SessionClearance,
    SessionRecord,
    SessionStatus,
    Treatment,
)
from consultations.selectors_course import check_in_gap
from consultations.services import access_log_record
from consultations.services.checkins import follow_ups_plan
from consultations.services.course import (
    CourseRefused,
    _end,
    _event,
    _locked_course,
)
from consultations.services.session_check_in import (
    CheckInOverrideGiven,
    blocking_check_in,
    check_in_required,
    pre_session_of,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# A second identical submit this soon after the first (a double click) is the same record.
REPEAT_WINDOW = datetime.timedelta(minutes=5)


class RecordChanged(Exception):
    """The session's record changed since the practitioner's form was built; nothing saved."""


@dataclass(frozen=True)
class SessionInput:
    """What was done at the chair, as the session record form cleaned it."""

    performed_on: datetime.date
    performed_by_id: int
    treatment: str
    erythema_grade: int
    pain: int
    frosting: int = 0
    laser_device: str = ""
    laser_wavelength_nm: int | None = None
    laser_spot_mm: Decimal | None = None
    laser_fluence_j_cm2: Decimal | None = None
    laser_passes: int | None = None
    peel_agent: str = ""
    peel_concentration_pct: Decimal | None = None
    peel_contact_minutes: Decimal | None = None
    peel_layers: int | None = None
    peel_neutralisation: str = ""
    agent_override_reason: str = ""
    mda_tip: str = ""
    mda_vacuum: str = ""
    mda_passes: int | None = None
    adverse_events: tuple[str, ...] = ()
    adverse_notes: str = ""
    notes: str = ""

    def columns(self) -> dict[str, Any]:
        """The SessionRecord columns (adverse events as a sorted list)."""
        values = dataclasses.asdict(self)
        values["adverse_events"] = sorted(self.adverse_events)
        return values


def input_of(record: SessionRecord) -> SessionInput:
    """The input a stored record was made from (to tell a double click from a new record)."""
    names = [field.name for field in dataclasses.fields(SessionInput)]
    values = {name: getattr(record, name) for name in names if name != "adverse_events"}
    return SessionInput(**values, adverse_events=tuple(sorted(record.adverse_events or [])))


def _peel_agents(evaluation: Evaluation) -> tuple[str, ...]:
    for suggestion in evaluation.output.get("suggestions", []):
        if suggestion.get("treatment") == Treatment.CHEMICAL_PEEL:
            return tuple(
                agent for agent in suggestion.get("agents", []) if agent in rules.PEEL_AGENTS
            )
    return ()


def allowed_peel_agents(course: Course) -> tuple[str, ...]:
    """The peel agents (R31) both the decision's evaluation and the latest one allow: a
    check-in since (pregnancy, say) narrows them. None when either did not suggest a peel
    (every agent then needs an override)."""
    decided = _peel_agents(course.decision.evaluation)
    latest_id = course.consultation.latest_evaluation_id
    if latest_id is None or latest_id == course.decision.evaluation_id:
        return decided
    now = set(_peel_agents(Evaluation.objects.get(pk=latest_id)))
    return tuple(agent for agent in decided if agent in now)


def treatments_allowed(evaluation: Evaluation | None) -> tuple[str, ...]:
    """The treatments the evaluation did not exclude. A stop flag leaves the choice to the
    practitioner (no automatic suggestion), so what it did not exclude stays open."""
    if evaluation is None:
        return ()
    return tuple(
        suggestion["treatment"]
        for suggestion in evaluation.output.get("suggestions", [])
        if suggestion.get("treatment") in Treatment.values
    )


def _check_input(course: Course, given: SessionInput) -> None:
    """The record's invariants (the form shows them to the practitioner field by field)."""
    if given.treatment not in Treatment.values:
        raise ValueError("unknown treatment")
    if given.performed_on > timezone.localdate():
        raise ValueError("a session cannot be recorded before it happened")
    if given.treatment == Treatment.CHEMICAL_PEEL:
        if given.peel_agent not in rules.PEEL_AGENTS:
            raise ValueError("a peel needs an agent from the vocabulary")
        outside = given.peel_agent not in allowed_peel_agents(course)
        if outside and not given.agent_override_reason.strip():
            # The form says so field by field; here only when the decision changed meanwhile.
            raise CourseRefused(
                f"{rules.PEEL_AGENT_LABELS[given.peel_agent].capitalize()} is not an agent the "
                "rules allowed for this patient: choose an allowed agent, or give the reason "
                "for the override."
            )
    if not set(given.adverse_events) <= set(AdverseEvent.values):
        raise ValueError("unknown adverse event")
    if AdverseEvent.OTHER in given.adverse_events and not given.adverse_notes.strip():
        raise ValueError("an 'other' adverse event needs notes")


def _locked_session(consultation: Consultation, number: int) -> tuple[Course, CourseSession]:
    course = _locked_course(consultation)
    session = course.sessions.filter(number=number).first()
    if session is None:
        raise CourseRefused("This course has no such session.")
    return course, session


def record_current(session: CourseSession) -> SessionRecord | None:
    """The record in force: the one no later record supersedes."""
    return (
        SessionRecord.objects.filter(session=session, superseded_by__isnull=True)
        .order_by("-recorded_at", "-pk")
        .first()
    )


def _repeats(record: SessionRecord, *, user: User, given: SessionInput, reason: str) -> bool:
    """The record in force is this practitioner's identical one, made moments ago."""
    return (
        record.recorded_by_id == user.pk
        and record.amendment_reason == reason
        and input_of(record) == given
        and timezone.now() - record.recorded_at < REPEAT_WINDOW
    )


@dataclass(frozen=True)
class Recorded:
    record: SessionRecord
    # The same practitioner's double click: nothing new was stored.
    repeated: bool = False


def session_record(
    *,
    consultation: Consultation,
    user: User,
    number: int,
    given: SessionInput,
    override: CheckInOverrideGiven | None = None,
) -> Recorded:
    """Record what was done at session `number`: the session is done and its day-2 and
    day-14 follow-ups are planned. A blocked session, or a paused or ended course, is refused,
    and so is a session whose pre-session check-in does not cover it, without the
    practitioner's `override` (session_check_in.py); the same practitioner sending the same
    record again moments later gets it back."""
    try:
        with transaction.atomic():
            course, session = _locked_session(consultation, number)
            current = record_current(session)
            if current is not None:
                if _repeats(current, user=user, given=given, reason=""):
                    return Recorded(record=current, repeated=True)
                raise RecordChanged
            if course.status != CourseStatus.ACTIVE:
                raise CourseRefused(
                    f"This course is {course.get_status_display().lower()}: resume it before "
                    "recording a session."
                    if course.status == CourseStatus.PAUSED
                    else "This course has ended: no more sessions can be recorded in it."
                )
            if session.status != SessionStatus.PLANNED:
                raise CourseRefused("Only a planned session can be recorded.")
            if session.is_blocked:
                raise CourseRefused(
                    "This session is blocked by the patient's check-in: clear it first "
                    "(proceed, change the treatment, or stop the course)."
                )
            blocked = course.sessions.filter(
                status=SessionStatus.PLANNED, blocked_at__isnull=False
            ).first()
            if blocked is not None:
                # The check-in spoke of the patient, not of one date: no session of the
                # course goes ahead until a practitioner has decided on what it raised.
                raise CourseRefused(
                    f"Session {blocked.number} is blocked by the patient's check-in: clear it "
                    "first (proceed, change the treatment, or stop the course)."
                )
            _check_input(course, given)
            check_in_required(
                session, performed_on=given.performed_on, override=override, user=user
            )
            record = SessionRecord.objects.create(
                session=session, recorded_by=user, **given.columns()
            )
            session.status = SessionStatus.DONE
            session.save(update_fields=["status"])
            follow_ups_plan(session, given.performed_on)
            _logged(course, user, f"session {session.number} recorded")
    except IntegrityError:
        # Last guard: the partial unique constraint let another first record in first.
        if SessionRecord.objects.filter(
            session__course__consultation=consultation,
            session__number=number,
            supersedes__isnull=True,
        ).exists():
            raise RecordChanged from None
        raise
    return Recorded(record=record)


def session_record_amend(
    *,
    consultation: Consultation,
    user: User,
    number: int,
    record_id: int,
    given: SessionInput,
    amendment_reason: str,
) -> Recorded:
    """Replace the record in force with a new one that supersedes it and says why; both are
    kept. The follow-ups not sent yet move with an amended date (none for an ended course:
    nothing more is sent then)."""
    amendment_reason = amendment_reason.strip()
    if not amendment_reason:
        raise ValueError("an amendment needs a reason")
    try:
        with transaction.atomic():
            course, session = _locked_session(consultation, number)
            current = record_current(session)
            if current is None:
                raise CourseRefused("This session has no record to amend yet.")
            if current.supersedes_id == record_id and _repeats(
                current, user=user, given=given, reason=amendment_reason
            ):
                return Recorded(record=current, repeated=True)
            if current.pk != record_id:
                raise RecordChanged
            _check_input(course, given)
            # A new date must still be one the patient's check-in covers (unless the session
            # went ahead on a practitioner's override).
            moved = given.performed_on != current.performed_on and not session.check_in_override
            if moved and (missing := check_in_gap(pre_session_of(session), given.performed_on)):
                raise CourseRefused(
                    f"{missing} Keep the date the check-in covers, or ask an admin to correct "
                    "the record."
                )
            record = SessionRecord.objects.create(
                session=session,
                recorded_by=user,
                supersedes=current,
                amendment_reason=amendment_reason,
                **given.columns(),
            )
            if course.status != CourseStatus.ENDED:
                follow_ups_plan(session, given.performed_on)
            _logged(course, user, f"session {session.number} amended")
    except IntegrityError:
        # Last guard: `supersedes` is one-to-one, so only one amendment of a record gets in.
        if SessionRecord.objects.filter(supersedes_id=record_id).exists():
            raise RecordChanged from None
        raise
    return Recorded(record=record)


def _logged(course: Course, user: User, detail: str) -> None:
    access_log_record(
        user=user,
        action=AccessLog.Action.SESSION,
        consultation_id=course.consultation_id,
        patient_id=course.consultation.patient_id,
        detail=detail,
    )


class ClearanceChanged(Exception):
    """The session was cleared, or blocked again, since the practitioner's form was built."""


def block_mark(session: CourseSession) -> int | None:
    """The block a clearance form answers (microseconds since the epoch): a form built on an
    earlier block cannot clear a later one unseen."""
    if session.blocked_at is None:
        return None
    return int(session.blocked_at.timestamp() * 1_000_000)


@transaction.atomic
def session_clear(
    *,
    consultation: Consultation,
    user: User,
    number: int,
    block: int | None,
    outcome: str,
    reason: str,
    treatment: str = "",
) -> SessionClearance:
    """A practitioner's decision on a session a check-in blocked: proceed (with a reason),
    change the course's treatment for this and later sessions (one the latest evaluation does
    not contraindicate; no new decision), or stop the course (ended: safety stop)."""
    reason = reason.strip()
    if not reason:
        raise ValueError("a clearance needs a reason")
    if outcome not in ClearanceOutcome.values:
        raise ValueError("unknown outcome")
    if (outcome == ClearanceOutcome.CHANGE) != bool(treatment):
        raise ValueError("a change (only) names the new treatment")
    course, session = _locked_session(consultation, number)
    if course.status == CourseStatus.ENDED:
        raise CourseRefused("This course has ended: there is nothing to clear.")
    if not session.is_blocked:
        raise ClearanceChanged
    if block is not None and block_mark(session) != block:
        raise ClearanceChanged
    if outcome == ClearanceOutcome.CHANGE:
        latest = Evaluation.objects.filter(pk=course.consultation.latest_evaluation_id or 0).first()
        if treatment not in treatments_allowed(latest):
            raise CourseRefused(
                f"The latest rules' run does not allow {Treatment(treatment).label.lower()}: "
                "choose another treatment, or stop the course."
            )
        if treatment == course.treatment:
            raise CourseRefused("That is the course's treatment already: choose proceed.")
    clearance = SessionClearance.objects.create(
        session=session,
        check_in=blocking_check_in(session),
        outcome=outcome,
        treatment=treatment,
        reason=reason,
        by=user,
    )
    session.blocked_at = None
    session.save(update_fields=["blocked_at"])
    if outcome == ClearanceOutcome.CHANGE:
        before = course.treatment
        course.treatment = treatment
        course.save(update_fields=["treatment"])
        _event(
            course,
            CourseEventKind.TREATMENT_CHANGED,
            user,
            f"{before} to {treatment} from session {session.number}",
            logged=False,
        )
    elif outcome == ClearanceOutcome.STOP_COURSE:
        _end(course, user, CourseEndReason.SAFETY_STOP, "", logged=False)
    access_log_record(
        user=user,
        action=AccessLog.Action.CLEAR,
        consultation_id=course.consultation_id,
        patient_id=course.consultation.patient_id,
        detail=f"session {session.number} {outcome} {treatment}".strip(),
    )
    return clearance
