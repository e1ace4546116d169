"""The staff access log: every view, correction and decision leaves a row nobody can edit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consultations.models import AccessLog
from tests.factories import PractitionerFactory, decision_form_data, submitted

pytestmark = pytest.mark.django_db


def test_views_corrections_decisions_and_amendments_are_logged_in_order(client):
    practitioner = PractitionerFactory()
    client.force_login(practitioner)
    consultation = submitted()
    kwargs = {"reference": consultation.reference}

    client.get(reverse("review:detail", kwargs=kwargs))
    client.post(
        reverse("review:correct", kwargs=kwargs),
        {"lock_version": 0, "fitzpatrick": 4, "sebum": "normal"},
    )
    client.post(reverse("review:decide", kwargs=kwargs), decision_form_data(consultation))
    consultation.refresh_from_db()
    client.post(
        reverse("review:amend", kwargs=kwargs),
        decision_form_data(
            consultation,
            decision=consultation.decisions.get().pk,
            choice="declined",
            reason_code="refer_to_doctor",
            amendment_reason="Seen by the doctor",
        ),
    )

    logs = list(AccessLog.objects.order_by("at", "pk"))
    assert [log.action for log in logs] == ["view", "correct", "decide", "amend"]
    assert {log.user for log in logs} == {practitioner}
    assert {log.consultation_id for log in logs} == {consultation.pk}
    assert {log.patient_id for log in logs} == {consultation.patient_id}
    for log in logs:  # who and what, never patient data
        assert consultation.patient.last_name not in log.detail


def test_the_access_log_cannot_be_added_edited_or_deleted_in_the_admin(admin_client):
    practitioner = PractitionerFactory()
    consultation = submitted()
    log = AccessLog.objects.create(
        user=practitioner, action=AccessLog.Action.VIEW, consultation=consultation
    )

    assert admin_client.get(reverse("admin:consultations_accesslog_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:consultations_accesslog_change", args=[log.pk]))
    assert page.status_code == 200  # read-only view
    assert 'name="_save"' not in page.content.decode()

    change = admin_client.post(
        reverse("admin:consultations_accesslog_change", args=[log.pk]),
        {"action": "export_csv", "detail": "tampered"},
    )
    assert change.status_code == 403
    delete = admin_client.post(
        reverse("admin:consultations_accesslog_delete", args=[log.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    add = admin_client.post(
        reverse("admin:consultations_accesslog_add"), {"action": "view", "detail": "forged"}
    )
    assert add.status_code == 403
    bulk = admin_client.post(
        reverse("admin:consultations_accesslog_changelist"),
        {"action": "delete_selected", "_selected_action": [log.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)

    log.refresh_from_db()
    assert (log.action, log.detail) == ("view", "")
    assert AccessLog.objects.count() == 1
