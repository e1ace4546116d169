"""The treatment course after a decision: planned from it, then managed by practitioners.

A decision (first or amended) that names a treatment plans a course: `plan_sessions` sessions
`plan_interval_weeks` apart, the first FIRST_SESSION_AFTER the decision. An amendment to
another treatment re-plans what is not done yet; an amendment to decline ends the course.
Practitioners reschedule, add maintenance sessions, pause, resume and end it early with a coded
reason. Every change is a CourseEvent and an access log row (who and when), taken under the
consultation's row lock (`locked_for_review`, which also refuses an anonymised patient), the
same lock the review and the check-ins take, so two changes never interleave.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from consultations.models import (
    AccessLog,
    CheckIn,
    Consultation,
    Course,
    CourseEndReason,
    CourseEvent,
    CourseEventKind,
    CourseSession,
    CourseStatus,
    Decision,
    SessionKind,
    SessionStatus,
    session_dates,
)
from consultations.services import access_log_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The first session's target date after the decision; the clinic reschedules as booked.
FIRST_SESSION_AFTER = datetime.timedelta(days=7)


class CourseRefused(Exception):
    """The course's state does not allow this change; the message says why (to staff)."""


def _event(course: Course, kind: str, user: User, detail: str = "", *, logged: bool = True) -> None:
    """A course event; and an access log row unless the change is part of a decision (whose
    own row says who and when)."""
    CourseEvent.objects.create(course=course, kind=kind, detail=detail[:300], by=user)
    if not logged:
        return
    access_log_record(
        user=user,
        action=AccessLog.Action.COURSE,
        consultation_id=course.consultation_id,
        patient_id=course.consultation.patient_id,
        detail=f"{kind} {detail}".strip(),
    )


def _today() -> datetime.date:
    return timezone.localdate()


def course_follow_decision(*, consultation: Consultation, decision: Decision, user: User) -> None:
    """Plan, re-plan or end the consultation's course after `decision` (called by the review
    services inside their transaction, with the consultation row locked)."""
    course = Course.objects.filter(consultation=consultation).first()
    if not decision.treatment:
        if course is not None and course.status != CourseStatus.ENDED:
            course.decision = decision
            course.save(update_fields=["decision"])
            _end(course, user, CourseEndReason.DECISION_AMENDED, "", logged=False)
        return
    assert decision.plan_sessions and decision.plan_interval_weeks
    start = timezone.localdate(decision.decided_at) + FIRST_SESSION_AFTER
    if course is None:
        course = Course.objects.create(
            consultation=consultation,
            decision=decision,
            treatment=decision.treatment,
            interval_weeks=decision.plan_interval_weeks,
        )
        _plan(course, 1, session_dates(start, decision.plan_sessions, course.interval_weeks))
        _event(
            course,
            CourseEventKind.CREATED,
            user,
            f"{decision.plan_sessions} sessions",
            logged=False,
        )
        return
    previous = course.decision
    if (decision.treatment, decision.plan_sessions, decision.plan_interval_weeks) == (
        previous.treatment,
        previous.plan_sessions,
        previous.plan_interval_weeks,
    ) and decision.treatment == course.treatment:
        # An amendment of the notes or reasons: the course follows it, its booked dates stay,
        # and a course a practitioner ended stays ended.
        course.decision = decision
        course.save(update_fields=["decision"])
        return
    # An amendment of the plan: the sessions not done yet follow the new plan; what was done
    # stays.
    done = course.sessions.filter(status=SessionStatus.DONE).count()
    _cancel_planned(course)
    course.decision = decision
    course.treatment = decision.treatment
    course.interval_weeks = decision.plan_interval_weeks
    if course.status == CourseStatus.ENDED:
        course.status, course.end_reason, course.end_notes, course.ended_at = (
            CourseStatus.ACTIVE,
            "",
            "",
            None,
        )
    course.save()
    remaining = max(decision.plan_sessions - done, 0)
    _plan(course, _next_number(course), session_dates(start, remaining, course.interval_weeks))
    _event(
        course,
        CourseEventKind.REPLANNED,
        user,
        f"{decision.treatment}, {remaining} to go",
        logged=False,
    )


def _next_number(course: Course) -> int:
    return (course.sessions.aggregate(n=Max("number"))["n"] or 0) + 1


def _plan(
    course: Course, first_number: int, dates: list[datetime.date], kind: str = SessionKind.COURSE
) -> list[CourseSession]:
    return CourseSession.objects.bulk_create(
        CourseSession(course=course, number=first_number + i, kind=kind, target_date=date)
        for i, date in enumerate(dates)
    )


