"""Two submissions of one draft at the same moment: one consultation, the same confirmation."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.test import Client

from consultations.models import Consent, Consultation, ConsultationStatus, Evaluation
from tests.intake.steps import CONSENT, SUBMIT, fill_draft
from tests.tasks import run_queued_tasks

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite serialises writers for the whole database and has no row locks "
        "(select_for_update); this race only means something on PostgreSQL.",
    ),
]


def submit_at_once(clients: list[Client]) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(clients))
    results: list[tuple[int, str]] = []
    failures: list[BaseException] = []

    def send(client: Client) -> None:
        try:
            barrier.wait(timeout=10)
            response = client.post(SUBMIT, CONSENT)
            results.append((response.status_code, response.get("Location", "")))
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures, failures
    return results


def test_two_tabs_sending_at_the_same_moment_make_one_consultation():
    first = Client()
    consultation = fill_draft(first)
    second = Client()
    second.cookies = first.cookies  # the same browser: two tabs, one session

    results = submit_at_once([first, second])

    confirmation = f"/c/{consultation.public_token}/submitted/"
    assert results == [(302, confirmation), (302, confirmation)]
    assert Consultation.objects.count() == 1
    assert Consultation.objects.get().status == ConsultationStatus.SUBMITTED
    assert Evaluation.objects.count() == 1
    assert Consent.objects.count() == 1
    run_queued_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "mei.tan@example.com",
        "practitioners@clinic.example",
    ]
