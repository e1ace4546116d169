"""Emails go through the task queue: a slow, down or refusing mail server never holds up or
breaks a patient's page, a failed email is tried again and then shown to staff, and no address
reaches a log. The clinic cannot be made to email one address again and again."""

from __future__ import annotations

import hashlib
import logging
import smtplib
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend
from django.test import Client
from django.urls import reverse

from consultations.models import Consultation, ConsultationStatus, EmailStatus, OutboundEmail
from tests.factories import AdminFactory
from tests.intake.steps import (
    ABOUT,
    CONSENT,
    SEND_LINK,
    SKIN,
    SKIN_ANSWERS,
    START,
    SUBMIT,
    fill_draft,
    post_ok,
    press_save,
)
from tests.tasks import run_queued_tasks

PATIENT_EMAIL = ABOUT["email"]
STAFF_EMAIL = "practitioners@clinic.example"

pytestmark = pytest.mark.django_db


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
def _mail_settings(settings):
    settings.INTAKE_RATE_LIMIT = "100000/1m"
    settings.INTAKE_EMAIL_RATE_LIMIT = "100000/1m"
    settings.SITE_URL = "https://clinic.example"
    settings.PRACTITIONER_NOTIFY_EMAILS = [STAFF_EMAIL]
    settings.EMAIL_MAX_ATTEMPTS = 3
    settings.EMAIL_RETRY_SECONDS = 0  # retries are due at once: the test runs them


