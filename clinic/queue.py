"""The task queue's glue: enqueue with the transaction, the schedule, and lost workers.

django-tasks (the backport of Django 6's tasks framework) with its database backend runs the
tasks (docs/decisions/0006). What it leaves to the project is here:

- `enqueue_with_transaction`: a task runs only if the transaction that asked for it commits.
  With the database backend the task's row is written in that same transaction, so it is
  committed with the records or not at all (no gap between a commit and an enqueue).
- `requeue_abandoned`: a worker killed mid-task leaves its task "running" for ever. One that
  has been running longer than TASKS_LEASE_SECONDS is made ready again (so tasks must be safe
  to run twice: an email may then go twice, never not at all), and failed after
  TASKS_MAX_ATTEMPTS workers lost it.
- `enqueue_due`: periodic tasks (settings.TASK_SCHEDULE) are enqueued once per period, by
  whichever worker gets there first (a unique row per period decides).

`manage.py worker` runs both of the latter every MAINTENANCE_SECONDS beside the worker loop.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from clinic.models import ScheduledRun

logger = logging.getLogger(__name__)

MAINTENANCE_SECONDS = 15.0
LOST = "clinic.queue.WorkerLost"


class WorkerLost(Exception):
    """The task's worker stopped (killed, or its machine gone) before the task finished."""


def enqueue_with_transaction(
    task: Task[Any, Any], *args: Any, run_after: datetime.datetime | None = None
) -> None:
    """Enqueue `task(*args)` so that it runs only once the current transaction commits."""
    if run_after is not None:
        task = task.using(run_after=run_after)
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)  # the task's row commits (or rolls back) with the transaction
    else:
        transaction.on_commit(lambda: task.enqueue(*args), robust=True)


def queued_ids(task: Task[Any, Any]) -> set[Any]:
    """The first argument (an id) of each run of `task` waiting or running: what is queued
    already. Empty with a backend other than the database's (nothing to read)."""
    if not isinstance(task.get_backend(), DatabaseBackend):
        return set()
    waiting = (
        DBTaskResult.objects.filter(
            task_path=task.module_path,
            status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING),
        )
        .order_by()
        .values_list("args_kwargs", flat=True)
    )
    return {args_kwargs["args"][0] for args_kwargs in waiting if args_kwargs.get("args")}


def requeue_abandoned(*, now: datetime.datetime | None = None) -> int:
    """Make tasks whose worker was lost ready again; how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.TASKS_LEASE_SECONDS)
    requeued = 0
    with transaction.atomic():
        stale = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        )
        for result in stale:
            if len(result.worker_ids) >= settings.TASKS_MAX_ATTEMPTS:
                result.set_failed(WorkerLost(f"{len(result.worker_ids)} workers lost this task"))
                logger.warning("Task %s failed: its workers were lost", result.id)
                continue
            result.status = TaskResultStatus.READY
            result.save(update_fields=["status"])
            requeued += 1
            logger.warning("Task %s lost its worker; it will run again", result.id)
    return requeued


def enqueue_due(*, now: float | None = None) -> list[str]:
    """Enqueue each scheduled task not yet enqueued in its current period; their names."""
    now = time.time() if now is None else now
    enqueued = []
    for name, (path, every_seconds) in settings.TASK_SCHEDULE.items():
        period = int(now // every_seconds)
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(name=name, period=period)
                enqueue_with_transaction(import_string(path))
        except IntegrityError:
            continue  # another worker enqueued it for this period
        enqueued.append(name)
        logger.info("Scheduled task %s enqueued", name)
    return enqueued


def maintain() -> None:
    """One round: lost tasks back in the queue, scheduled tasks that are due enqueued."""
    requeue_abandoned()
    enqueue_due()


class Maintenance(threading.Thread):
    """`maintain()` every MAINTENANCE_SECONDS in a daemon thread beside the worker loop."""

    def __init__(self, interval: float = MAINTENANCE_SECONDS) -> None:
        super().__init__(name="task-queue-maintenance", daemon=True)
        self.interval = interval

    def run(self) -> None:
        while True:
            close_old_connections()
            try:
                maintain()
            except Exception:  # a database outage: try again next round
                logger.exception("Task queue maintenance failed")
            finally:
                connection.close()
            time.sleep(self.interval)
