"""`manage.py migrate` alone, on an empty PostgreSQL database, gives a working app.

Deploy platforms run `migrate` and nothing else: no `createcachetable`, no other set-up step.
"""

from __future__ import annotations

import secrets
import subprocess

import pytest
from django.conf import settings
from django.db import connection

from bench import flows
from bench.client import Browser
from bench.load import UNLIMITED
from bench.server import database_url, gunicorn, manage, server_env

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="an empty PostgreSQL database is what production starts from (set DATABASE_URL)",
)


def _server_args() -> list[str]:
    database = connection.settings_dict
    return [
        "-h",
        database["HOST"] or "127.0.0.1",
        "-p",
        str(database["PORT"] or 5432),
        "-U",
        database["USER"] or "postgres",
    ]


@pytest.fixture
def empty_database() -> str:
    """A new, empty database on the test server; dropped afterwards."""
    name = f"clinic_migrate_only_{secrets.token_hex(4)}"
    subprocess.run(["createdb", *_server_args(), name], check=True)  # noqa: S603, S607
    yield database_url({**connection.settings_dict, "NAME": name})
    subprocess.run(  # noqa: S603
        ["dropdb", "--if-exists", "--force", *_server_args(), name],  # noqa: S607
        check=False,
        capture_output=True,
    )


def test_migrate_alone_then_gunicorn_serves_the_whole_intake(empty_database, tmp_path):
    # No Redis: the database cache and the rate-limit counters must come from migrate too.
    env = {**UNLIMITED, "REDIS_URL": "", "INTAKE_RATE_LIMIT": "50/10m"}
    manage("migrate", "--no-input", env=server_env(empty_database, **env))

    with gunicorn(empty_database, workers=1, env=env, log_path=tmp_path / "server.log") as app:
        browser = Browser(app.url)
        submit_path = flows.fill_intake(browser, "migrate-only@example.com")
        confirmation = flows.submit(browser, submit_path)

    assert "/submitted/" in confirmation.url
    assert all(status < 500 for status in browser.statuses), browser.statuses
    assert "Traceback" not in app.log()
