"""The patient's check-ins around each session: the rows, created when they become due.

- Before a session: `pre_session_check_in` (get or create), its email due PRE_SESSION_NOTICE
  before the target date; the clinic's tablet opens the same check-in on the spot.
- After a session: `follow_ups_plan` creates the day-2 and day-14 check-ins when the session
  is recorded.

One check-in per session and kind (a unique constraint), so a retry or a second click finds
the same row. Sending and answering them: see docs/decisions/0008.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from consultations.models import CheckIn, CheckInKind, CourseSession
from consultations.services.course import PRE_SESSION_NOTICE

FOLLOW_UP_DAYS = {CheckInKind.DAY_2: 2, CheckInKind.DAY_14: 14}


def pre_session_check_in(session: CourseSession) -> CheckIn:
    """The session's pre-session check-in, created if it has none yet."""
    due_on = session.target_date - PRE_SESSION_NOTICE
    existing = CheckIn.objects.filter(session=session, kind=CheckInKind.PRE_SESSION).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return CheckIn.objects.create(
                session=session, kind=CheckInKind.PRE_SESSION, due_on=due_on
            )
    except IntegrityError:  # created meanwhile by another request or the scheduled task
        return CheckIn.objects.get(session=session, kind=CheckInKind.PRE_SESSION)


def follow_ups_plan(session: CourseSession, performed_on: datetime.date) -> list[CheckIn]:
    """The day-2 and day-14 follow-ups of a session performed on `performed_on` (an amended
    date moves those not sent yet)."""
    follow_ups = []
    for kind, days in FOLLOW_UP_DAYS.items():
        due_on = performed_on + datetime.timedelta(days=days)
        check_in, created = CheckIn.objects.get_or_create(
            session=session, kind=kind, defaults={"due_on": due_on}
        )
        if not created and check_in.sent_at is None and check_in.due_on != due_on:
            check_in.due_on = due_on
            check_in.save(update_fields=["due_on"])
        follow_ups.append(check_in)
    return follow_ups
