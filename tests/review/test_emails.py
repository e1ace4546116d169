"""The patient's email after a decision: sent once it is stored, and a mail server that refuses
it never turns a stored decision into an error page or puts the patient's address in a log.

These tests run with real commits (transactional_db), as a request does in production: the
email goes out when the decision's transaction commits.
"""

from __future__ import annotations

import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from consultations.models import Decision
from tests.factories import submitted
from tests.review.pages import amend, decide, page_text

pytestmark = pytest.mark.django_db(transaction=True)


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every recipient, naming them as real servers do."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused(
            {to: (550, b"5.1.1 Mailbox unavailable") for m in email_messages for to in m.to}
        )


def test_a_refused_email_keeps_the_decision_and_tells_the_practitioner_without_an_error(
    client, practitioner, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.review.test_emails.RefusingBackend"
    consultation = submitted()
    email = consultation.patient.email

    with caplog.at_level(logging.DEBUG):
        response = decide(client, consultation, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith(
        reverse("review:detail", kwargs={"reference": consultation.reference})
    )
    page = page_text(response)
    assert "Decision recorded. The email to the patient could not be sent" in page
    assert "has been emailed" not in page
    decision = Decision.objects.get(consultation=consultation)
    assert decision.decided_by == practitioner
    consultation.refresh_from_db()
    assert consultation.status == "decided"
    # Logged with the reference only: never the address the mail server named.
    assert consultation.reference in caplog.text
    assert email not in caplog.text
    for record in caplog.records:
        assert email not in record.getMessage()


def test_a_refused_email_after_an_amendment_keeps_the_amendment(
    client, practitioner, settings, caplog
):
    consultation = submitted()
    decide(client, consultation, follow=True)
    settings.EMAIL_BACKEND = "tests.review.test_emails.RefusingBackend"

    with caplog.at_level(logging.DEBUG):
        response = amend(
            client,
            consultation,
            follow=True,
            choice="declined",
            reason_code="refer_to_doctor",
            amendment_reason="Seen by the doctor",
        )

    assert response.status_code == 200
    page = page_text(response)
    assert "Decision amended; the earlier decision is kept." in page
    assert "could not be sent" in page
    assert Decision.objects.filter(consultation=consultation).count() == 2
    assert consultation.patient.email not in caplog.text


def test_the_practitioner_is_told_the_patient_has_been_emailed_once_it_was_sent(
    client, practitioner
):
    consultation = submitted()

    response = decide(client, consultation, follow=True)

    assert "Decision recorded. The patient has been emailed a link to their status page." in (
        page_text(response)
    )
    assert [m.to for m in mail.outbox] == [[consultation.patient.email]]
