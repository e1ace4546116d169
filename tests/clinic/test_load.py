"""Load without loss, small enough for every CI run: bench/load.py against a real gunicorn."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from bench import flows
from bench.load import UNLIMITED, load_run
from bench.server import database_url, gunicorn

postgresql_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="a real server and concurrent writers need PostgreSQL (set DATABASE_URL)",
)


def test_the_simulated_patients_start_where_real_ones_do():
    assert reverse("intake:start") == flows.START_PATH
    assert reverse("login") == flows.LOGIN_PATH
    assert reverse("review:queue") == flows.QUEUE_PATH


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_eight_patients_at_once_lose_nothing_and_duplicate_nothing(tmp_path):
    url = database_url(connection.settings_dict)
    with gunicorn(url, workers=2, env=UNLIMITED, log_path=tmp_path / "server.log") as server:
        result = load_run(server.url, url, patients=8, double_every=2, max_seconds=60)
    assert result.ok, "\n".join(result.lines()) + "\n" + server.log()[-3000:]
    assert result.submitted == 8
    assert result.server_errors == 0
