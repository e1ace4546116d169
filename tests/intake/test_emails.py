"""A mail server that refuses the patient's address never costs the patient their answers,
never shows them an error page, and never puts their address in the logs."""

from __future__ import annotations

import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend
from django.test import Client

from consultations.models import Consultation, ConsultationStatus
from tests.intake.steps import (
    ABOUT,
    CHECK,
    CONSENT,
    GOALS,
    GOALS_ANSWERS,
    HEALTH,
    SKIN,
    SKIN_ANSWERS,
    START,
    SUBMIT,
    fill_draft,
)

PATIENT_EMAIL = ABOUT["email"]
STAFF_EMAIL = "practitioners@clinic.example"


class RefusingPatientsBackend(MemoryBackend):
    """An SMTP server that refuses every address outside the clinic, as a real one does for a
    mistyped or closed mailbox; the clinic's own mail is delivered to mail.outbox."""

    def send_messages(self, messages):
        for message in messages:
            refused = dict.fromkeys(message.recipients(), (550, b"5.1.1 mailbox unavailable"))
            if not all(to.endswith("@clinic.example") for to in refused):
                raise smtplib.SMTPRecipientsRefused(refused)
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def _refusing_mail_server(settings):
    settings.EMAIL_BACKEND = "tests.intake.test_emails.RefusingPatientsBackend"
    settings.INTAKE_RATE_LIMIT = "100000/1m"
    settings.INTAKE_EMAIL_RATE_LIMIT = "100000/1m"
    settings.SITE_URL = "https://clinic.example"
    settings.PRACTITIONER_NOTIFY_EMAILS = [STAFF_EMAIL]


def assert_address_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert PATIENT_EMAIL not in record.getMessage(), record.getMessage()
    assert PATIENT_EMAIL not in caplog.text


# The on_commit hooks must run inside the request, as in production: a transactional test.
@pytest.mark.django_db(transaction=True)
def test_a_refused_confirmation_email_still_shows_the_confirmation(caplog):
    caplog.set_level(logging.DEBUG)
    client = Client()
    consultation = fill_draft(client)

    response = client.post(SUBMIT, CONSENT, follow=True)

    assert response.status_code == 200
    assert "Your answers have been sent" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.SUBMITTED
    assert consultation.reference in response.content.decode()
    # The practitioners' notice, queued after the patient's email, still went out.
    assert [message.to for message in mail.outbox] == [[STAFF_EMAIL]]
    assert any(consultation.reference in record.getMessage() for record in caplog.records)
    assert_address_not_logged(caplog)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "answers"),
    [(START, ABOUT), (SKIN, SKIN_ANSWERS), (GOALS, GOALS_ANSWERS), (CHECK, None)],
    ids=["about", "skin", "goals", "check"],
)
def test_a_refused_resume_link_email_gets_a_friendly_page_and_keeps_the_draft(
    client, caplog, url, answers
):
    caplog.set_level(logging.DEBUG)
    if url == CHECK:
        fill_draft(client)
        response = client.post(SUBMIT, {"action": "save"})
    else:
        if url != START:
            client.post(START, ABOUT)
        response = client.post(url, {**answers, "action": "save"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "We could not email you a link" in page
    assert "Your answers are saved" in page
    assert PATIENT_EMAIL in page  # so that the patient can spot a mistyped address
    assert not mail.outbox
    consultation = Consultation.objects.get()
    assert consultation.status == ConsultationStatus.DRAFT
    if url == SKIN:
        assert consultation.sebum == "oily"
    # No link is on its way, so this browser keeps the draft and the patient can carry on.
    assert client.session["intake_consultation_id"] == consultation.pk
    assert client.get(HEALTH if url != START else SKIN).status_code == 200
    assert_address_not_logged(caplog)


@pytest.mark.django_db
def test_the_friendly_page_offers_to_carry_on_or_correct_the_address(client):
    client.post(START, ABOUT)
    page = client.post(SKIN, {**SKIN_ANSWERS, "action": "save"}).content.decode()
    assert f'href="{SKIN}">Carry on with your answers' in page
    assert f'href="{START}">change your email address' in page
