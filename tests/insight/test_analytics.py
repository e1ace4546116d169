"""The analytics page: weekly submissions, time to decision and how practitioners decide."""

from __future__ import annotations

import datetime
import json
import re
import zoneinfo
from collections import Counter

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from consultations import rules
from consultations.insight.analytics import DateRange, analytics, percentile_cont
from consultations.insight.outcome_snapshots import (
    CACHE_PREFIX,
    MAX_AGE,
    MAX_QUEUED_COUNTS,
    snapshot,
    snapshot_count,
    snapshot_request,
)
from consultations.models import (
    Consultation,
    Decision,
    DecisionOutcome,
    DecisionReason,
    EvaluationFinding,
)
from consultations.templatetags.clinic_tags import duration
from tests.factories import (
    AdminFactory,
    DecisionFactory,
    DraftConsultationFactory,
    PractitionerFactory,
    UserFactory,
    decided,
    submitted,
)
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


LOCAL = zoneinfo.ZoneInfo("Asia/Singapore")
URL = "/staff/analytics/"


def at(day: str, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=LOCAL)


def other_treatment(primary: str) -> str:
    return next(t for t in rules.TREATMENTS if t != primary)


def known_data_set() -> dict:
    """Ten decided consultations (1 to 10 hours to decide, one of them amended), two waiting,
    a draft, and one decided consultation submitted long before the others."""
    scars = {"goals": ["acne_scars"]}
    hsv = {"goals": ["acne_scars"], "hsv_history": True}
    texture = {"goals": ["texture"]}
    made = []

    def make(hours, answers, day, **decision):
        consultation = decided(hours_to_decision=hours, submitted_at=at(day), **answers, **decision)
        made.append(consultation)
        return consultation

    make(1, scars, "2026-03-02")
    make(2, scars, "2026-03-02")
    primary = made[0].latest_evaluation.primary
    assert primary != rules.DEFER
    make(
        3,
        scars,
        "2026-03-03",
        outcome=DecisionOutcome.CHANGED,
        treatment=other_treatment(primary),
        reason_code=DecisionReason.PATIENT_PREFERENCE,
    )
    amended = make(4, scars, "2026-03-04")  # accepted first, then amended to declined
    DecisionFactory(
        evaluation=amended.latest_evaluation,
        supersedes=amended.decisions.get(),
        outcome=DecisionOutcome.DECLINED,
        treatment="",
        reason_code=DecisionReason.REFER_TO_DOCTOR,
        amendment_reason="Referred after a second look.",
    )
    make(5, hsv, "2026-03-05")
    make(
        6,
        hsv,
        "2026-03-05",
        outcome=DecisionOutcome.CHANGED,
        treatment=other_treatment(made[4].latest_evaluation.primary),
        reason_code=DecisionReason.CLINICAL_JUDGEMENT,
    )
    for hours in (7, 8, 9, 10):
        make(hours, texture, "2026-03-18")
    waiting = [submitted(submitted_at=at("2026-03-18")), submitted(submitted_at=at("2026-03-19"))]
    DraftConsultationFactory()
    early = decided(hours_to_decision=100, submitted_at=at("2026-01-05"))
    return {"decided": made, "waiting": waiting, "early": early}


IN_MARCH = DateRange(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))


def test_it_counts_submissions_per_week_with_empty_weeks_as_zero():
    known_data_set()
    report = analytics(IN_MARCH)
    assert report.weeks == [
        (datetime.date(2026, 3, 2), 6),
        (datetime.date(2026, 3, 9), 0),
        (datetime.date(2026, 3, 16), 6),
    ]
    assert report.submitted == 12


def test_it_gives_the_median_and_90th_percentile_time_to_decision():
    known_data_set()
    report = analytics(IN_MARCH)
    assert report.decided == 10
    assert report.median_hours == 5.5
    assert report.p90_hours == 9.1  # percentile_cont: 9 h + 0.1 x (10 h - 9 h)


def test_without_dates_it_counts_everything():
    known_data_set()
    report = analytics()
    assert report.submitted == 13
    assert report.decided == 11
    assert report.median_hours == 6.0
    assert report.p90_hours == 10.0


def test_it_counts_current_decisions_per_suggested_treatment_with_override_reasons():
    data = known_data_set()
    report = analytics(IN_MARCH)
    expected: dict[str, Counter] = {}
    for consultation in data["decided"]:
        current = Decision.objects.get(consultation=consultation, superseded_by__isnull=True)
        counts = expected.setdefault(current.evaluation.primary, Counter())
        counts[current.outcome] += 1
        if current.reason_code:
            counts[current.reason_code] += 1
    rows = {row.key: row for row in report.by_treatment}
    assert set(rows) == set(expected)
    for primary, counts in expected.items():
        row = rows[primary]
        assert (row.accepted, row.changed, row.declined) == (
            counts["accepted"],
            counts["changed"],
            counts["declined"],
        )
        assert row.reasons == {code: counts[code] for code in DecisionReason.values if counts[code]}
    scars_primary = data["decided"][0].latest_evaluation.primary
    scars = rows[scars_primary]
    # The amended decision counts once, as declined; its first (accepted) version not at all.
    assert scars.declined >= 1
    assert scars.reasons[DecisionReason.REFER_TO_DOCTOR] == 1
    assert sum(row.total for row in report.by_treatment) == 10


