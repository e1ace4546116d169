"""Each benchmarked request's round trips and CPU, through the whole middleware stack.

    python -m bench.queries   (DATABASE_URL, SECRET_KEY, ... as the bench server's)

Django's test client runs the request in-process against the bench database. Per page:

- queries: every statement CaptureQueriesContext records (session, login, rate-limit cache when
  it is the database cache, the view, the access log), plus the connection health check's
  `SELECT 1`, which goes straight to the driver and which the context never sees. Before each
  request the connection is made ready as the `request_started` signal does in a server (the
  test client turns that signal off), so the health check runs as it does under gunicorn.
- cpu_ms: CPU time per request, averaged over REPEATS requests: this process's (Django, the
  forms, the rules, the templates) and the PostgreSQL backend's serving it (from its
  /proc/<pid>/stat, as both run on this machine). The wrk ratio depends on this sum. Measured
  in ROUNDS rounds of REPEATS requests, and the least round kept: the machine is shared, and
  other processes only ever add to a round (a round's CPU is this process's and its backend's
  own, but caches and cores are shared).
- ms / sql_ms: one request's wall time, and the part of it in SQL statements.

Each page runs once first (templates compiled, caches filled). The photo rows (the photo view
and a 12 MP upload) come from bench/photos.py, on a photo it stores in PHOTOS_ROOT;
`--only photos` measures those alone. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import time
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench import flows, photos  # noqa: E402
from bench.prepare import STAFF_BACKEND, _sessions, drafts, staff_sessions  # noqa: E402
from consultations.insight.analytics import DateRange  # noqa: E402
from consultations.insight.outcome_snapshots import snapshot_count  # noqa: E402
from consultations.models import Consultation, ConsultationStatus  # noqa: E402
from consultations.review import page_cache  # noqa: E402

REPEATS = int(os.environ.get("BENCH_PROFILE_REPEATS", "60"))
ROUNDS = int(os.environ.get("BENCH_PROFILE_ROUNDS", "3"))
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


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


class HealthChecks:
    """Count the connection's health checks (a `SELECT 1` sent by the driver directly)."""

    def __init__(self) -> None:
        self.count = 0
        self._is_usable = connection.is_usable

    def __call__(self) -> bool:
        self.count += 1
        return self._is_usable()


health_checks = HealthChecks()
connection.is_usable = health_checks  # type: ignore[method-assign]


