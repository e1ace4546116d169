"""Count the SQL queries each benchmarked request makes, through the whole middleware stack.

    python -m bench.queries   (DATABASE_URL, SECRET_KEY, ... as the bench server's)

Django's test client runs the request in-process against the bench database, and
CaptureQueriesContext records every query the connection executes (session, login, rate-limit
cache when it is the database cache, the view, the access log), with its time. Each request
runs twice; the second (warm templates and caches) is reported. Prints JSON.
"""

from __future__ import annotations

import json
import os
import secrets
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench import flows  # noqa: E402
from bench.prepare import staff_sessions  # noqa: E402
from consultations.models import Consultation, ConsultationStatus  # noqa: E402


class StatementTimer:
    """Time every SQL statement precisely (Django's query log rounds to whole milliseconds).

    Transaction control (BEGIN, COMMIT) does not pass through here: the time a COMMIT waits
    for the disk shows in the request's total only.
    """

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def counted(client: Client, method: str, path: str, data: dict | None = None) -> dict:
    """The request's queries, and where its time went: in all, and in SQL statements."""
    timer = StatementTimer()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as context, connection.execute_wrapper(timer):
        response = getattr(client, method)(path, data or {})
    return {
        "queries": len(context.captured_queries),
        "status": response.status_code,
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "sql_ms": round(timer.seconds * 1000, 1),
    }


def intake() -> dict[str, dict]:
    client = Client()
    email = f"queries-{secrets.token_hex(4)}@example.com"
    result = {"start GET": counted(client, "get", flows.START_PATH)}
    paths = [flows.START_PATH, *(reverse("intake:step", args=[s]) for s in flows.STEP_NAMES[1:])]
    for name, path, answers in zip(flows.STEP_NAMES, paths, flows.intake_steps(email), strict=True):
        result[f"{name} POST"] = counted(client, "post", path, {**answers, "action": "next"})
    result["check GET"] = counted(client, "get", reverse("intake:check"))
    result["submit POST"] = counted(client, "post", reverse("intake:submit"), flows.CONSENT)
    assert Consultation.objects.get(patient__email=email).status == ConsultationStatus.SUBMITTED
    return result


def review() -> dict[str, dict]:
    client = Client()
    # A logged-in session as the benchmark's requests carry it (bench/prepare.py).
    client.cookies[settings.SESSION_COOKIE_NAME] = staff_sessions(1)[0]
    reference = (
        Consultation.objects.filter(status=ConsultationStatus.SUBMITTED)
        .order_by("submitted_at")
        .values_list("reference", flat=True)
        .first()
    )
    return {
        "queue GET": counted(client, "get", reverse("review:queue")),
        "detail GET": counted(client, "get", reverse("review:detail", args=[reference])),
    }


def main() -> None:
    connection.ensure_connection()  # opening the connection is not part of any page
    intake(), review()  # once to compile templates and fill caches: the second run counts
    counts = {
        "consultations": Consultation.objects.count(),
        "pages": {**intake(), **review()},
    }
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
