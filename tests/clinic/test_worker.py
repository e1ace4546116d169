"""`manage.py worker`: a worker killed mid-task loses nothing, and scheduled tasks are enqueued.

Real worker processes on the test database: one is killed (SIGKILL, as the kernel's
out-of-memory killer or a lost machine would) in the middle of a task; another worker runs the
task again and completes it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from bench.server import ROOT, database_url, server_env
from clinic import queue
from clinic.models import ScheduledRun
from tests.tasks import slow_on_first_run

pytestmark = pytest.mark.django_db(transaction=True)
# Worker processes need a database they can reach: SQLite's test database lives in memory.
needs_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="worker processes share the test database only on PostgreSQL (set DATABASE_URL)",
)


def start_worker(tmp_path: Path, name: str, **env: str) -> subprocess.Popen[bytes]:
    log = (tmp_path / f"{name}.log").open("wb")
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--maintenance-interval",
            "0.5",
        ],
        cwd=ROOT,
        env=server_env(database_url(connection.settings_dict), **env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@needs_postgresql
def test_a_task_whose_worker_is_killed_mid_way_is_run_again_by_another_worker(tmp_path):
    marker = tmp_path / "marker"
    result = slow_on_first_run.enqueue(str(marker))
    first = start_worker(tmp_path, "first")
    try:
        wait_for(lambda: marker.exists())  # the task is running in the first worker
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.RUNNING  # what a dead worker leaves behind

    second = start_worker(tmp_path, "second", TASKS_LEASE_SECONDS="2")
    try:
        wait_for(lambda: DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL")
    finally:
        stop(second)
    row.refresh_from_db()
    assert len(row.worker_ids) == 2  # taken by the first worker, then by the second
    assert marker.read_text() == "finished"
    assert row.return_value == "done"


def test_a_task_that_keeps_losing_its_worker_is_failed_not_run_for_ever(settings):
    settings.TASKS_MAX_ATTEMPTS = 2
    result = slow_on_first_run.enqueue("/nonexistent/marker")
    long_ago = "2000-01-01T00:00:00Z"
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=long_ago, worker_ids=["a", "b"]
    )
    assert queue.requeue_abandoned() == 0
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED" and row.exception_class_path == queue.LOST


def test_scheduled_tasks_are_enqueued_once_per_period_however_many_workers(settings):
    settings.TASK_SCHEDULE = {"purge": ("consultations.tasks.retention_purge", 3600)}
    assert queue.enqueue_due(now=7200.0) == ["purge"]
    assert queue.enqueue_due(now=7300.0) == []  # another worker, same hour
    assert queue.enqueue_due(now=10800.0) == ["purge"]  # the next hour
    assert ScheduledRun.objects.count() == 2
    paths = DBTaskResult.objects.values_list("task_path", flat=True)
    assert list(paths) == ["consultations.tasks.retention_purge"] * 2