def test_it_counts_decisions_per_rule_that_fired():
    data = known_data_set()
    report = analytics(IN_MARCH)
    rows = {row.key: row for row in report.by_rule}
    expected: dict[str, Counter] = {}
    for consultation in data["decided"]:
        current = Decision.objects.get(consultation=consultation, superseded_by__isnull=True)
        fired = set(
            EvaluationFinding.objects.filter(evaluation=current.evaluation).values_list(
                "rule", flat=True
            )
        )
        for rule in fired:
            expected.setdefault(rule, Counter())[current.outcome] += 1
    assert set(rows) == set(expected)
    for rule, counts in expected.items():
        assert (rows[rule].accepted, rows[rule].changed, rows[rule].declined) == (
            counts["accepted"],
            counts["changed"],
            counts["declined"],
        )
    hsv_rules = EvaluationFinding.objects.filter(flag="HSV_HISTORY").values_list("rule")
    hsv = rows[hsv_rules[0][0]]
    assert (hsv.accepted, hsv.changed, hsv.declined) == (1, 1, 0)
    assert hsv.reasons == {DecisionReason.CLINICAL_JUDGEMENT: 1}
    assert hsv.label == "R26 History of HSV (none active)"


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        (None, "–"),
        (0.25, "15 minutes"),
        (1, "1 hour"),
        (1.04, "1 hour"),
        (5.5, "5.5 hours"),
        (47.9, "47.9 hours"),
        (2054.96, "85.6 days"),
    ],
)
def test_times_to_decision_read_in_minutes_hours_or_days(hours, words):
    assert duration(hours) == words


def test_percentile_cont_interpolates_like_postgresql():
    assert percentile_cont([], 0.5) is None
    assert percentile_cont([4.0], 0.9) == 4.0
    assert percentile_cont([1, 2, 3, 4], 0.5) == 2.5
    assert percentile_cont(list(range(1, 11)), 0.9) == pytest.approx(9.1)


def counted_page(client, params: dict | None = None) -> str:
    """The page once the task queue has counted its numbers: the first look asks for the
    count (outcome_snapshots.py), the worker makes it, the next look shows it."""
    first = client.get(URL, params or {})
    assert first.status_code == 200
    assert "being counted in the background" in first.content.decode()
    run_queued_tasks()
    response = client.get(URL, params or {})
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_numbers_in_tables_and_passes_them_to_the_charts(client):
    known_data_set()
    client.force_login(PractitionerFactory())
    page = counted_page(client, {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert '<dd class="col-sm-7 col-lg-9" id="median-hours">5.5 hours</dd>' in page
    assert '<dd class="col-sm-7 col-lg-9" id="p90-hours">9.1 hours</dd>' in page
    data = json.loads(re.search(r'id="analytics-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert data["weeks"] == {
        "labels": ["2 Mar 2026", "9 Mar 2026", "16 Mar 2026"],
        "counts": [6, 0, 6],
    }
    assert (
        sum(data["treatments"]["accepted"])
        + sum(data["treatments"]["changed"])
        + sum(data["treatments"]["declined"])
        == 10
    )
    for table in ("table-weeks", "table-treatments", "table-rules"):
        assert f'id="{table}"' in page
    for chart in ("chart-weeks", "chart-treatments", "chart-rules"):
        assert re.search(rf'<canvas id="{chart}" role="img" aria-label="[^"]*table', page)


def test_the_page_loads_chart_js_from_static_files_with_no_inline_script_or_style(client):
    known_data_set()
    client.force_login(PractitionerFactory())
    page = counted_page(client)
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts
    for attributes in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes
    assert "/static/vendor/chartjs-4.6.1/chart.umd.min.js" in page
    assert "/static/insight/analytics.js" in page
    assert "style=" not in page
    assert finders.find("vendor/chartjs-4.6.1/chart.umd.min.js")
    assert finders.find("insight/analytics.js")


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "2026-03-31", "date_to": "2026-03-01"}, "date_to", "on or after"),
        ({"date_from": "not a date"}, "date_from", "Enter a valid date."),
        ({"date_to": "2026-02-30"}, "date_to", "Enter a valid date."),
    ],
)
def test_bad_dates_get_a_message_by_the_field_not_an_error_page(
    client, practitioner, params, field, message
):
    response = client.get(URL, params)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_{field}-error">' in page
    assert message in page
    assert 'id="analytics-data"' not in page


def page_queries(client) -> list[str]:
    """The SQL of one look at the page, with its numbers counted."""
    client.get(URL)  # the first staff request re-arms the idle timeout (a session write)
    counted_page(client, {"date_from": "2020-01-01"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"date_from": "2020-01-01"})
    assert response.status_code == 200
    assert 'id="analytics-counted"' in response.content.decode()
    return [query["sql"] for query in queries.captured_queries]


