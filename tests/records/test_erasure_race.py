"""An admin's edit that is under way when another admin anonymises the patient cannot write the
real name back (PostgreSQL: two connections, real row locks)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connections
from django.db.models.signals import pre_save
from django.test import Client
from django.urls import reverse

from consultations.models import Patient
from consultations.services.insight import patient_anonymise
from tests.factories import AdminFactory, submitted

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="row locks need PostgreSQL (set DATABASE_URL)",
)

TYPED = {
    "first_name": "Mei",
    "last_name": "Rahman",
    "date_of_birth": "1988-07-23",
    "email": "mei@example.com",
    "phone": "+65 9123 4567",
}


def test_an_admin_save_under_way_when_the_patient_is_anonymised_does_not_undo_it(
    transactional_db,
):
    patient = submitted().patient
    admin = Client()
    admin.force_login(AdminFactory())
    other_admin = AdminFactory()
    anonymised = threading.Event()

    def anonymise() -> None:
        try:
            patient_anonymise(patient=Patient.objects.get(pk=patient.pk), user=other_admin)
            anonymised.set()
        finally:
            connections.close_all()

    eraser = threading.Thread(target=anonymise)

    def anonymise_while_the_form_is_saved(sender, instance, **kwargs) -> None:
        # The first admin's form is valid and about to be saved: now the second admin
        # anonymises the patient (waiting up to 2 s for a lock the first admin may hold).
        if instance.pk == patient.pk and not eraser.is_alive() and not anonymised.is_set():
            eraser.start()
            anonymised.wait(timeout=2)

    pre_save.connect(anonymise_while_the_form_is_saved, sender=Patient)
    try:
        response = admin.post(
            reverse("admin:consultations_patient_change", args=[patient.pk]), TYPED
        )
    finally:
        pre_save.disconnect(anonymise_while_the_form_is_saved, sender=Patient)
    eraser.join(timeout=10)

    assert response.status_code in (200, 302)
    patient.refresh_from_db()
    assert patient.anonymised_at is not None
    assert (patient.first_name, patient.email, patient.phone) == (
        "Anonymised",
        f"anonymised-{patient.pk}@invalid.example",
        "",
    )


def test_an_admin_edit_begun_before_the_anonymisation_and_saved_after_changes_nothing(
    admin_client,
):
    patient = submitted().patient
    url = reverse("admin:consultations_patient_change", args=[patient.pk])
    assert admin_client.get(url).status_code == 200  # the form, with the real name
    patient_anonymise(patient=patient, user=AdminFactory())

    response = admin_client.post(url, TYPED, follow=True)

    patient.refresh_from_db()
    assert (patient.first_name, patient.phone) == ("Anonymised", "")
    assert "was anonymised" in response.content.decode()
