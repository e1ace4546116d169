"""The kept queue page (consultations/review/page_cache.py) attacked: writes row triggers do not
see, the minute of the clock, what stays in memory, frequent writes the page does not show, and
real concurrent commits on PostgreSQL (from a reviewer's findings, each fixed)."""

from __future__ import annotations

import datetime
import threading
import zoneinfo
from contextlib import ExitStack
from unittest import mock

import pytest
from django.db import connection, connections
from django.db.utils import OperationalError
from django.test import override_settings
from django.utils import timezone

from consultations.models import OutboundEmail, Patient
from consultations.review import page_cache
from consultations.services.insight import patient_anonymise
from consultations.services.intake import consultation_submit, draft_start
from tests.factories import CompleteDraftFactory, PractitionerFactory, submitted
from tests.review.test_page_cache import QUEUE, fresh, kept_then, rendered

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="The counter is raised by PostgreSQL triggers; elsewhere every view renders.",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def no_kept_pages():
    page_cache.forget()
    yield
    page_cache.forget()


@pytest.fixture
def signed_in(client):
    client.force_login(PractitionerFactory())
    return client


def test_a_truncate_of_the_consultations_shows_at_once(signed_in):
    """Row triggers do not fire on TRUNCATE (migration 0016 had to add a statement trigger for
    the status counts for that reason); the review version has none."""
    waiting = submitted()
    assert waiting.reference in kept_then(signed_in)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE consultations_consultation CASCADE")
    page, _ = rendered(signed_in)
    assert waiting.reference not in page, "a deleted consultation is still listed"


def at(moment: datetime.datetime) -> ExitStack:
    """The clock at `moment`, for the pages and for the staff session's idle timeout."""
    stack = ExitStack()
    utc = moment.astimezone(datetime.UTC)
    stack.enter_context(mock.patch("django.utils.timezone.now", return_value=utc))
    clock = stack.enter_context(mock.patch("clinic.middleware.time"))
    clock.time.return_value = moment.timestamp()
    return stack


@override_settings(TIME_ZONE="Europe/London")
def test_the_repeated_hour_of_a_clock_change_renders_afresh(signed_in):
    """On the night the clocks go back 01:30 comes twice, an hour apart. The two minutes
    compare and hash equal in Python (fold is ignored), so the page kept at the first 01:30
    is served at the second, with every wait an hour short. (The practitioner works on other
    pages meanwhile, so that their session stays open; nothing is written.)"""
    london = zoneinfo.ZoneInfo("Europe/London")
    first = datetime.datetime(2026, 10, 25, 1, 30, 10, tzinfo=london)  # BST, 00:30 UTC
    second = first.replace(fold=1)  # GMT, 01:30 UTC: an hour later
    hour = datetime.timedelta(hours=1)
    assert second.astimezone(datetime.UTC) - first.astimezone(datetime.UTC) == hour
    submitted(submitted_at=first - datetime.timedelta(minutes=10))
    with at(first):
        before = kept_then(signed_in)
    assert "10 minutes" in before
    for minutes in (20, 40):
        # (in UTC: an aware datetime's arithmetic is the wall clock's)
        with at(first.astimezone(datetime.UTC) + datetime.timedelta(minutes=minutes)):
            assert signed_in.get(QUEUE + "?status=decided").status_code == 200
    with at(second):
        after, was_rendered = rendered(signed_in)
    assert "1 hour" in after, "the waits shown are an hour old"
    assert was_rendered


def test_a_patient_starting_a_draft_keeps_the_page(signed_in):
    """The commit says drafts are left out because "a draft's answers change at every step":
    but a draft's first step creates its patient, and patients are watched."""
    submitted()
    kept_then(signed_in)
    draft_start(about={"first_name": "Nora", "last_name": "Ng", "email": "nora@example.com"})
    _, was_rendered = rendered(signed_in)
    assert not was_rendered, "a draft no practitioner can see threw the kept page away"


def test_a_draft_patients_edits_an_email_sent_and_a_staff_login_keep_the_page(signed_in):
    """None of these is on the queue, and each happens all day."""
    sent = CompleteDraftFactory()
    consultation_submit(consultation_id=sent.pk, draft_key=sent.draft_key)  # queues an email
    draft = CompleteDraftFactory()
    kept_then(signed_in)
    assert Patient.objects.filter(pk=draft.patient_id).update(first_name="Nor") == 1
    assert OutboundEmail.objects.filter(consultation=sent).update(attempts=3) == 1
    user = PractitionerFactory()
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    _, was_rendered = rendered(signed_in)
    assert not was_rendered


def test_an_erased_patients_name_does_not_stay_in_memory(signed_in):
    """After an erasure the page that named the patient can no longer be served, but it stays
    in every process's memory until 256 newer pages push it out (days, in a small clinic)."""
    waiting = submitted(patient__first_name="Zelda", patient__last_name="Quartermaine")
    assert "Quartermaine" in kept_then(signed_in)
    patient_anonymise(patient=Patient.objects.get(pk=waiting.patient_id), user=None)
    assert "Quartermaine" not in fresh(signed_in)
    assert not any(b"Quartermaine" in page for page in page_cache._pages.values())


def test_concurrent_submissions_neither_wait_nor_fail():
    """Twelve submissions committing at the same moment (more than the eight counter rows):
    none waits on another's counter row, and the version moves once for each."""
    drafts = [CompleteDraftFactory() for _ in range(12)]
    before = page_cache.review_version()
    assert before is not None
    start = threading.Barrier(len(drafts))
    errors: list[BaseException] = []

    def submit(draft) -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SET lock_timeout = '1s'")
            start.wait(10)
            consultation_submit(consultation_id=draft.pk, draft_key=draft.draft_key)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    after = page_cache.review_version()
    assert after is not None and after[0] == before[0] + len(drafts)


def test_a_repeatable_read_writer_commits_after_another_commit():
    """The counter is taken with FOR UPDATE SKIP LOCKED: under REPEATABLE READ (or
    SERIALIZABLE) a row another transaction raised since this one's snapshot is not skipped but
    refused, so the writer fails at COMMIT with a serialization error."""
    waiting = submitted()
    other = threading.Event()

    def commit_elsewhere() -> None:
        # As eight other commits would: every counter row raised since the snapshot.
        with connections["default"].cursor() as cursor:
            cursor.execute("UPDATE consultations_reviewversion SET n = n + 1")
        connections.close_all()
        other.set()

    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT count(*) FROM consultations_patient")  # the snapshot
        thread = threading.Thread(target=commit_elsewhere)
        thread.start()
        assert other.wait(10)
        thread.join(10)
        cursor.execute(
            "UPDATE consultations_patient SET phone = '+65 6000 0000' WHERE id = %s",
            [waiting.patient_id],
        )
        try:
            cursor.execute("COMMIT")
        except OperationalError as exc:
            cursor.execute("ROLLBACK")
            pytest.fail(f"the write failed at commit: {exc}")


@pytest.mark.parametrize("method", ["head", "get"])
def test_a_head_request_then_a_get_serve_the_same_page(signed_in, method):
    """HEAD is allowed (require_safe) and keeps a page too: the GET after it is whole."""
    waiting = submitted()
    getattr(signed_in, method)(QUEUE)
    page, was_rendered = rendered(signed_in)
    assert waiting.reference in page and not was_rendered
