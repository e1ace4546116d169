"""Erasure requests: a patient is anonymised, their clinical answers and decisions stay."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from consultations.insight.analytics import analytics
from consultations.models import (
    AccessLog,
    AnswerCorrection,
    Consultation,
    Decision,
    DecisionOutcome,
    DecisionReason,
    Evaluation,
    Patient,
)
from consultations.services.insight import REMOVED_TEXT, patient_anonymise
from tests.factories import (
    AdminFactory,
    DecisionFactory,
    PatientFactory,
    PractitionerFactory,
    UserFactory,
    decided,
    submitted,
)

pytestmark = pytest.mark.django_db


CHANGELIST = "admin:consultations_patient_changelist"


def patient_with_history() -> tuple[Patient, Consultation]:
    """A patient with a decided consultation (amended, with a correction) and a waiting one."""
    patient = PatientFactory(
        first_name="Mei",
        last_name="Rahman",
        email="mei.rahman@example.com",
        phone="+65 9123 4567",
        date_of_birth=datetime.date(1988, 7, 23),
    )
    first = decided(
        patient=patient,
        hsv_history=True,
        outcome=DecisionOutcome.CHANGED,
        treatment="laser",
        reason_code=DecisionReason.OTHER,
        notes="Her sister Anna had the same treatment here.",
        other_medicines="Metformin",
        allergies="Penicillin",
        previous_treatments="Peel at Clinic X, 2024",
    )
    DecisionFactory(
        evaluation=first.latest_evaluation,
        supersedes=first.decisions.get(),
        outcome=DecisionOutcome.DECLINED,
        treatment="",
        reason_code=DecisionReason.REFER_TO_DOCTOR,
        notes="Mei to see Dr Tan first.",
        amendment_reason="Mei called: she is pregnant.",
    )
    AnswerCorrection.objects.create(
        consultation=first,
        field="allergies",
        old_value="Penicilin",
        new_value="Penicillin",
        note="Spelling, confirmed with Mei.",
        corrected_by=PractitionerFactory(),
    )
    submitted(patient=patient, allergies="Latex")
    return patient, first


def test_it_removes_identity_and_free_text_and_keeps_the_clinical_record():
    patient, consultation = patient_with_history()
    evaluation = consultation.latest_evaluation
    answers_before = Evaluation.objects.get(pk=evaluation.pk).answers
    old_token = consultation.public_token
    admin = AdminFactory()

    assert patient_anonymise(patient=patient, user=admin) is True

    patient.refresh_from_db()
    assert (patient.first_name, patient.last_name) == ("Anonymised", "Anonymised")
    assert patient.email == f"anonymised-{patient.pk}@invalid.example"
    assert patient.phone == ""
    assert patient.date_of_birth == datetime.date(1988, 1, 1)
    assert patient.anonymised_at is not None
    for c in patient.consultations.all():
        assert (c.other_medicines, c.allergies, c.previous_treatments) == ("", "", "")
    consultation.refresh_from_db()
    assert consultation.public_token != old_token
    # The clinical answers, the rules' evaluation and the decisions stay.
    assert consultation.hsv_history is True
    assert Evaluation.objects.get(pk=evaluation.pk).answers == answers_before
    decisions = Decision.objects.filter(consultation=consultation).order_by("pk")
    assert [(d.outcome, d.treatment, d.reason_code) for d in decisions] == [
        ("changed", "laser", "other"),
        ("declined", "", "refer_to_doctor"),
    ]
    assert {d.notes for d in decisions} == {REMOVED_TEXT}
    assert decisions[1].amendment_reason == REMOVED_TEXT
    correction = AnswerCorrection.objects.get(consultation=consultation)
    assert (correction.old_value, correction.new_value, correction.note) == ("", "", REMOVED_TEXT)


def test_nothing_that_names_the_patient_is_left():
    patient, _ = patient_with_history()
    ct = ContentType.objects.get_for_model(Patient)
    admin = AdminFactory()
    LogEntry.objects.create(
        user=admin,
        content_type=ct,
        object_id=str(patient.pk),
        object_repr=str(patient),
        action_flag=CHANGE,
        change_message="[]",
    )
    patient_anonymise(patient=patient, user=admin)
    texts = [
        *Patient.objects.filter(pk=patient.pk).values_list(
            "first_name", "last_name", "email", "phone"
        ),
        *Consultation.objects.filter(patient=patient).values_list(
            "other_medicines", "allergies", "previous_treatments"
        ),
        *Decision.objects.filter(consultation__patient=patient).values_list(
            "notes", "amendment_reason"
        ),
        *AnswerCorrection.objects.filter(consultation__patient=patient).values_list(
            "note", "old_value", "new_value"
        ),
        *LogEntry.objects.filter(content_type=ct).values_list("object_repr"),
        *AccessLog.objects.values_list("detail"),
    ]
    flat = " ".join(str(value) for row in texts for value in row)
    for identifying in ("Mei", "Rahman", "9123", "Anna", "Penicil", "Metformin", "Clinic X"):
        assert identifying not in flat, identifying


def test_a_second_anonymisation_removes_what_got_in_since_and_is_logged_again():
    patient, consultation = patient_with_history()
    admin = AdminFactory()
    assert patient_anonymise(patient=patient, user=admin) is True
    patient.refresh_from_db()
    first = (patient.email, patient.anonymised_at, patient.date_of_birth)
    # Something identifying got back in (an import, a fix by hand in the database).
    Patient.objects.filter(pk=patient.pk).update(first_name="Mei", phone="+65 9123 4567")
    Consultation.objects.filter(pk=consultation.pk).update(previous_treatments="Clinic X")
    Decision.objects.filter(consultation=consultation).update(notes="Mei's sister Anna")

    assert patient_anonymise(patient=patient, user=admin) is False  # not the first time...

    patient.refresh_from_db()  # ... but done again
    assert (patient.first_name, patient.phone) == ("Anonymised", "")
    assert (patient.email, patient.anonymised_at, patient.date_of_birth) == first
    consultation.refresh_from_db()
    assert consultation.previous_treatments == ""
    assert set(
        Decision.objects.filter(consultation=consultation).values_list("notes", flat=True)
    ) == {REMOVED_TEXT}
    logs = AccessLog.objects.filter(action=AccessLog.Action.ANONYMISE).order_by("pk")
    assert [(log.user, log.patient_id) for log in logs] == [(admin, patient.pk)] * 2
    assert logs[1].detail.endswith(", again")


def test_analytics_still_count_the_anonymised_patients_decisions():
    patient, _ = patient_with_history()
    before = analytics()
    patient_anonymise(patient=patient, user=AdminFactory())
    after = analytics()
    assert (after.submitted, after.decided) == (before.submitted, before.decided) == (2, 1)
    assert [(r.key, r.total) for r in after.by_treatment] == [
        (r.key, r.total) for r in before.by_treatment
    ]


def test_the_patients_old_link_to_their_answers_no_longer_works(client):
    patient, consultation = patient_with_history()
    url = reverse("intake:patient_copy", args=[consultation.public_token])
    assert client.get(url).status_code == 200
    patient_anonymise(patient=patient, user=AdminFactory())
    assert client.get(url).status_code == 404
    consultation.refresh_from_db()
    new_url = reverse("intake:patient_copy", args=[consultation.public_token])
    assert client.get(new_url).status_code == 404


def test_other_patients_are_untouched():
    patient, _ = patient_with_history()
    other = submitted(allergies="Latex").patient
    patient_anonymise(patient=patient, user=AdminFactory())
    other.refresh_from_db()
    assert other.anonymised_at is None
    assert other.consultations.get().allergies == "Latex"


# --- The admin action --------------------------------------------------------------------------


def test_the_admin_action_asks_for_confirmation_then_anonymises_each(admin_client):
    patient, _ = patient_with_history()
    other = PatientFactory()
    untouched = PatientFactory(first_name="Keep")
    selected = {"action": "anonymise_selected", "_selected_action": [patient.pk, other.pk]}

    response = admin_client.post(reverse(CHANGELIST), selected)
    assert response.status_code == 200
    assert "Yes, anonymise them" in response.content.decode()
    assert not Patient.objects.filter(anonymised_at__isnull=False).exists()

    response = admin_client.post(reverse(CHANGELIST), {**selected, "confirm": "yes"}, follow=True)
    assert "Anonymised 2 patients." in response.content.decode()
    assert set(Patient.objects.filter(anonymised_at__isnull=False)) == {patient, other}
    untouched.refresh_from_db()
    assert untouched.first_name == "Keep"
    assert AccessLog.objects.filter(action=AccessLog.Action.ANONYMISE).count() == 2

    response = admin_client.post(reverse(CHANGELIST), {**selected, "confirm": "yes"}, follow=True)
    assert "Anonymised 0 patients. 2 were anonymised already: done again" in (
        response.content.decode()
    )
    assert AccessLog.objects.filter(action=AccessLog.Action.ANONYMISE).count() == 4


def test_the_action_needs_the_change_permission_on_patients(client):
    patient = PatientFactory(first_name="Keep")
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_patient"))
    client.force_login(viewer)
    changelist = client.get(reverse(CHANGELIST)).content.decode()
    assert "anonymise_selected" not in changelist
    client.post(
        reverse(CHANGELIST),
        {"action": "anonymise_selected", "_selected_action": [patient.pk], "confirm": "yes"},
    )
    patient.refresh_from_db()
    assert patient.first_name == "Keep"
    assert not AccessLog.objects.exists()

    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_patient", "change_patient"])
    )
    client.force_login(editor)
    assert "anonymise_selected" in client.get(reverse(CHANGELIST)).content.decode()
