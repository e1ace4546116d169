"""The task queue in tests: run what is queued, as `manage.py worker` would, in this process.

Queued tasks are rows in the test database; nothing runs until a test says so, as nothing runs
in production until a worker takes it. `run_queued_tasks` is the worker's own task runner
(django-tasks-db's Worker.run_task) over every task that is ready now.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.db import transaction
from django_tasks import task
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

_WORKER = Worker(
    queue_names=["*"],
    interval=0,
    batch=True,
    backend_name="default",
    startup_delay=False,
    max_tasks=None,
    worker_id="tests",
    excluded_queue_names=[],
)


def run_queued_tasks(*, limit: int = 100) -> int:
    """Run every task that is ready (and those they enqueue, if ready); how many ran."""
    ran = 0
    while ran < limit:
        with transaction.atomic():
            result = DBTaskResult.objects.ready().get_locked()
            if result is None:
                return ran
            result.claim("tests")
        _WORKER.run_task(result)
        ran += 1
    raise AssertionError(f"still tasks ready after {limit}: a task that re-queues itself?")


@task()
def slow_on_first_run(marker: str) -> str:
    """A task for the worker-death test: the first run stops for a long time (and is killed
    there); a later run finds the marker and finishes at once."""
    path = Path(marker)
    if not path.exists():
        path.write_text("started")
        time.sleep(120)
    path.write_text("finished")
    return "done"
