"""A database outage gives a friendly 503 page within seconds, loses nothing, and heals itself.

Each test runs a real gunicorn (one sync worker, persistent connections with health checks)
whose database traffic goes through a proxy the test breaks: connections refused, or accepted
and never answered, including the connection the worker already holds open.
"""

from __future__ import annotations

import time

import pytest

from bench import flows
from bench.client import Browser, Response
from consultations.models import Consent, Consultation, ConsultationStatus, Evaluation
from tests.faults.conftest import BREAKER_SECONDS, CONNECT_TIMEOUT, REQUEST_TIMEOUT
from tests.faults.proxy import BLACKHOLE, PASS, REFUSE

pytestmark = pytest.mark.faults

# What the page may never show: how the site is built or where its database is.
LEAKS = ("Traceback", "psycopg", "OperationalError", "InterfaceError", "5432", "consultations_")
SKIN_PATH = "/consultation/skin/"


def assert_unavailable_page(response: Response, *, within: float) -> None:
    assert response.status == 503, (response.status, response.url)
    assert response.seconds < within, f"took {response.seconds:.1f} s"
    assert "temporarily unavailable" in response.body
    assert response.headers.get("retry-after")
    for leak in LEAKS:
        assert leak not in response.body, leak


def started_patient(app, email: str) -> Browser:
    """A patient past step 1: their browser's session points at a draft in the database."""
    browser = Browser(app.url, timeout=30)
    flows.expect(browser.get(flows.START_PATH), 200, "start page")
    page = browser.post(flows.START_PATH, {**flows.about_answers(email), "action": "next"})
    flows.expect(page, 200, "step 1")
    assert page.url.endswith(SKIN_PATH)
    return browser


def test_a_refused_database_gives_the_friendly_page_and_the_app_recovers(app, proxy):
    browser = started_patient(app, "refused@example.com")
    assert proxy.open_connections == 1  # the worker's persistent connection

    proxy.set_mode(REFUSE)  # the server goes down: the open connection is cut too
    for _ in range(3):
        assert_unavailable_page(browser.get(SKIN_PATH), within=2)

    proxy.set_mode(PASS)
    assert browser.get(SKIN_PATH).status == 200  # same server, no restart
    submit_path = flows.fill_intake(browser, "refused@example.com")
    flows.submit(browser, submit_path)
    assert Consultation.objects.get(patient__email="refused@example.com").status == "submitted"
    assert "Database unavailable (OperationalError)" in app.log()
    assert app.log().count("Booting worker") == 1  # the worker was never killed or replaced


def test_a_database_that_accepts_but_never_answers_a_new_connection(app, proxy):
    browser = started_patient(app, "silent-new@example.com")
    proxy.set_mode(REFUSE)  # drop the worker's connection, so that it has to open a new one
    proxy.set_mode(BLACKHOLE)

    assert_unavailable_page(browser.get(SKIN_PATH), within=CONNECT_TIMEOUT + 2)

    proxy.set_mode(PASS)
    time.sleep(BREAKER_SECONDS)  # the 503 page at once for that long after a timeout
    assert browser.get(SKIN_PATH).status == 200


def test_a_stuck_open_connection_is_cut_short_not_left_hanging(app, proxy):
    browser = started_patient(app, "silent-open@example.com")
    assert proxy.open_connections == 1
    # The worker's open connection stays up, but nothing comes back on it: no error, no
    # reset. Only the request's database deadline ends the wait.
    proxy.set_mode(BLACKHOLE)

    response = browser.get(SKIN_PATH)
    assert_unavailable_page(response, within=REQUEST_TIMEOUT + 2)
    assert response.seconds >= REQUEST_TIMEOUT - 0.5  # it was the deadline that fired
    assert_unavailable_page(browser.get(SKIN_PATH), within=CONNECT_TIMEOUT + 2)

    proxy.set_mode(PASS)
    time.sleep(BREAKER_SECONDS)
    assert browser.get(SKIN_PATH).status == 200
    assert "Database unavailable (DatabaseStalled)" in app.log()
    assert app.log().count("Booting worker") == 1


@pytest.mark.parametrize("fault", [BLACKHOLE, REFUSE])
def test_a_submission_caught_mid_way_leaves_no_partial_rows(app, proxy, fault):
    email = f"mid-way-{fault}@example.com"
    browser = Browser(app.url, timeout=30)
    submit_path = flows.fill_intake(browser, email)
    # The submission has updated the consultation and written the consent when the database
    # goes away, just as the rules' evaluation is being stored.
    proxy.fail_after(b'INSERT INTO "consultations_evaluation"', fault)

    started = time.monotonic()
    response = browser.post(submit_path, flows.CONSENT)
    assert_unavailable_page(response, within=REQUEST_TIMEOUT + 2)
    assert time.monotonic() - started < REQUEST_TIMEOUT + 2
    assert proxy.mode == fault  # the fault struck during this submission
    proxy.set_mode(PASS)
    time.sleep(BREAKER_SECONDS)

    consultation = Consultation.objects.get(patient__email=email)
    assert consultation.status == ConsultationStatus.DRAFT
    assert consultation.submitted_at is None
    assert not Consent.objects.filter(consultation=consultation).exists()
    assert not Evaluation.objects.filter(consultation=consultation).exists()

    # The patient presses "Send" again: one consultation, complete.
    flows.submit(browser, submit_path)
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.SUBMITTED
    assert Consent.objects.filter(consultation=consultation).count() == 1
    assert Evaluation.objects.filter(consultation=consultation).count() == 1
    assert consultation.latest_evaluation_id is not None
    assert Consultation.objects.filter(patient__email=email).count() == 1
