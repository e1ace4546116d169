"""The check-ins' emails, on the task queue's schedule (settings.TASK_SCHEDULE, every
CHECK_IN_EMAILS_EVERY_MINUTES): `check_ins_send_due`, run by `tasks.check_ins_send_due`.

Each run (a) creates the pre-session check-in of every planned, unblocked session of an active
course whose target date is within PRE_SESSION_NOTICE, and (b) queues the email of every
check-in that is due and not sent, answered or cancelled, marking it sent in the same
transaction as its OutboundEmail row. The rows are claimed with `select_for_update(skip_locked)`
and only unsent ones are read, so two workers running at once never queue one twice, and a run
repeated in the same period finds nothing more to do. Nothing goes for a course that ended, a
pre-session check-in of a paused course, or an anonymised patient; the email carries only the
private link, built when it is sent (services/outbox.py).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from consultations.models import (
    CheckIn,
    CheckInKind,
    CourseSession,
    CourseStatus,
    EmailKind,
    SessionStatus,
)
from consultations.selectors_course import CHECK_IN_FRESH_FOR, FOLLOW_UP_OPEN_DAYS
from consultations.services import outbox
from consultations.services.checkins import pre_session_check_in, pre_session_refresh
from consultations.services.course import PRE_SESSION_NOTICE
from consultations.services.review import ReviewRefused, locked_for_review

logger = logging.getLogger(__name__)

# Check-ins claimed per transaction: a run with many due ones commits as it goes.
BATCH = 100


@dataclass(frozen=True)
class SendReport:
    """What one run did: pre-session check-ins created, emails queued."""

    created: int
    queued: int


def check_ins_send_due(*, now: datetime.datetime | None = None) -> SendReport:
    """Create the pre-session check-ins now due and queue every due check-in's email once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    created = _pre_session_create(today)
    queued = 0
    while True:
        with transaction.atomic():
            claimed = list(_due(today).select_for_update(of=("self",), skip_locked=True)[:BATCH])
            for check_in in claimed:
                _queue_email(check_in, now)
        queued += len(claimed)
        if len(claimed) < BATCH:
            break
    if created or queued:
        logger.info("Check-ins: %d created, %d emails queued", created, queued)
    return SendReport(created=created, queued=queued)


def _pre_session_create(today: datetime.date) -> int:
    """The pre-session check-in of each planned, unblocked session of an active course that
    is within the notice period (and not past), each under its consultation's row lock. One
    answered too long before the session (on the tablet at an earlier visit) no longer counts:
    a fresh one is made, and emailed (checkins.pre_session_refresh)."""
    in_force = CheckIn.objects.filter(
        session=OuterRef("pk"), kind=CheckInKind.PRE_SESSION, cancelled_at__isnull=True
    )
    sessions = (
        CourseSession.objects.filter(
            status=SessionStatus.PLANNED,
            blocked_at__isnull=True,
            target_date__gte=today,
            target_date__lte=today + PRE_SESSION_NOTICE,
            course__status=CourseStatus.ACTIVE,
            course__consultation__patient__anonymised_at__isnull=True,
        )
        # One asked and not answered yet needs nothing more.
        .exclude(Exists(in_force.filter(answered_at__isnull=True)))
        .annotate(answered_at=Subquery(in_force.values("answered_at")[:1]))
    )
    created = 0
    for session in sessions.select_related("course__consultation").order_by("pk"):
        answered_at = session.answered_at
        if answered_at is not None and (
            timezone.localdate(answered_at) >= session.target_date - CHECK_IN_FRESH_FOR
        ):
            continue  # answered, and still counts for the session
        with transaction.atomic():
            try:
                locked_for_review(session.course.consultation)
            except ReviewRefused:  # anonymised meanwhile
                continue
            fresh = CourseSession.objects.select_related("course").get(pk=session.pk)
            if (
                fresh.status != SessionStatus.PLANNED
                or fresh.blocked_at is not None
                or fresh.course.status != CourseStatus.ACTIVE
            ):
                continue
            kept = pre_session_refresh(fresh, fresh.target_date)
            if kept is None:  # none yet
                pre_session_check_in(fresh)
                created += 1
            elif kept.answered_at is None:  # a stale one replaced by a fresh one
                created += 1
    return created


def _due(today: datetime.date):  # -> QuerySet[CheckIn]
    """Check-ins whose email is due and not sent (the partial index `checkin_unsent_idx`)."""
    return (
        CheckIn.objects.filter(
            sent_at__isnull=True,
            cancelled_at__isnull=True,
            answered_at__isnull=True,
            due_on__lte=today,
            session__course__consultation__patient__anonymised_at__isnull=True,
        )
        .exclude(session__course__status=CourseStatus.ENDED)
        .filter(
            # Before a session: only while the course is active and the session still ahead.
            Q(
                kind=CheckInKind.PRE_SESSION,
                session__course__status=CourseStatus.ACTIVE,
                session__status=SessionStatus.PLANNED,
                session__target_date__gte=today,
            )
            # After one: only while its link is still open (a session recorded late gets no
            # email for a follow-up that has already closed).
            | Q(
                kind__in=[CheckInKind.DAY_2, CheckInKind.DAY_14],
                due_on__gte=today - datetime.timedelta(days=FOLLOW_UP_OPEN_DAYS),
            )
        )
        .select_related("session__course__consultation")
        .order_by("due_on", "pk")
    )


def _queue_email(check_in: CheckIn, now: datetime.datetime) -> None:
    kind = (
        EmailKind.CHECK_IN_PRE_SESSION
        if check_in.kind == CheckInKind.PRE_SESSION
        else EmailKind.CHECK_IN_FOLLOW_UP
    )
    outbox.email_queue(
        kind=kind, consultation=check_in.session.course.consultation, check_in=check_in
    )
    CheckIn.objects.filter(pk=check_in.pk).update(sent_at=now)