def _cancel_planned(course: Course) -> None:
    """Planned sessions are cancelled with their check-ins not yet answered."""
    planned = course.sessions.filter(status=SessionStatus.PLANNED)
    CheckIn.objects.filter(
        session__in=planned, answered_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=timezone.now())
    planned.update(status=SessionStatus.CANCELLED, blocked_at=None)


def _cancel_open_check_ins(course: Course) -> None:
    """Nothing more is sent for a course that ended (follow-ups of sessions done included)."""
    CheckIn.objects.filter(
        session__course=course, answered_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=timezone.now())


def _end(course: Course, user: User, reason: str, notes: str, *, logged: bool = True) -> None:
    _cancel_planned(course)
    _cancel_open_check_ins(course)
    course.status = CourseStatus.ENDED
    course.end_reason = reason
    course.end_notes = notes
    course.ended_at = timezone.now()
    course.save(update_fields=["status", "end_reason", "end_notes", "ended_at"])
    _event(course, CourseEventKind.ENDED, user, reason, logged=logged)


def _locked_course(consultation: Consultation) -> Course:
    from consultations.services.review import locked_for_review  # review imports this module

    locked = locked_for_review(consultation)
    course = Course.objects.select_related("consultation").filter(consultation=locked).first()
    if course is None:
        raise CourseRefused("This consultation has no treatment course.")
    return course


def _open(course: Course) -> None:
    if course.status == CourseStatus.ENDED:
        raise CourseRefused("This course has ended; nothing more can be planned in it.")


@transaction.atomic
def session_reschedule(
    *,
    consultation: Consultation,
    user: User,
    session_id: int,
    target_date: datetime.date,
    move_later: bool = True,
) -> CourseSession:
    """Move a planned session; with `move_later`, the planned sessions after it move by as
    much. A pre-session check-in not sent yet is moved with it (its email goes two days
    before the new date); one answered or emailed more than a week before the new date no
    longer counts: it is cancelled (kept) and a fresh one is asked (checkins.py)."""
    course = _locked_course(consultation)
    _open(course)
    session = course.sessions.get(pk=session_id)
    if session.status != SessionStatus.PLANNED:
        raise CourseRefused("Only a planned session can be moved.")
    shift = target_date - session.target_date
    moved = [session]
    if move_later:
        moved += list(
            course.sessions.filter(status=SessionStatus.PLANNED, number__gt=session.number)
        )
    from consultations.services.checkins import pre_session_refresh  # imports this module

    for each in moved:
        each.target_date += shift
        each.save(update_fields=["target_date"])
        pre_session_refresh(each, each.target_date)
    _event(
        course,
        CourseEventKind.RESCHEDULED,
        user,
        f"session {session.number} to {target_date:%Y-%m-%d}"
        + (f" (+{len(moved) - 1} later)" if len(moved) > 1 else ""),
    )
    return session


# The pre-session check-in's email goes this long before the session's target date.
PRE_SESSION_NOTICE = datetime.timedelta(days=2)


@transaction.atomic
def maintenance_add(
    *, consultation: Consultation, user: User, target_date: datetime.date
) -> CourseSession:
    course = _locked_course(consultation)
    _open(course)
    if target_date < _today():
        raise CourseRefused("A maintenance session cannot be planned in the past.")
    (session,) = _plan(course, _next_number(course), [target_date], SessionKind.MAINTENANCE)
    _event(course, CourseEventKind.MAINTENANCE_ADDED, user, f"{target_date:%Y-%m-%d}")
    return session


@transaction.atomic
def course_pause(*, consultation: Consultation, user: User, note: str = "") -> Course:
    course = _locked_course(consultation)
    if course.status != CourseStatus.ACTIVE:
        raise CourseRefused("Only an active course can be paused.")
    course.status = CourseStatus.PAUSED
    course.save(update_fields=["status"])
    _event(course, CourseEventKind.PAUSED, user, note)
    return course


@transaction.atomic
def course_resume(*, consultation: Consultation, user: User) -> Course:
    course = _locked_course(consultation)
    if course.status != CourseStatus.PAUSED:
        raise CourseRefused("Only a paused course can be resumed.")
    course.status = CourseStatus.ACTIVE
    course.save(update_fields=["status"])
    _event(course, CourseEventKind.RESUMED, user)
    return course


@transaction.atomic
def course_end(*, consultation: Consultation, user: User, reason: str, notes: str = "") -> Course:
    """End the course (completed, or early with a coded reason): sessions not done are
    cancelled, and no more check-in emails go."""
    if reason not in CourseEndReason.values:
        raise ValueError("unknown end reason")
    notes = notes.strip()
    if reason == CourseEndReason.OTHER and not notes:
        raise ValueError("'other' needs notes")
    course = _locked_course(consultation)
    _open(course)
    _end(course, user, reason, notes)
    return course
