"""Reads for the course's patient side: a check-in by its private link, where it stands, and the
course as the patient's status page shows it. Fixed query counts, like selectors.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from consultations.aftercare import AFTERCARE_VERSION, Aftercare, aftercare_for
from consultations.models import (
    CheckIn,
    CheckInKind,
    Consultation,
    Course,
    CourseStatus,
    SessionRecord,
    SessionStatus,
)

# A follow-up link still takes answers this many days after it was due; then it has expired.
FOLLOW_UP_OPEN_DAYS = 14

OPEN = "open"
ANSWERED = "answered"
CLOSED = "closed"  # cancelled: the course ended, the session was cancelled, or erasure
EXPIRED = "expired"


def check_in_by_token(token: str) -> CheckIn | None:
    """A check-in by its private token, with its session, course, consultation and patient;
    None when there is none or the patient was anonymised (the link then leads nowhere)."""
    return (
        CheckIn.objects.select_related("session__course__consultation__patient")
        .filter(token=token, session__course__consultation__patient__anonymised_at__isnull=True)
        .first()
    )


# A pre-session check-in's answers count for a session at most this long after they were
# given: a session moved (or done) further away needs a fresh check-in.
CHECK_IN_FRESH_FOR = datetime.timedelta(days=7)
# A pre-session check-in stays open this long after its session's target date, for a session
# running late (the tablet at the chair, or the emailed link); a session moved further is
# rescheduled, which asks a fresh one.
CHECK_IN_LATE_FOR = datetime.timedelta(days=14)


def pre_session_in_force(check_ins: Iterable[CheckIn]) -> CheckIn | None:
    """The session's pre-session check-in in force among `check_ins` (one not cancelled; a
    cancelled one is kept for the record, but no longer counts)."""
    return next(
        (c for c in check_ins if c.kind == CheckInKind.PRE_SESSION and c.cancelled_at is None),
        None,
    )


def check_in_counts_for(check_in: CheckIn | None, on: datetime.date) -> bool:
    """The pre-session check-in is answered, in force, and its answers were given at most
    CHECK_IN_FRESH_FOR before a session on `on` (a session moved or done later needs a fresh
    one: nothing is carried over), and not after it (answers given later cannot have been
    weighed before it)."""
    if check_in is None or check_in.answered_at is None or check_in.cancelled_at is not None:
        return False
    answered_on = timezone.localdate(check_in.answered_at)
    return on - CHECK_IN_FRESH_FOR <= answered_on <= on


def check_in_gap(check_in: CheckIn | None, on: datetime.date) -> str:
    """Why the pre-session check-in does not cover a session on `on`, in the practitioners'
    words; "" when it does."""
    if check_in is None or check_in.answered_at is None or check_in.cancelled_at is not None:
        return "The patient has not answered the check-in before this session."
    if check_in_counts_for(check_in, on):
        return ""
    answered_on = timezone.localdate(check_in.answered_at)
    when = f"{answered_on.day} {answered_on:%b %Y}"
    if answered_on > on:
        return (
            f"The patient's check-in was answered on {when}, after the session's date: its "
            "answers cannot have been weighed before the session."
        )
    return (
        f"The patient's check-in was answered on {when}, more than a week before the "
        "session: its answers no longer count."
    )


# The session key that says a check-in was opened on the clinic's tablet by a practitioner
# (review: check_in_on_tablet sets it; intake: the check-in's answers are recorded with it).
TABLET_CHECK_IN = "tablet_check_in"


def check_in_state(check_in: CheckIn, today: datetime.date | None = None) -> str:
    """Whether the check-in can still be answered: OPEN, ANSWERED, CLOSED or EXPIRED."""
    today = today or timezone.localdate()
    session = check_in.session
    if check_in.answered_at is not None:
        return ANSWERED
    if (
        check_in.cancelled_at is not None
        or session.course.status == CourseStatus.ENDED
        or session.status == SessionStatus.CANCELLED
    ):
        return CLOSED
    if check_in.kind == CheckInKind.PRE_SESSION:
        if session.status != SessionStatus.PLANNED or (
            session.target_date + CHECK_IN_LATE_FOR < today
        ):
            return EXPIRED
        if session.course.status == CourseStatus.PAUSED:
            return CLOSED
    elif today > check_in.due_on + datetime.timedelta(days=FOLLOW_UP_OPEN_DAYS):
        return EXPIRED
    return OPEN


# --- The patient's status page ------------------------------------------------------------------


@dataclass(frozen=True)
class NextCheckIn:
    """The patient's next check-in: when it is due, and its link once it can be answered."""

    kind: str
    kind_label: str
    due_on: datetime.date
    url: str


@dataclass(frozen=True)
class PatientCourse:
    """The course as the patient sees it: sessions done and to come, the next one, the
    aftercare for the last one done, the next check-in."""

    course: Course
    done: int
    planned: int
    next_date: datetime.date | None
    last_done_on: datetime.date | None
    last_care: Aftercare | None
    last_treatment: str
    next_check_in: NextCheckIn | None

    @property
    def ended(self) -> bool:
        return self.course.status == CourseStatus.ENDED

    @property
    def paused(self) -> bool:
        return self.course.status == CourseStatus.PAUSED


PATIENT_KIND_LABELS = {
    CheckInKind.PRE_SESSION: "A short safety check before your next session",
    CheckInKind.DAY_2: "How your skin is doing, 2 days after your session",
    CheckInKind.DAY_14: "How your skin is doing, 2 weeks after your session",
}


def patient_course(
    consultation: Consultation, today: datetime.date | None = None
) -> PatientCourse | None:
    """The consultation's course for its status page (three queries), or None."""
    today = today or timezone.localdate()
    course = Course.objects.select_related("decision").filter(consultation=consultation).first()
    if course is None:
        return None
    sessions = list(course.sessions.order_by("number"))
    done = [s for s in sessions if s.status == SessionStatus.DONE]
    planned = [s for s in sessions if s.status == SessionStatus.PLANNED]
    upcoming = [s for s in planned if s.target_date >= today]
    record = (
        SessionRecord.objects.filter(session__course=course, superseded_by__isnull=True)
        .order_by("-performed_on", "-pk")
        .first()
    )
    care = None
    if record is not None:
        care = aftercare_for(
            record.treatment, course.decision.aftercare_version or AFTERCARE_VERSION
        )
    return PatientCourse(
        course=course,
        done=len(done),
        planned=len(planned),
        next_date=upcoming[0].target_date if upcoming else None,
        last_done_on=record.performed_on if record else None,
        last_care=care,
        last_treatment=record.get_treatment_display() if record else "",
        next_check_in=_next_check_in(course, today),
    )


def _next_check_in(course: Course, today: datetime.date) -> NextCheckIn | None:
    if course.status == CourseStatus.ENDED:
        return None
    candidates = CheckIn.objects.select_related("session__course").filter(
        session__course=course, answered_at__isnull=True, cancelled_at__isnull=True
    )
    for check_in in candidates.order_by("due_on", "pk"):
        state = check_in_state(check_in, today)
        if state != OPEN:
            continue
        if check_in.kind == CheckInKind.PRE_SESSION and course.status == CourseStatus.PAUSED:
            continue
        due = check_in.due_on <= today
        return NextCheckIn(
            kind=check_in.kind,
            kind_label=PATIENT_KIND_LABELS[CheckInKind(check_in.kind)],
            due_on=check_in.due_on,
            url=reverse("intake:check_in", kwargs={"token": check_in.token}) if due else "",
        )
    return None
