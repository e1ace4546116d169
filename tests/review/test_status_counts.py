"""The queue's status counts, kept by the database, never stale: after a submission, a decision,
an erasure, and under concurrent requests."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from consultations import selectors
from consultations.models import Consultation, ConsultationStatus, Decision
from consultations.services.insight import patient_anonymise
from consultations.services.intake import consultation_submit
from tests.factories import (
    CompleteDraftFactory,
    PractitionerFactory,
    decided,
    decision_form_data,
    submitted,
)
from tests.review.pages import decide

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The counts are kept by a PostgreSQL trigger; elsewhere the table is counted.",
)


def counted() -> dict[str, int]:
    """The counts as the table has them right now."""
    counts = {
        status: Consultation.objects.filter(status=status).count()
        for status in selectors.QUEUE_STATUSES
    }
    return {**counts, selectors.ALL: sum(counts.values())}


def queue_tabs(client: Client) -> dict[str, int]:
    """The counts on the queue page's tabs."""
    return {tab["status"]: tab["count"] for tab in client.get("/staff/").context["tabs"]}


@pytest.mark.django_db
def test_a_submission_a_decision_and_an_erasure_leave_the_counts_right(client, practitioner):
    draft = CompleteDraftFactory()
    waiting = submitted()
    assert queue_tabs(client) == {"submitted": 1, "decided": 0, "withdrawn": 0, "all": 1}

    consultation_submit(consultation_id=draft.pk, draft_key=draft.draft_key)
    assert queue_tabs(client) == {"submitted": 2, "decided": 0, "withdrawn": 0, "all": 2}

    assert decide(client, waiting).status_code == 302
    assert queue_tabs(client) == {"submitted": 1, "decided": 1, "withdrawn": 0, "all": 2}

    patient_anonymise(patient=waiting.patient, user=practitioner)
    assert queue_tabs(client) == counted() == selectors.status_counts()


@pytest.mark.django_db
def test_a_truncated_table_leaves_no_count_behind():
    submitted()
    decided()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # Django's foreign keys wait for COMMIT
        cursor.execute("TRUNCATE consultations_consultation CASCADE")

    assert (
        selectors.status_counts()
        == counted()
        == dict.fromkeys([*selectors.QUEUE_STATUSES, selectors.ALL], 0)
    )


@pytest.mark.django_db
def test_a_change_rolled_back_leaves_no_count_behind():
    consultation = submitted()
    with pytest.raises(RuntimeError), transaction.atomic():
        Consultation.objects.filter(pk=consultation.pk).update(status=ConsultationStatus.WITHDRAWN)
        raise RuntimeError
    assert (
        selectors.status_counts()
        == counted()
        == {
            "submitted": 1,
            "decided": 0,
            "withdrawn": 0,
            "all": 1,
        }
    )


def at_once(calls: list[Callable[[], object]]) -> None:
    barrier = threading.Barrier(len(calls))
    failures: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            call()
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


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_and_decisions_leave_the_counts_right():
    drafts = [CompleteDraftFactory() for _ in range(4)]
    waiting = [submitted() for _ in range(4)]
    practitioners = []
    for _ in waiting:
        client = Client()
        client.force_login(PractitionerFactory())
        practitioners.append(client)
    forms = [decision_form_data(consultation) for consultation in waiting]
    # Two practitioners deciding one consultation at once too: one decision, one conflict.
    rival = Client()
    rival.force_login(PractitionerFactory())

    calls: list[Callable[[], object]] = [
        *(
            lambda draft=draft: consultation_submit(
                consultation_id=draft.pk, draft_key=draft.draft_key
            )
            for draft in drafts
        ),
        *(
            lambda client=client, consultation=consultation, form=form: decide(
                client, consultation, form
            )
            for client, consultation, form in zip(practitioners, waiting, forms, strict=True)
        ),
        lambda: decide(rival, waiting[0], forms[0]),
    ]
    at_once(calls)

    assert Decision.objects.count() == 4
    assert (
        selectors.status_counts()
        == counted()
        == {
            "submitted": 4,
            "decided": 4,
            "withdrawn": 0,
            "all": 8,
        }
    )
