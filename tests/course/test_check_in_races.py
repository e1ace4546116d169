"""Check-ins under real concurrency (PostgreSQL): two workers sending at once queue each email
once; two submits of one check-in at once store one answer."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from consultations.models import AnswerUpdate, CheckIn, Evaluation, OutboundEmail
from consultations.services import checkin_emails
from consultations.services.checkins import pre_session_check_in
from tests.course.checkins import pre_body, url
from tests.factories import coursed

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite has no row locks (select_for_update skip_locked); this race only means "
        "something on PostgreSQL.",
    ),
]


def at_once(calls: list[Callable[[], object]]) -> list[object]:
    barrier = threading.Barrier(len(calls))
    results: list[object] = []
    failures: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    return results


def test_two_workers_sending_at_the_same_moment_queue_each_email_once(monkeypatch):
    monkeypatch.setattr(checkin_emails, "BATCH", 2)  # many small claims: they interleave
    today = timezone.localdate()
    for _ in range(6):
        consultation = coursed(treatment="laser", plan_sessions=2)
        for session in consultation.course.sessions.all():
            session.target_date = today + datetime.timedelta(days=1)
            session.save(update_fields=["target_date"])
    now = timezone.now()

    reports = at_once([lambda: checkin_emails.check_ins_send_due(now=now)] * 3)

    assert CheckIn.objects.count() == 12
    assert sum(r.queued for r in reports) == 12  # type: ignore[attr-defined]
    per_check_in = OutboundEmail.objects.filter(check_in__isnull=False).values("check_in")
    assert {row["n"] for row in per_check_in.annotate(n=Count("pk"))} == {1}
    assert OutboundEmail.objects.filter(check_in__isnull=False).count() == 12
    assert not CheckIn.objects.filter(sent_at__isnull=True).exists()


def test_two_submits_of_one_check_in_at_the_same_moment_store_one_answer():
    consultation = coursed(treatment="chemical_peel")
    check_in = pre_session_check_in(consultation.course.sessions.get(number=1))
    first, second = Client(), Client()
    body = pre_body(active_infection_or_cold_sore="yes")

    results = at_once(
        [lambda: first.post(url(check_in), body).status_code] * 1
        + [lambda: second.post(url(check_in), body).status_code]
    )

    assert results == [302, 302]
    assert AnswerUpdate.objects.count() == 1
    assert Evaluation.objects.filter(trigger="check_in").count() == 1
    check_in.refresh_from_db()
    assert check_in.session.is_blocked