def test_the_page_reads_no_consultation_whatever_the_number_of_rows(client, practitioner):
    decided(hsv_history=True)
    one = page_queries(client)
    for n in range(24):
        decided(
            hours_to_decision=n + 1,
            hsv_history=n % 2 == 0,
            goals=["texture"] if n % 3 else ["acne_scars"],
        )
    assert Consultation.objects.filter(status="decided").count() == 25
    cache.clear()  # a new count for the new rows
    many = page_queries(client)
    assert len(many) == len(one)
    # The numbers come from the snapshot: no query touches the records themselves.
    for sql in many:
        assert '"consultations_' not in sql, sql


def test_a_decision_shows_once_the_next_count_is_made(client, practitioner):
    first = decided(submitted_at=at("2026-03-02"))
    assert 'id="decided-count">1<' in counted_page(client)
    decided(submitted_at=at("2026-03-03"))
    # Within MAX_AGE the page shows the count it has, with its time.
    page = client.get(URL).content.decode()
    assert 'id="decided-count">1<' in page
    assert "Counted at" in page
    assert first.reference not in page
    # Once the count is older than MAX_AGE, a look asks for a new one; the worker makes it.
    key = f"{CACHE_PREFIX}:"
    kept = cache.get(key)
    old = timezone.now() - MAX_AGE - datetime.timedelta(seconds=1)
    cache.set(key, {**kept, "counted_at": old.isoformat()})
    page = client.get(URL).content.decode()
    assert "a new count has been asked for" in page
    assert 'id="decided-count">1<' in page
    run_queued_tasks()
    assert 'id="decided-count">2<' in client.get(URL).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_worker_counts_every_number_from_one_moment(practitioner):
    # Outside a test transaction, as the worker runs it: on PostgreSQL the count opens its own
    # read-only REPEATABLE READ transaction (its first statement), so that the weekly counts,
    # the decisions and the outcomes all come from one snapshot of the database.
    known_data_set()
    with CaptureQueriesContext(connection) as queries:
        counted = snapshot_count(IN_MARCH)
    assert (counted.analytics.submitted, counted.analytics.decided) == (12, 10)
    assert snapshot(IN_MARCH) == counted
    if connection.vendor == "postgresql":
        sql = [query["sql"] for query in queries.captured_queries]
        assert sql[0] == "BEGIN"
        assert "REPEATABLE READ" in sql[1]
        # Parallel workers, off for requests (decision 0012), are allowed for the count.
        assert "SET LOCAL max_parallel_workers_per_gather = 2" in sql
        with connection.cursor() as cursor:  # the connection is left as it was found
            cursor.execute("SHOW transaction_isolation")
            assert cursor.fetchone()[0] == "read committed"
            cursor.execute("SHOW max_parallel_workers_per_gather")
            assert cursor.fetchone()[0] == "0"


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_users_without_the_review_permission_are_refused(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("user_factory", [PractitionerFactory, AdminFactory])
def test_practitioners_and_admins_see_it(client, user_factory):
    client.force_login(user_factory())
    assert client.get(reverse("insight:analytics")).status_code == 200


def test_while_the_worker_has_counts_waiting_a_new_range_waits_its_turn(client, practitioner):
    # The worker also sends the patients' emails: at most MAX_QUEUED_COUNTS counts queue up,
    # however many date ranges practitioners try.
    for month in range(1, MAX_QUEUED_COUNTS + 1):
        assert snapshot_request(DateRange(datetime.date(2026, month, 1)))
    busy = client.get(URL, {"date_from": "2026-06-01"}).content.decode()
    assert "the background worker is busy with other counts" in busy
    assert "being counted in the background" not in busy
    assert counts_queued() == MAX_QUEUED_COUNTS
    run_queued_tasks()
    # Once the worker has caught up, the next look asks, and the count is made.
    assert 'id="decided-count"' in counted_page(client, {"date_from": "2026-06-01"})
    assert counts_queued() == 0


def counts_queued() -> int:
    return DBTaskResult.objects.filter(
        task_path="consultations.insight.outcome_snapshots.outcomes_count",
        status__in=["READY", "RUNNING"],
    ).count()


def test_an_old_count_stays_on_show_while_the_worker_is_busy(client, practitioner):
    decided(submitted_at=at("2026-03-02"))
    counted_page(client)
    key = f"{CACHE_PREFIX}:"
    old = timezone.now() - MAX_AGE - datetime.timedelta(seconds=1)
    cache.set(key, {**cache.get(key), "counted_at": old.isoformat()})
    for month in range(1, MAX_QUEUED_COUNTS + 1):
        snapshot_request(DateRange(datetime.date(2026, month, 1)))
    page = client.get(URL).content.decode()
    assert 'id="decided-count">1<' in page
    assert "will be counted again later" in page
    assert "a new count has been asked for" not in page
