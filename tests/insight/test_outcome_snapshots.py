"""The outcome count is asked for once, however many practitioners look at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from consultations.insight.analytics import DateRange
from consultations.insight.outcome_snapshots import (
    COUNT_STATEMENT_TIMEOUT_MS,
    snapshot,
    snapshot_for_page,
    snapshot_request,
)
from tests.tasks import run_queued_tasks

postgresql_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="concurrent requests need PostgreSQL (set DATABASE_URL)",
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_practitioners_looking_at_once_ask_for_one_count():
    start = threading.Barrier(6)
    asked: list[bool] = []

    def look() -> None:
        try:
            start.wait()
            asked.append(snapshot_request(DateRange()))
        finally:
            connection.close()

    threads = [threading.Thread(target=look) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(asked) == [False] * 5 + [True]
    assert (
        DBTaskResult.objects.filter(
            task_path="consultations.insight.outcome_snapshots.outcomes_count"
        ).count()
        == 1
    )
    run_queued_tasks()
    counted = snapshot(DateRange())
    assert counted is not None and counted.outcomes.sessions == 0
    # Counted: the next look shows it and asks for nothing more.
    assert snapshot_for_page(DateRange()) == counted
    assert (
        DBTaskResult.objects.filter(
            task_path="consultations.insight.outcome_snapshots.outcomes_count"
        ).count()
        == 1
    )


def test_a_count_that_times_out_does_so_before_the_worker_would_run_it_again():
    # About ten statements, each within COUNT_STATEMENT_TIMEOUT_MS, inside the lease after
    # which clinic/queue.py takes a running task as abandoned and queues it again.
    assert COUNT_STATEMENT_TIMEOUT_MS * 10 < settings.TASKS_LEASE_SECONDS * 1000
