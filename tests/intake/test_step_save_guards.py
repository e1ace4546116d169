"""The step save's UPDATE keeps every guarantee of the ORM's: never after the submission, never
with an old key, never on an anonymised patient's draft, and `updated_at` moves."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from consultations.models import Consultation, ConsultationStatus, Patient
from consultations.services import intake as services
from tests.factories import CompleteDraftFactory, ConsultationFactory

pytestmark = pytest.mark.django_db


def _save_goals(draft: Consultation, *, key: str | None = None, text: str = "LATE") -> None:
    services.draft_save(
        consultation_id=draft.pk,
        draft_key=draft.draft_key if key is None else key,
        step="goals",
        answers={"downtime_tolerance": draft.downtime_tolerance, "previous_treatments": text},
    )


def test_a_step_save_writes_the_answer_and_the_time():
    draft = CompleteDraftFactory()
    before = draft.updated_at

    _save_goals(draft, text="peel in 2023")

    draft.refresh_from_db()
    assert draft.previous_treatments == "peel in 2023"
    assert draft.updated_at > before


def test_an_old_key_writes_nothing():
    draft = CompleteDraftFactory(previous_treatments="kept")

    with pytest.raises(services.DraftNotAttached):
        _save_goals(draft, key="an-older-key")

    assert Consultation.objects.get().previous_treatments == "kept"


@pytest.mark.parametrize("status", [ConsultationStatus.SUBMITTED, ConsultationStatus.WITHDRAWN])
def test_a_sent_consultation_is_never_overwritten(status):
    draft = ConsultationFactory(previous_treatments="kept", status=status)

    with pytest.raises(services.ConsultationNotEditable):
        _save_goals(draft)

    assert Consultation.objects.get().previous_treatments == "kept"


def test_an_anonymised_patients_draft_is_never_written():
    draft = CompleteDraftFactory(previous_treatments="kept")
    Patient.objects.filter(pk=draft.patient_id).update(anonymised_at=timezone.now())

    with pytest.raises(services.DraftNotAttached):
        _save_goals(draft)

    assert Consultation.objects.get().previous_treatments == "kept"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="row locks")
def test_a_step_save_waiting_on_the_submission_writes_nothing_after_it():
    """The submission holds the row lock; the step save's UPDATE waits, then finds the row
    submitted and writes nothing (PostgreSQL re-checks the conditions on the new row)."""
    draft = CompleteDraftFactory(previous_treatments="as sent")
    locked, release = threading.Event(), threading.Event()

    def submission() -> None:
        try:
            with transaction.atomic():
                Consultation.objects.select_for_update().get(pk=draft.pk)
                Consultation.objects.filter(pk=draft.pk).update(
                    status=ConsultationStatus.SUBMITTED, submitted_at=timezone.now(), age=35
                )
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    submitting = threading.Thread(target=submission)
    submitting.start()
    assert locked.wait(10)
    threading.Timer(0.5, release.set).start()  # the submission commits while the save waits

    with pytest.raises(services.ConsultationNotEditable):
        _save_goals(draft)
    submitting.join(10)

    sent = Consultation.objects.get()
    assert sent.status == ConsultationStatus.SUBMITTED
    assert sent.previous_treatments == "as sent"
