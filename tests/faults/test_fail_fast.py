"""A database known to be down fails requests at once, instead of each one waiting.

Nine patients arrive while the database accepts connections and never answers: only the first
request in the worker waits for the connect timeout; the others get the 503 page at once. Once
the database is back, the app recovers by itself within DB_BREAKER_SECONDS.
"""

from __future__ import annotations

import threading
import time

import pytest

from bench.client import Browser, Response
from tests.faults.conftest import BREAKER_SECONDS, CONNECT_TIMEOUT
from tests.faults.proxy import BLACKHOLE, PASS, REFUSE
from tests.faults.test_database_faults import SKIN_PATH, assert_unavailable_page, started_patient

pytestmark = pytest.mark.faults


def at_once(browsers: list[Browser], path: str) -> list[Response]:
    barrier = threading.Barrier(len(browsers))
    responses: list[Response | None] = [None] * len(browsers)

    def get(index: int) -> None:
        barrier.wait(timeout=10)
        responses[index] = browsers[index].get(path)

    threads = [threading.Thread(target=get, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return [response for response in responses if response is not None]


def test_nine_requests_to_a_silent_database_do_not_each_wait(app, proxy):
    browser = started_patient(app, "fail-fast@example.com")
    proxy.set_mode(REFUSE)  # drop the worker's open connection: the next one is a new one
    proxy.set_mode(BLACKHOLE)  # ... which the database accepts and never answers

    started = time.monotonic()
    responses = at_once([browser.fork() for _ in range(9)], SKIN_PATH)
    took = time.monotonic() - started

    assert len(responses) == 9
    for response in responses:
        assert_unavailable_page(response, within=CONNECT_TIMEOUT + 2)
    # One worker, nine requests one after another: one connect timeout, not nine.
    assert took < CONNECT_TIMEOUT + 2, f"{took:.1f} s for nine requests"

    proxy.set_mode(PASS)
    time.sleep(BREAKER_SECONDS)
    assert browser.get(SKIN_PATH).status == 200  # recovered, no restart
    assert app.log().count("Booting worker") == 1
