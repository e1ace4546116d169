"""Delivering one email: no row lock is held while the mail server talks, two workers never send
the same email at the same time, and a worker lost half way loses nothing (PostgreSQL)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend
from django.db import connections, transaction
from django.utils import timezone

from consultations.models import EmailKind, EmailStatus, OutboundEmail
from consultations.services import outbox
from tests.factories import submitted

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="row locks and concurrent workers need PostgreSQL (set DATABASE_URL)",
    ),
]


class SlowMailServer(MemoryBackend):
    """A mail server that takes its time: it holds each email until the test lets it go."""

    talking = threading.Event()
    go_on = threading.Event()

    def send_messages(self, messages):
        SlowMailServer.talking.set()
        SlowMailServer.go_on.wait(timeout=10)
        return super().send_messages(messages)


class LostWorker(BaseException):
    """The worker's process ending half way (killed, its machine gone)."""


class DyingMailServer(MemoryBackend):
    def send_messages(self, messages):
        raise LostWorker


@pytest.fixture
def slow_mail(settings):
    settings.EMAIL_BACKEND = "tests.intake.test_email_delivery.SlowMailServer"
    SlowMailServer.talking.clear()
    SlowMailServer.go_on.clear()
    yield SlowMailServer
    SlowMailServer.go_on.set()


def queued_email() -> OutboundEmail:
    with transaction.atomic():
        return outbox.email_queue(kind=EmailKind.INTAKE_SUBMITTED, consultation=submitted())


def deliver_in_thread(outbound_id: int, outcomes: list[str]) -> threading.Thread:
    def worker() -> None:
        try:
            outcomes.append(outbox.email_deliver(outbound_id=outbound_id))
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    return thread


def test_no_row_is_locked_while_the_mail_server_talks(transactional_db, slow_mail):
    """Erasure, the retention purge and staff's "send again" lock the email's row: a slow
    mail server must not hold them up."""
    email = queued_email()
    outcomes: list[str] = []
    thread = deliver_in_thread(email.pk, outcomes)
    assert slow_mail.talking.wait(timeout=10)

    with transaction.atomic():
        locked = OutboundEmail.objects.select_for_update(nowait=True).get(pk=email.pk)
        assert locked.status == EmailStatus.SENDING
    slow_mail.go_on.set()
    thread.join(timeout=10)

    assert outcomes == [EmailStatus.SENT]
    assert len(mail.outbox) == 1


def test_two_workers_on_one_email_send_it_once(transactional_db, slow_mail):
    email = queued_email()
    outcomes: list[str] = []
    first = deliver_in_thread(email.pk, outcomes)
    assert slow_mail.talking.wait(timeout=10)
    second = deliver_in_thread(email.pk, outcomes)  # the same task, run twice
    second.join(timeout=10)
    slow_mail.go_on.set()
    first.join(timeout=10)

    assert sorted(outcomes) == [EmailStatus.SENDING, EmailStatus.SENT]
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1)


def test_an_email_whose_worker_was_lost_while_sending_is_sent_later(transactional_db, settings):
    email = queued_email()
    settings.EMAIL_BACKEND = "tests.intake.test_email_delivery.DyingMailServer"
    with pytest.raises(LostWorker):
        outbox.email_deliver(outbound_id=email.pk)
    email.refresh_from_db()
    assert email.status == EmailStatus.SENDING

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # While its claim runs, the task run again (a lost worker's task is) leaves it alone ...
    assert outbox.email_deliver(outbound_id=email.pk) == EmailStatus.SENDING
    assert mail.outbox == []
    # ... and once the claim has run out, sends it.
    OutboundEmail.objects.filter(pk=email.pk).update(
        claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert outbox.email_deliver(outbound_id=email.pk) == EmailStatus.SENT
    assert len(mail.outbox) == 1