@pytest.fixture
def silent_mail_server(settings) -> Iterator[int]:
    """A mail server that accepts connections and then never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = listener.getsockname()
    settings.EMAIL_TIMEOUT = 1
    yield settings.EMAIL_PORT
    stop.set()
    thread.join(timeout=5)
    for connection in held:
        connection.close()
    listener.close()


def assert_address_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert PATIENT_EMAIL not in record.getMessage(), record.getMessage()
    assert PATIENT_EMAIL not in caplog.text


def test_with_the_mail_server_down_the_submit_answers_at_once_and_staff_see_the_failure(
    client, silent_mail_server, caplog
):
    caplog.set_level(logging.DEBUG)
    consultation = fill_draft(client)

    started = time.monotonic()
    response = client.post(SUBMIT, CONSENT, follow=True)
    assert time.monotonic() - started < 1  # nothing waits on the mail server in a request
    assert response.status_code == 200
    assert "Your answers have been sent" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.SUBMITTED

    run_queued_tasks()  # the worker: each email tried, then tried again, then given up
    emails = OutboundEmail.objects.filter(consultation=consultation)
    assert sorted(emails.values_list("kind", flat=True)) == [
        "intake_submitted",
        "practitioners_new",
    ]
    for email in emails:
        assert (email.status, email.attempts) == (EmailStatus.FAILED, 3)
        assert email.last_error in {"TimeoutError", "SMTPServerDisconnected"}
    assert not mail.outbox
    assert_address_not_logged(caplog)

    admin = Client()
    admin.force_login(AdminFactory())
    page = admin.get(
        reverse("admin:consultations_outboundemail_changelist") + "?status__exact=failed"
    ).content.decode()
    assert consultation.reference in page and "Not sent: gave up" in page


def test_a_failed_email_is_tried_again_and_goes_once_the_server_is_back(client, settings):
    settings.EMAIL_BACKEND = "tests.intake.test_emails.RefusingPatientsBackend"
    settings.EMAIL_MAX_ATTEMPTS = 5
    consultation = fill_draft(client)
    client.post(SUBMIT, CONSENT)
    settings.EMAIL_MAX_ATTEMPTS = 2
    run_queued_tasks()
    patient_email = OutboundEmail.objects.get(consultation=consultation, kind="intake_submitted")
    assert patient_email.status == EmailStatus.FAILED
    assert [m.to for m in mail.outbox] == [[STAFF_EMAIL]]  # the staff notice still went

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = Client()
    admin.force_login(AdminFactory())
    admin.post(
        reverse("admin:consultations_outboundemail_changelist"),
        {"action": "send_again", "_selected_action": [patient_email.pk]},
    )
    run_queued_tasks()
    patient_email.refresh_from_db()
    assert patient_email.status == EmailStatus.SENT
    assert mail.outbox[-1].to == [PATIENT_EMAIL]


def test_an_email_queued_for_a_patient_anonymised_meanwhile_is_not_sent(client):
    from consultations.services.insight import patient_anonymise

    consultation = fill_draft(client)
    client.post(SUBMIT, CONSENT)
    patient_anonymise(patient=consultation.patient, user=None)
    run_queued_tasks()
    assert [m.to for m in mail.outbox] == [[STAFF_EMAIL]]
    assert OutboundEmail.objects.get(kind="intake_submitted").status == EmailStatus.CANCELLED


def test_save_and_continue_later_never_waits_on_the_mail_server(client, silent_mail_server):
    client.post(START, ABOUT)
    started = time.monotonic()
    response = press_save(client, SKIN, SKIN_ANSWERS)
    assert time.monotonic() - started < 1
    assert response["Location"] == "/consultation/saved/"
    assert Consultation.objects.get().sebum == "oily"


# --- One address cannot be emailed again and again ----------------------------------------------


def test_the_clinic_emails_one_address_at_most_its_daily_share_whoever_asks(settings, caplog):
    settings.PATIENT_EMAIL_ADDRESS_LIMIT = "3/1d"
    victim = {**ABOUT, "email": "Victim@Example.com"}
    statuses = []
    for n in range(5):  # five different clients, each well within its own limits
        client = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        statuses.append(press_save(client, START, victim).status_code)
    response = press_save(client, START, {**victim, "email": "victim@example.com"})

    assert statuses == [302, 302, 302, 429, 429]
    assert response.status_code == 429
    page = response.content.decode()
    assert "We have already sent several emails to" in page
    assert "Your answers are saved" in page
    assert OutboundEmail.objects.count() == 3
    run_queued_tasks()
    assert len(mail.outbox) == 3
    assert "Victim@Example.com" not in caplog.text and "victim@example.com" not in caplog.text


def test_a_patient_whose_address_had_its_share_of_links_still_hears_their_answers_arrived(
    settings,
):
    """Only resume links, which anyone may ask for, are capped per address: answers sent and
    decisions made are the patient's own business and always go."""
    settings.PATIENT_EMAIL_ADDRESS_LIMIT = "2/1d"
    for n in range(3):  # someone else asks for links to the patient's address
        press_save(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), START, ABOUT)
    patient = Client()
    fill_draft(patient)
    assert patient.post(SUBMIT, CONSENT).status_code == 302
    run_queued_tasks()

    received = [m for m in mail.outbox if m.to == [PATIENT_EMAIL]]
    assert len(received) == 3  # two links, then "answers received"
    assert "Your skin consultation" in received[-1].subject


def test_one_draft_cannot_send_links_to_address_after_address(settings):
    settings.PATIENT_EMAIL_ADDRESS_LIMIT = "3/1d"
    client = Client()
    post_ok(client, START, ABOUT)
    for n in range(4):
        client.post(SEND_LINK, {"email": f"someone{n}@example.com", "use": "as_typed"})
    run_queued_tasks()
    assert len(mail.outbox) == 3


def rate_limit_keys() -> list[str]:
    """Every counter key in the store the rate limits use (Redis, or the database)."""
    from clinic.models import RateLimitCounter

    keys = list(RateLimitCounter.objects.values_list("key", flat=True))
    if settings.REDIS_URL:
        redis = cache._cache.get_client(write=False)
        keys += [key.decode() for key in redis.keys("*ratelimit*")]
    return keys


def test_the_address_cannot_be_read_or_looked_up_in_the_rate_limit_counters():
    """An unsalted hash of an address is found by hashing a list of addresses: the counters
    are keyed by an HMAC with the site's secret key."""
    press_save(Client(), START, {**ABOUT, "email": "Someone.Private@Example.com"})
    keys = [key for key in rate_limit_keys() if "email-address" in key]
    assert keys
    for spelling in ("Someone.Private@Example.com", "someone.private@example.com"):
        plain = hashlib.sha256(spelling.encode()).hexdigest()
        assert not any(spelling in key or plain[:16] in key for key in keys)
