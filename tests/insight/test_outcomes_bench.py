"""The outcome analytics at a chain's size: bench/fill.py copies the courses in proportion, and
the benchmark measures the analytics page (its row in `make bench`)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from bench import analytics, fill
from bench.server import ROOT, database_url, server_env
from consultations.insight.outcomes import outcomes
from consultations.models import CheckIn, Consultation, Course, SessionRecord

postgresql_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="bench/fill.py and the benchmark run on PostgreSQL",
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_fill_copies_courses_sessions_records_and_check_ins_in_proportion(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--consultations", "120", "--seed", "3", stdout=StringIO())
    before = {
        model: model.objects.count() for model in (Consultation, Course, SessionRecord, CheckIn)
    }
    report = outcomes()
    assert before[SessionRecord] > 0

    fill.fill(database_url(connection.settings_dict), 360)

    assert {model: model.objects.count() for model in before} == {
        model: 3 * n for model, n in before.items()
    }
    assert CheckIn.objects.values("token").distinct().count() == before[CheckIn] * 3
    grown = outcomes()
    assert grown.sessions == 3 * report.sessions
    assert grown.treated.n == 3 * report.treated.n
    assert grown.courses_completed == 3 * report.courses_completed


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_benchmark_measures_the_analytics_page():
    """`make bench` counts its queries (bench/queries.py's "analytics GET" row);
    `python -m bench.analytics` measures that row alone, as here."""
    call_command(
        "seed_demo",
        "--consultations",
        "40",
        "--seed",
        "3",
        "--allow-demo-logins",
        stdout=StringIO(),
    )
    url = database_url(connection.settings_dict)

    row = analytics.page(url, server_env(url))

    assert row["status"] == 200
    assert row["queries"] > 0 and row["cpu_ms"] > 0
    assert '"analytics GET"' in (ROOT / "bench" / "queries.py").read_text()
