"""Before each session the patient answers its pre-session check-in (issue #16): a session is
recorded only when that check-in is answered, in force and fresh (answered at most
CHECK_IN_FRESH_FOR before the session), or with a practitioner's explicit
override: a coded reason (answered verbally at the chair, the patient could not use the link,
other with notes), kept on the session with who and when. A blocked session needs its
clearance first whatever the override (services/sessions.py).

The normal path when the check-in is missing is the clinic's tablet (`check_in_on_tablet`):
the same check-in as the emailed link, or a fresh one when the answers given are stale.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from consultations.models import (
    AccessLog,
    CheckIn,
    CheckInKind,
    CheckInOverride,
    Consultation,
    CourseSession,
    CourseStatus,
    SessionStatus,
)
from consultations.selectors_course import check_in_gap, pre_session_in_force
from consultations.services import access_log_record
from consultations.services.checkins import pre_session_check_in, pre_session_refresh
from consultations.services.course import CourseRefused, _locked_course

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class CheckInOverrideGiven:
    """Why the session goes ahead without the patient's check-in (CheckInOverride code)."""

    reason: str
    notes: str = ""


def pre_session_of(session: CourseSession) -> CheckIn | None:
    """The session's pre-session check-in in force, read now."""
    return pre_session_in_force(
        CheckIn.objects.filter(session=session, kind=CheckInKind.PRE_SESSION).order_by("-pk")
    )


def blocking_check_in(session: CourseSession) -> CheckIn | None:
    """The check-in whose answers a clearance weighs: the session's latest answered one (it
    may have been cancelled since, when the session moved far: it still raised the block), or
    else the one in force."""
    answered = (
        CheckIn.objects.filter(
            session=session, kind=CheckInKind.PRE_SESSION, answered_at__isnull=False
        )
        .order_by("-answered_at", "-pk")
        .first()
    )
    return answered or pre_session_of(session)


def check_in_required(
    session: CourseSession,
    *,
    performed_on: datetime.date,
    override: CheckInOverrideGiven | None,
    user: User,
) -> None:
    """Refuse the record unless the check-in covers the session, or keep the override given
    (who and when) on the session. An override is not kept when it is not needed."""
    missing = check_in_gap(pre_session_of(session), performed_on)
    if not missing:
        return
    if override is None or not override.reason:
        raise CourseRefused(
            f"{missing} Ask the patient to check in on the tablet now, or record why the "
            "session goes ahead without it."
        )
    if override.reason not in CheckInOverride.values:
        raise ValueError("unknown check-in override reason")
    notes = override.notes.strip()
    if override.reason == CheckInOverride.OTHER and not notes:
        raise ValueError("an 'other' override needs notes")
    session.check_in_override = override.reason
    session.check_in_override_notes = notes
    session.check_in_override_by = user
    session.check_in_override_at = timezone.now()
    session.save(
        update_fields=[
            "check_in_override",
            "check_in_override_notes",
            "check_in_override_by",
            "check_in_override_at",
        ]
    )


@transaction.atomic
def check_in_on_tablet(*, consultation: Consultation, user: User, number: int) -> CheckIn:
    """The pre-session check-in of a planned session, for the patient to answer on the
    clinic's tablet now: the same check-in as the emailed link (created if need be), or a
    fresh one when the answers given are more than a week old."""
    course = _locked_course(consultation)
    session = course.sessions.filter(number=number).first()
    if session is None:
        raise CourseRefused("This course has no such session.")
    if course.status != CourseStatus.ACTIVE:
        raise CourseRefused(
            "This course is not active: no check-in can be started for it. Resume it first."
            if course.status == CourseStatus.PAUSED
            else "This course has ended: no check-in can be started for it."
        )
    if session.status != SessionStatus.PLANNED:
        raise CourseRefused("Only a planned session has a check-in before it.")
    if session.is_blocked:
        # What the last check-in raised waits for a practitioner's decision (0008): no new
        # check-in is made until then.
        raise CourseRefused(
            f"Session {session.number} is blocked by the patient's check-in: clear it first "
            "(proceed, change the treatment, or stop the course)."
        )
    check_in = pre_session_refresh(session, timezone.localdate()) or pre_session_check_in(session)
    access_log_record(
        user=user,
        action=AccessLog.Action.COURSE,
        consultation_id=course.consultation_id,
        patient_id=course.consultation.patient_id,
        detail=f"session {session.number} check-in on the clinic's tablet",
    )
    return check_in
