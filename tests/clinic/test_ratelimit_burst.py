"""A rate limit is exact under a burst of concurrent requests, in Redis and in the database."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection, connections

from clinic import ratelimit
from clinic.ratelimit import Rate

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="concurrent writers need PostgreSQL (SQLite serialises the whole database)",
    ),
]

DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "clinic_cache",
    }
}


@pytest.fixture(params=["database", "redis"])
def store(request, settings) -> str:
    """Where the counters live: the database (no REDIS_URL) or Redis."""
    if request.param == "database":
        settings.REDIS_URL = ""
        settings.CACHES = DATABASE_CACHE
    elif not os.environ.get("REDIS_URL"):
        pytest.skip("set REDIS_URL to test the Redis counters")
    from django.core.cache import cache

    cache.clear()
    return request.param


def test_a_burst_lets_exactly_the_limit_through(store):
    rate = Rate(60, 600)
    barrier = threading.Barrier(20)
    allowed: list[bool] = []
    lock = threading.Lock()

    def client_requests() -> None:
        try:
            barrier.wait(timeout=10)
            for _ in range(10):
                result = ratelimit.hit(scope="burst", client="203.0.113.50", rate=rate, now=1000.0)
                with lock:
                    allowed.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client_requests) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(allowed) == 200
    assert allowed.count(True) == 60
