"""The analytics page as a snapshot: counted on the task queue, read by the page.

Everything the page shows reads every consultation of its date range: the weekly submissions,
the times to decision and the decisions by treatment and by rule (analytics.py) about 30 s at
1,000,000 consultations, the outcomes (outcomes.py: session records, follow-ups, cautions) as
long again, far beyond what a page may wait on the database (DB_REQUEST_TIMEOUT). So the page
shows the latest count for its date range, with the time it was made, and asks the task queue
for a new one when it is older than MAX_AGE or missing (once per PENDING, however many
practitioners look): its cost does not grow with the table (docs/decisions/0009 and 0011).

The task, `outcomes_count` (its name kept from when it counted only the outcomes: queued tasks
name it), lives here beside what it runs (consultations/tasks.py holds the records' own tasks and
imports no audience app). The worker counts in one read-only REPEATABLE READ transaction, so
that every number on the page comes from the same moment, with PostgreSQL's JIT off (compiling
those plans cost more than running them) and a statement timeout of its own. The snapshot lives
in the cache (Redis, or the database cache): aggregate numbers only, no patient data; losing it
only means a recount.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from clinic.queue import enqueue_with_transaction
from consultations.insight.analytics import Analytics, DateRange, analytics
from consultations.insight.outcomes import Outcomes, outcomes

MAX_AGE = datetime.timedelta(minutes=10)
PENDING = datetime.timedelta(minutes=5)
KEPT = datetime.timedelta(days=7)
# Counts queued or running at once, whatever the date ranges: the worker also sends the
# patients' emails, and a count at 1,000,000 consultations keeps it busy for about 20 s.
MAX_QUEUED_COUNTS = 2
# Each of the count's queries (about ten) at most this long: together within the worker's
# lease (TASKS_LEASE_SECONDS, 300 s), past which a task is taken as abandoned and run again. At
# 1,000,000 consultations the whole count takes about 20 s on the bench machine.
COUNT_STATEMENT_TIMEOUT_MS = 25_000
CACHE_PREFIX = "analytics:v2:"
QUEUED_KEY = CACHE_PREFIX + "queued"


@dataclass(frozen=True)
class Snapshot:
    analytics: Analytics
    outcomes: Outcomes
    counted_at: datetime.datetime

    @property
    def stale(self) -> bool:
        return timezone.now() - self.counted_at > MAX_AGE


def _key(date_range: DateRange) -> str:
    start = date_range.start.isoformat() if date_range.start else ""
    end = date_range.end.isoformat() if date_range.end else ""
    return f"{CACHE_PREFIX}{start}:{end}"


def snapshot(date_range: DateRange) -> Snapshot | None:
    """The latest count for the range, if there is one."""
    data = cache.get(_key(date_range))
    if not isinstance(data, dict):
        return None
    return Snapshot(
        analytics=Analytics.from_dict(date_range, data["analytics"]),
        outcomes=Outcomes.from_dict(data["outcomes"]),
        counted_at=datetime.datetime.fromisoformat(data["counted_at"]),
    )


def snapshot_count(date_range: DateRange) -> Snapshot:
    """Count the page's numbers for the range now and keep them (the task queue's work)."""
    outermost = not connection.in_atomic_block  # a test's transaction has run queries already
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if outermost:  # first in the transaction: one moment for every number
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SET LOCAL jit = off")
                # Requests run without parallel workers (decision 0012); a count of every
                # consultation is what they are for.
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
                cursor.execute(f"SET LOCAL statement_timeout = {int(COUNT_STATEMENT_TIMEOUT_MS)}")
        counted_at = timezone.now()
        counted = Snapshot(
            analytics=analytics(date_range), outcomes=outcomes(date_range), counted_at=counted_at
        )
    cache.set(
        _key(date_range),
        {
            "counted_at": counted.counted_at.isoformat(),
            "analytics": counted.analytics.to_dict(),
            "outcomes": counted.outcomes.to_dict(),
        },
        timeout=KEPT.total_seconds(),
    )
    _done(_key(date_range))
    return counted


def snapshot_request(date_range: DateRange) -> bool:
    """Ask the task queue for a new count, unless one was asked for within PENDING or
    MAX_QUEUED_COUNTS counts (of any ranges) are waiting or running; True when this call asked.
    The counts asked for are kept in the cache with their PENDING deadline (no query: the page
    reads no table for this); two looks at different ranges at the same moment can both get
    in, so the cap bounds the worker's backlog rather than being an exact number."""
    key = _key(date_range)
    if not cache.add(key + ":pending", 1, timeout=PENDING.total_seconds()):
        return False
    now = timezone.now().timestamp()
    queued = {k: until for k, until in _queued().items() if until > now}
    if len(queued) >= MAX_QUEUED_COUNTS:
        cache.delete(key + ":pending")
        return False
    queued[key] = now + PENDING.total_seconds()
    cache.set(QUEUED_KEY, queued, timeout=PENDING.total_seconds())
    enqueue_with_transaction(
        outcomes_count,
        date_range.start.isoformat() if date_range.start else None,
        date_range.end.isoformat() if date_range.end else None,
    )
    return True


def snapshot_pending(date_range: DateRange) -> bool:
    """Whether a count for the range has been asked for and not made yet."""
    return cache.get(_key(date_range) + ":pending") is not None


def _queued() -> dict[str, float]:
    queued = cache.get(QUEUED_KEY)
    return queued if isinstance(queued, dict) else {}


def _done(key: str) -> None:
    cache.delete(key + ":pending")
    queued = _queued()
    if queued.pop(key, None) is not None:
        cache.set(QUEUED_KEY, queued, timeout=PENDING.total_seconds())


@task()
def outcomes_count(date_from: str | None, date_to: str | None) -> int:
    """The task: count the analytics page's numbers for a date range (ISO dates: tasks take no
    personal data); how many session records were counted."""

    def day(value: str | None) -> datetime.date | None:
        return datetime.date.fromisoformat(value) if value else None

    return snapshot_count(DateRange(day(date_from), day(date_to))).outcomes.sessions


def snapshot_for_page(date_range: DateRange) -> Snapshot | None:
    """What the analytics page shows: the latest count (no query on the consultations), a new
    one asked for when it is missing or old."""
    latest = snapshot(date_range)
    if latest is None or latest.stale:
        snapshot_request(date_range)
    return latest
