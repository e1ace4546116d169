"""The photo rows of `make bench` (bench/photos.py), on a tiny database so that they cannot
break unseen: in-process (bench/queries.py), under wrk against a real gunicorn (bench/run.py's
pages table), and the upload's CPU budget in the report."""

from __future__ import annotations

import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from bench import photos, run
from bench.server import database_url, gunicorn, server_env
from bench.wrk import run_wrk

postgresql_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the benchmark runs on PostgreSQL (and reads its backends' CPU time)",
)


def seeded(tmp_path) -> tuple[str, dict[str, str]]:
    """A tiny seeded clinic, and the environment the bench gives its processes."""
    call_command(
        "seed_demo",
        "--consultations",
        "12",
        "--seed",
        "3",
        "--allow-demo-logins",
        stdout=StringIO(),
    )
    url = database_url(connection.settings_dict)
    return url, server_env(url, PHOTOS_ROOT=str(tmp_path / "photos"), **photos.UNLIMITED)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_query_table_measures_the_photo_view_and_an_upload(tmp_path):
    url, env = seeded(tmp_path)
    env.update(BENCH_PROFILE_REPEATS="2", BENCH_PROFILE_ROUNDS="1", BENCH_PHOTOS_UPLOAD_REPEATS="1")

    counts = run.count_queries(url, env, "--only", "photos")

    pages = counts["pages"]
    assert list(pages) == list(photos.ROWS)
    assert {name: row["status"] for name, row in pages.items()} == {
        photos.DISPLAY: 200,
        photos.FULL: 200,
        photos.THUMBNAIL: 200,
        photos.LINK: 200,
        photos.UPLOAD: 302,  # to the check page: the photo was taken
    }
    assert all(row["queries"] > 0 and row["cpu_ms"] > 0 for row in pages.values())
    upload = pages[photos.UPLOAD]
    assert 0 < upload["clean_cpu_ms"] <= upload["app_cpu_ms"] * 1.5
    assert upload["upload_bytes"] > 3_000_000  # a 12 MP phone photo, not a toy
    # The photo, its thumbnail and display copy in the bench's storage, and the last retake.
    assert len(list((tmp_path / "photos").rglob("*.jpg"))) >= 4
    # The display copy the pages open is a fraction of the 12 MP original.
    assert pages[photos.DISPLAY]["bytes"] < pages[photos.FULL]["bytes"] / 3

    report = "\n".join(photos.upload_report({"big": counts}, [("big", 12)]))
    assert "### Photo upload, against its CPU budget" in report
    assert f"| 12 | {upload['queries']} | {upload['cpu_ms']:.1f} " in report


@postgresql_only
@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
@pytest.mark.django_db(transaction=True)
def test_wrk_gets_the_practitioners_photos_from_a_real_server(tmp_path):
    url, env = seeded(tmp_path)
    pool = run.make_pool(url, env, staff_sessions=2, photos=1)
    assert len(pool["photos"]) == 1

    with gunicorn(url, workers=2, env=env, log_path=tmp_path / "server.log") as server:
        runs = run.page_runs(server, pool, pool)
        measured = {}
        for row in photos.PAGE_TARGETS:
            short, calls, status, _warm = runs[row]
            measured[row] = run_wrk(
                server.url,
                calls,
                seconds=1,
                connections=2,
                threads=1,
                expected_status=status,
                script_path=tmp_path / f"{short}.lua",
            )

    for row, measurement in measured.items():
        assert measurement.requests > 0, row
        # Not a login redirect, a 403 or a 404: the photo itself, each time.
        assert measurement.statuses == {"200": measurement.requests}, (row, server.log()[-2000:])
    assert set(photos.PAGE_TARGETS) <= set(run.PAGE_TARGETS)


def test_an_upload_over_its_budget_is_reported_with_the_image_work_it_spent():
    row = {
        "queries": 12,
        "status": 302,
        "cpu_ms": 640.0,
        "app_cpu_ms": 634.0,
        "db_cpu_ms": 6.0,
        "clean_cpu_ms": 590.0,
        "upload_bytes": 7_400_000,
    }
    within = {**row, "cpu_ms": 420.0, "app_cpu_ms": 414.0}
    queries = {"big": {"pages": {photos.UPLOAD: within}}, "huge": {"pages": {photos.UPLOAD: row}}}
    sizes = [("big", 10_000), ("huge", 1_000_000)]

    report = photos.upload_report(queries, sizes)
    missed = photos.upload_missed(queries, sizes)

    assert "| 10,000 | 12 | 420.0 (414.0 + 6.0) | 590.0 | <= 500: met |" in report
    assert "| 1,000,000 | 12 | 640.0 (634.0 + 6.0) | 590.0 | <= 500: **MISSED** |" in report
    assert missed == [
        f"- {photos.UPLOAD} at 1,000,000 rows: 640.0 ms of CPU, budget 500 ms. Decoding, "
        "checking and re-encoding 12 million pixels alone took 590.0 ms of it (Pillow, measured "
        "apart in the same process); the request around it 50.0 ms (reading the 7.4 MB "
        "multipart body, storing the file, 12 queries)."
    ]


def test_a_display_photo_missing_its_wrk_target_is_explained_by_its_bytes():
    assert "is 1.6 MB of photo" in photos.missed_because(photos.DISPLAY, {"bytes": 1_600_000})
    assert "sendfile" in photos.missed_because(photos.DISPLAY, {"bytes": 1_600_000})
    # The original has no wrk target: nothing to explain.
    assert photos.missed_because(photos.FULL, {"bytes": 6_900_000}) == ""
    # A thumbnail is small: its miss would be the machine's, not its bytes.
    assert photos.missed_because(photos.THUMBNAIL, {"bytes": 40_000}) == ""


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_whole_query_table_runs_in_several_rounds(tmp_path):
    """Every row of `make bench`'s query table, each measured in rounds: a row that needs a
    fresh draft per request has one for every request of every round."""
    url, env = seeded(tmp_path)
    env.update(BENCH_PROFILE_REPEATS="2", BENCH_PROFILE_ROUNDS="2", BENCH_PHOTOS_UPLOAD_REPEATS="1")

    pages = run.count_queries(url, env)["pages"]

    assert pages["submit POST"]["status"] == 302
    assert {"queue GET", "detail GET", "queue search GET", *photos.ROWS} <= set(pages)
    assert all(row["cpu_ms"] > 0 for row in pages.values())
