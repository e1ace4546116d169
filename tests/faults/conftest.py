"""A real gunicorn whose only way to PostgreSQL is a TCP proxy the test controls.

The server talks to pytest's test database (committed data: the tests use transactional_db)
with one worker, so that "the open connection" is one known connection. Its time bounds are
shortened so that every fault resolves in a second or two.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from bench.load import UNLIMITED
from bench.server import Server, database_url, gunicorn
from tests.faults.proxy import PASS, FaultProxy

# Seconds: libpq's connect timeout, and the request's database deadline.
CONNECT_TIMEOUT = 1
REQUEST_TIMEOUT = 2
# After a database timeout, requests fail at once for this long (clinic/db_unavailable.py).
BREAKER_SECONDS = 1

if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    collect_ignore_glob = ["test_*.py"]  # the faults are PostgreSQL connection faults


@pytest.fixture
def proxy() -> FaultProxy:
    database = settings.DATABASES["default"]
    proxy = FaultProxy((database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432))).start()
    yield proxy
    proxy.set_mode(PASS)  # cuts what a blackhole held: the server side rolls back
    proxy.stop()


@pytest.fixture
def app(proxy: FaultProxy, transactional_db, tmp_path) -> Server:
    url = database_url(connection.settings_dict, host="127.0.0.1", port=proxy.port)
    env = {
        **UNLIMITED,
        "DB_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
        "DB_REQUEST_TIMEOUT": str(REQUEST_TIMEOUT),
        "DB_BREAKER_SECONDS": str(BREAKER_SECONDS),
    }
    with gunicorn(url, workers=1, env=env, log_path=tmp_path / "server.log") as server:
        yield server