def backend_ms() -> float:
    """CPU time the PostgreSQL backend serving this connection has used so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK_MS  # utime + stime


def request(send: Callable[[], HttpResponse]) -> HttpResponse:
    connection.close_if_unusable_or_obsolete()  # what request_started does in a server
    return send()


def profiled(send: Callable[[int], HttpResponse], repeats: int = REPEATS) -> dict:
    """Round trips and time of one request, and CPU per request over `repeats` more."""
    request(lambda: send(0))  # templates compiled, caches filled
    timer = StatementTimer()
    checks_before = health_checks.count
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as context, connection.execute_wrapper(timer):
        response = request(lambda: send(1))
    wall_ms = (time.perf_counter() - started) * 1000
    result = {
        "queries": len(context.captured_queries) + health_checks.count - checks_before,
        "status": response.status_code,
        "ms": round(wall_ms, 1),
        "sql_ms": round(timer.seconds * 1000, 1),
    }
    rounds = []
    for round_number in range(ROUNDS):
        db_before, app_before = backend_ms(), time.process_time()
        for n in range(repeats):
            request(lambda n=n, first=2 + round_number * repeats: send(first + n))
        app_ms = (time.process_time() - app_before) * 1000 / repeats
        rounds.append((app_ms + (backend_ms() - db_before) / repeats, app_ms))
    # The least of the rounds: other processes on the machine only ever add to a round's time.
    total_ms, app_ms = min(rounds)
    db_ms = total_ms - app_ms
    result.update(
        app_cpu_ms=round(app_ms, 2), db_cpu_ms=round(db_ms, 2), cpu_ms=round(app_ms + db_ms, 2)
    )
    return result


def intake() -> dict[str, dict]:
    tag = secrets.token_hex(4)
    client = Client()

    # One client for all the requests of a kind: a new one loads the middleware again (and
    # WhiteNoise scans the static files), which a server does once per process.
    newcomer = Client()

    def about(n: int) -> HttpResponse:
        # A new patient each time (no cookies): the first step makes a new draft.
        newcomer.cookies.clear()
        email = f"queries-{tag}-{n}@example.com"
        answers = {**flows.about_answers(email, n), "action": "next"}
        return newcomer.post(flows.START_PATH, answers)

    result = {"start GET": profiled(lambda _n: client.get(flows.START_PATH))}
    result["about POST"] = profiled(about)
    email = f"queries-{tag}@example.com"
    paths = [flows.START_PATH, *(reverse("intake:step", args=[s]) for s in flows.STEP_NAMES[1:])]
    steps = zip(flows.STEP_NAMES, paths, flows.intake_steps(email), strict=True)
    for name, path, answers in steps:
        data = {**answers, "action": "next"}
        if name == "about":
            client.post(path, data)  # this client's draft, for the steps after
            continue
        result[f"{name} POST"] = profiled(lambda _n, path=path, data=data: client.post(path, data))
    result["check GET"] = profiled(lambda _n: client.get(reverse("intake:check")))
    # Each submission its own complete draft: a resubmission takes the cheap path.
    sessions = drafts(ROUNDS * REPEATS + 2, f"q{tag}")
    submit_path = reverse("intake:submit")

    def submit(n: int) -> HttpResponse:
        newcomer.cookies.clear()
        newcomer.cookies[settings.SESSION_COOKIE_NAME] = sessions[n]
        return newcomer.post(submit_path, flows.CONSENT)

    result["submit POST"] = profiled(submit)
    client.post(submit_path, flows.CONSENT)
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
    detail = reverse("review:detail", args=[reference])
    queue = reverse("review:queue")

    def queue_after_a_change(_n: int) -> HttpResponse:
        page_cache.forget()  # as after any change to what it shows: rendered afresh
        return client.get(queue)

    return {
        # Kept rendered while nothing it shows changes (consultations/review/page_cache.py).
        "queue GET": profiled(lambda _n: client.get(queue)),
        "queue GET (after a change)": profiled(queue_after_a_change),
        "detail GET": profiled(lambda _n: client.get(detail)),
    }


EXPORTED = 25


def analytics_counted() -> float:
    """The worker's count of the analytics page's numbers for all dates, which the page shows
    (consultations/insight/outcome_snapshots.py): how long it took, in seconds."""
    started = time.perf_counter()
    snapshot_count(DateRange())
    return round(time.perf_counter() - started, 2)


def records() -> dict[str, dict]:
    """The filtered queue, analytics and the exports: each should cost the same at any size."""
    staff = Client()
    staff.cookies[settings.SESSION_COOKIE_NAME] = staff_sessions(1)[0]
    admin_user, _ = User.objects.get_or_create(username="bench-admin")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    admin = Client()
    admin.cookies[settings.SESSION_COOKIE_NAME] = _sessions(
        [
            {
                SESSION_KEY: str(admin_user.pk),
                BACKEND_SESSION_KEY: STAFF_BACKEND,
                HASH_SESSION_KEY: admin_user.get_session_auth_hash(),
            }
        ]
    )[0]
    decided = Consultation.objects.filter(status=ConsultationStatus.DECIDED).order_by("pk")
    chosen = list(decided.values_list("pk", "reference", "patient__last_name")[:EXPORTED])
    queue = reverse("review:queue")
    changelist = reverse("admin:consultations_consultation_changelist")
    selected = [pk for pk, _ref, _name in chosen]
    return {
        # Rendered each time (no kept page): these rows measure the search and the filter.
        "queue search GET": profiled(lambda _n: rendered(staff, queue, {"q": chosen[0][2]})),
        "queue stop flag GET": profiled(lambda _n: rendered(staff, queue, {"flag": "stop"})),
        "FHIR export GET (one)": profiled(
            lambda _n: admin.get(reverse("insight:fhir", args=[chosen[0][1]]))
        ),
        f"CSV export POST ({EXPORTED})": profiled(
            lambda _n: admin.post(
                changelist, {"action": "export_csv", "_selected_action": selected}
            )
        ),
        f"FHIR export POST ({EXPORTED})": profiled(
            lambda _n: admin.post(
                changelist, {"action": "export_fhir", "_selected_action": selected}
            )
        ),
        # The page with the worker's count made (main): it shows it, and reads no records.
        "analytics GET": profiled(lambda _n: analytics_page(staff)),
    }


def rendered(client: Client, path: str, query: dict[str, str]) -> HttpResponse:
    """The queue rendered afresh, as after a change to what it shows."""
    page_cache.forget()
    return client.get(path, query)


def analytics_page(client: Client) -> HttpResponse:
    response = client.get(reverse("insight:analytics"))
    assert b'id="analytics-counted"' in response.content, "the count was not made first"
    return response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["photos"], help="measure these rows alone")
    args = parser.parse_args()
    connection.ensure_connection()  # opening the connection is not part of any page
    counts: dict = {"consultations": Consultation.objects.count(), "pages": {}}
    if not args.only:
        counts["pages"].update({**intake(), **review()})
        counts["analytics_count_seconds"] = analytics_counted()
        counts["pages"].update(records())
    counts["pages"].update(photos.rows())
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
