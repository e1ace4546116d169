"""Erasure cannot be undone by a later request: not by a practitioner's notes, not by a browser
that still held the patient's draft, not through the admin."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from consultations.models import AnswerCorrection, Consultation, Decision, Patient
from consultations.services.insight import patient_anonymise
from tests.factories import AdminFactory, decided, submitted
from tests.intake.steps import ABOUT, SKIN, SKIN_ANSWERS, START, post_ok
from tests.review.pages import amend, decide

pytestmark = pytest.mark.django_db

NOTE = "Mei Rahman, 12 Orchard Road, sister Anna"


def test_a_practitioner_cannot_decide_with_notes_on_an_anonymised_patient(client, practitioner):
    consultation = submitted()
    patient_anonymise(patient=consultation.patient, user=AdminFactory())

    response = decide(
        client,
        consultation,
        follow=True,
        choice="declined",
        reason_code="other",
        notes=NOTE,
    )

    assert "was anonymised after an erasure request" in response.content.decode()
    assert not Decision.objects.exists()


def test_a_practitioner_cannot_amend_or_correct_an_anonymised_patients_record(client, practitioner):
    consultation = decided()
    patient_anonymise(patient=consultation.patient, user=AdminFactory())
    amend(
        client,
        consultation,
        choice="declined",
        reason_code="refer_to_doctor",
        notes=NOTE,
        amendment_reason=NOTE,
    )
    assert Decision.objects.filter(consultation=consultation).count() == 1
    assert NOTE not in " ".join(Decision.objects.values_list("notes", "amendment_reason").get())

    waiting = submitted()
    patient_anonymise(patient=waiting.patient, user=AdminFactory())
    waiting.refresh_from_db()
    url = reverse("review:correct", kwargs={"reference": waiting.reference})
    client.post(
        url,
        {"lock_version": waiting.lock_version, "fitzpatrick": "5", "note": NOTE},
    )
    assert not AnswerCorrection.objects.exists()


def test_a_browser_still_holding_the_draft_cannot_write_the_name_back():
    browser = Client()
    post_ok(browser, START, ABOUT)
    draft = Consultation.objects.get()
    patient_anonymise(patient=draft.patient, user=AdminFactory())

    browser.post(START, ABOUT)
    browser.post(SKIN, SKIN_ANSWERS)

    patient = Patient.objects.get(pk=draft.patient_id)
    assert (patient.first_name, patient.email) == (
        "Anonymised",
        f"anonymised-{patient.pk}@invalid.example",
    )
    assert Consultation.objects.get(pk=draft.pk).sebum == ""
    # The browser was let go of the anonymised draft: what it sent started a new one.
    assert Consultation.objects.exclude(pk=draft.pk).get().patient.first_name == "Mei"


def test_the_admin_cannot_type_an_anonymised_patients_details_back(admin_client):
    consultation = submitted()
    patient = consultation.patient
    patient_anonymise(patient=patient, user=AdminFactory())
    url = reverse("admin:consultations_patient_change", args=[patient.pk])
    admin_client.post(
        url,
        {
            "first_name": "Mei",
            "last_name": "Rahman",
            "date_of_birth": "1988-07-23",
            "email": "mei@example.com",
            "phone": "+65 9123 4567",
        },
    )
    patient.refresh_from_db()
    assert (patient.first_name, patient.phone) == ("Anonymised", "")
    consultation_url = reverse("admin:consultations_consultation_change", args=[consultation.pk])
    admin_client.post(consultation_url, {"previous_treatments": NOTE})
    consultation.refresh_from_db()
    assert consultation.previous_treatments == ""
