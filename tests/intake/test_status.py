"""The patient's confirmation, status page and emails."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.models import (
    Consultation,
    ConsultationStatus,
)
from tests.factories import (
    DecisionFactory,
    DraftConsultationFactory,
    submitted,
)
from tests.intake.steps import (
    HEALTH_ANSWERS,
    submit,
)
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


# --- Status page and emails ---------------------------------------------------------------------


def test_the_status_page_says_awaiting_review_until_a_practitioner_decides(client):
    consultation = submitted()
    page = client.get(f"/c/{consultation.public_token}/").content.decode()
    assert "Awaiting review" in page
    assert consultation.reference in page
    output = consultation.latest_evaluation.output
    assert output["primary"] not in page
    for flag in output["flags"]:
        assert flag["code"] not in page and flag["message"] not in page


def test_the_status_page_shows_the_outcome_with_the_current_decision(client):
    decision = DecisionFactory()
    consultation = decision.consultation
    Consultation.objects.filter(pk=consultation.pk).update(
        status=ConsultationStatus.DECIDED, decided_at=timezone.now()
    )
    response = client.get(f"/c/{consultation.public_token}/")
    assert response.status_code == 200
    assert response.context["decision"] == decision
    assert "Awaiting review" not in response.content.decode()
    assert "intake/_status_outcome.html" in [t.name for t in response.templates]


def test_the_status_page_links_to_the_patients_copy_of_their_answers(client):
    consultation = submitted()
    page = client.get(f"/c/{consultation.public_token}/").content.decode()
    copy = f"/c/{consultation.public_token}/my-answers/"
    assert f'<a href="{copy}">See a copy of your answers</a>' in page
    assert client.get(copy).status_code == 200


def test_the_status_page_shows_the_amended_decision_not_the_first_one(client):
    first = DecisionFactory(outcome="declined", treatment="", reason_code="clinical_judgement")
    consultation = first.consultation
    amended = DecisionFactory(
        evaluation=first.evaluation,
        supersedes=first,
        amendment_reason="Seen again after the rash healed.",
        outcome="accepted",
    )
    Consultation.objects.filter(pk=consultation.pk).update(
        status=ConsultationStatus.DECIDED, decided_at=timezone.now()
    )
    response = client.get(f"/c/{consultation.public_token}/")
    assert response.context["decision"] == amended
    assert "They do not recommend starting" not in response.content.decode()


def test_the_status_page_of_a_draft_or_an_unknown_token_is_not_found(client):
    draft = DraftConsultationFactory()
    assert client.get(f"/c/{draft.public_token}/").status_code == 404
    assert client.get("/c/not-a-real-token/").status_code == 404
    assert client.get(f"/c/{draft.public_token}/submitted/").status_code == 404


def test_the_status_page_uses_a_fixed_number_of_queries(client):
    decision = DecisionFactory()
    consultation = decision.consultation
    Consultation.objects.filter(pk=consultation.pk).update(
        status=ConsultationStatus.DECIDED, decided_at=timezone.now()
    )
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/c/{consultation.public_token}/").status_code == 200
    # The consultation, its current decision in one query, its course (none here), its
    # photos and the photo consent in force (the link to withdraw it) in one each.
    assert len(queries) == 5


def test_the_emails_carry_the_reference_and_links_and_none_of_the_answers(client, mailoutbox):
    consultation = submit(
        client,
        health={
            **HEALTH_ANSWERS,
            "pregnant": "yes",
            "takes_other_medicines": "yes",
            "other_medicines": "Doxycycline",
        },
    )
    assert not mailoutbox  # queued with the submission; a worker sends them
    run_queued_tasks()
    patient_mail, staff_mail = mailoutbox
    assert patient_mail.to == ["mei.tan@example.com"]
    assert consultation.reference in patient_mail.subject
    assert consultation.reference in patient_mail.body
    assert f"https://clinic.example/c/{consultation.public_token}/" in patient_mail.body
    assert staff_mail.to == ["practitioners@clinic.example"]
    assert consultation.reference in staff_mail.body
    staff_link = "https://clinic.example" + reverse(
        "review:detail", kwargs={"reference": consultation.reference}
    )
    assert staff_link in staff_mail.body
    assert consultation.public_token not in staff_mail.body
    for mail in mailoutbox:
        # The clinic's own sign-off ("..., Singapore") is not the patient's.
        text = (mail.subject + mail.body).replace(settings.CLINIC_ADDRESS, "")
        # The link's random token may spell "tan" or "1990" by chance: it is not an answer.
        text = text.replace(consultation.public_token, "")
        for answer in (
            "Mei",
            "Tan",
            "1990",
            "9123",
            "mei.tan",
            "Doxycycline",
            "pregnan",
            "oily",
            "pore",
            "Type III",
            "few days",
        ):
            assert answer.lower() not in text.lower(), answer


def test_no_practitioner_email_when_nobody_is_set_to_receive_it(
    client, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.PRACTITIONER_NOTIFY_EMAILS = []
    with django_capture_on_commit_callbacks(execute=True):
        submit(client)
    run_queued_tasks()
    assert [mail.to for mail in mailoutbox] == [["mei.tan@example.com"]]
