"""The patient's email after a decision: queued with it, sent by a worker once it is stored, and
a mail server that refuses it never turns a stored decision into an error page or puts the
patient's address in a log.
"""

from __future__ import annotations

import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from consultations.models import Decision, EmailStatus, OutboundEmail
from tests.factories import submitted
from tests.review.pages import amend, decide, page_text
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every recipient, naming them as real servers do."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused(
            {to: (550, b"5.1.1 Mailbox unavailable") for m in email_messages for to in m.to}
        )


def test_a_refused_email_keeps_the_decision_and_is_retried_without_logging_the_address(
    client, practitioner, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.review.test_emails.RefusingBackend"
    consultation = submitted()
    email = consultation.patient.email

    with caplog.at_level(logging.DEBUG):
        response = decide(client, consultation, follow=True)
        run_queued_tasks()

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith(
        reverse("review:detail", kwargs={"reference": consultation.reference})
    )
    assert "Decision recorded. The patient will be emailed a link" in page_text(response)
    decision = Decision.objects.get(consultation=consultation)
    assert decision.decided_by == practitioner
    outbound = OutboundEmail.objects.get(consultation=consultation)
    assert (outbound.kind, outbound.status) == ("decision", EmailStatus.RETRYING)
    assert outbound.last_error == "SMTPRecipientsRefused"
    # Logged with the reference only: never the address the mail server named.
    assert consultation.reference in caplog.text
    assert email not in caplog.text
    for record in caplog.records:
        assert email not in record.getMessage()


def test_an_amendment_queues_its_own_email(client, practitioner):
    consultation = submitted()
    decide(client, consultation, follow=True)
    response = amend(
        client,
        consultation,
        follow=True,
        choice="declined",
        reason_code="refer_to_doctor",
        amendment_reason="Seen by the doctor",
    )
    assert "Decision amended; the earlier decision is kept." in page_text(response)
    assert Decision.objects.filter(consultation=consultation).count() == 2
    assert sorted(OutboundEmail.objects.values_list("kind", flat=True)) == [
        "decision",
        "decision_amended",
    ]
    run_queued_tasks()
    assert [m.to for m in mail.outbox] == [[consultation.patient.email]] * 2


def test_nothing_is_sent_inside_the_request(client, practitioner):
    consultation = submitted()
    decide(client, consultation, follow=True)
    assert not mail.outbox
    run_queued_tasks()
    assert [m.to for m in mail.outbox] == [[consultation.patient.email]]
