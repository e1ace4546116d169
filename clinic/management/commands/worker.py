"""`manage.py worker`: run queued tasks (emails, the retention purge) until stopped.

django-tasks-db's `db_worker`, with the project's maintenance beside it: tasks whose worker
was lost are run again, and scheduled tasks are enqueued when due (clinic/queue.py). Run one or
more next to the web server; each takes the next ready task, so more workers add throughput.
"""

from __future__ import annotations

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from clinic.queue import MAINTENANCE_SECONDS, Maintenance


class Command(db_worker.Command):
    help = "Run queued tasks; also re-run tasks whose worker was lost and enqueue scheduled ones."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--maintenance-interval",
            type=float,
            default=MAINTENANCE_SECONDS,
            help="Seconds between maintenance rounds (default: %(default)s).",
        )

    def handle(self, **options: Any) -> None:
        # With --reload the parent process only watches files; its child does the work.
        interval = options.pop("maintenance_interval")
        if not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            Maintenance(interval=interval).start()
        super().handle(**options)
