"""Emails through the task queue: queued with the records that call for them, sent by a worker.

`email_queue` writes an OutboundEmail row and enqueues its delivery in the caller's transaction,
so an email goes out only for a submission or decision that was stored. `email_deliver` (run by
`manage.py worker`) works out the address, subject and links at that moment, sends, and on a
mail server's refusal or silence tries again later (EMAIL_MAX_ATTEMPTS in all, waiting
EMAIL_RETRY_SECONDS, then twice as long each time); an email that keeps failing stays in the
admin's "Outgoing emails" as failed, where staff can send it again. Nothing here logs an address.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic import ratelimit
from clinic.identity import current_clinic
from clinic.queue import enqueue_with_transaction
from consultations import emails
from consultations.models import (
    CheckIn,
    Consultation,
    CourseStatus,
    EmailKind,
    EmailStatus,
    OutboundEmail,
)

logger = logging.getLogger(__name__)

# A worker has an email for this many EMAIL_TIMEOUTs (each step of the SMTP conversation waits
# at most one: connect, greeting, TLS, login, sender, recipients, data, quit).
CLAIM_TIMEOUTS = 10


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    to: list[str]


def email_queue(
    *, kind: str, consultation: Consultation, check_in: CheckIn | None = None
) -> OutboundEmail | None:
    """Queue one email about the consultation; None when a resume link has had its share.

    Anyone may type an address and ask for a resume link, so the clinic sends at most
    PATIENT_EMAIL_ADDRESS_LIMIT of them to any one address, and as many from any one draft
    (rate limits per client alone let anyone make the clinic email a stranger again and
    again from many addresses). The other emails follow a submission or a decision, which
    the patient needs to hear about: they are never capped.
    """
    if kind == EmailKind.RESUME_LINK and not _within_resume_link_limits(consultation):
        logger.info("Email %s for consultation %s not queued: address limit", kind, consultation)
        return None
    outbound = OutboundEmail.objects.create(kind=kind, consultation=consultation, check_in=check_in)
    _enqueue(outbound)
    return outbound


def _within_resume_link_limits(consultation: Consultation) -> bool:
    rate = ratelimit.Rate.parse(settings.PATIENT_EMAIL_ADDRESS_LIMIT)
    return ratelimit.hit(
        scope="email-address", client=consultation.patient.email.strip().lower(), rate=rate
    ) and ratelimit.hit(scope="email-draft", client=str(consultation.pk), rate=rate)


def email_retry(*, outbound: OutboundEmail) -> None:
    """Staff's "send again" on a failed email: a fresh set of attempts."""
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=outbound.pk).update(
            status=EmailStatus.QUEUED, attempts=0, next_attempt_at=None
        )
        _enqueue(outbound)


def _enqueue(outbound: OutboundEmail, run_after: datetime.datetime | None = None) -> None:
    from consultations.tasks import email_deliver  # the task module imports this one

    enqueue_with_transaction(email_deliver, outbound.pk, run_after=run_after)


def email_deliver(*, outbound_id: int) -> str:
    """Send one queued email (the task's body); the email's status afterwards.

    Claim, commit, send, record: the row is locked only to claim the email and to record what
    happened, never while the mail server talks (erasure, the retention purge and staff's
    "send again" lock it too). A claim lasts CLAIM_TIMEOUTS times EMAIL_TIMEOUT; meanwhile
    the same task run again (a lost worker's task is, see clinic/queue.py) leaves the email
    alone and looks again when the claim ends, so two workers never send it at the same time
    and one that is lost half way loses nothing (the email may then go twice, never not at
    all).
    """
    claimed = _claim(outbound_id)
    if isinstance(claimed, str):
        return claimed
    outbound, message = claimed
    try:
        send_mail(message.subject, message.body, None, message.to)
    except Exception as exc:
        return _record(outbound, failure=exc)
    return _record(outbound, failure=None)


@transaction.atomic
def _claim(outbound_id: int) -> tuple[OutboundEmail, Message] | str:
    """The email and its message, claimed for this worker; or its status when not to send."""
    outbound = (
        OutboundEmail.objects.select_for_update(of=("self",))
        .select_related("consultation__patient", "check_in__session")
        .filter(pk=outbound_id)
        .first()
    )
    if outbound is None:  # its draft was deleted (retention)
        return "gone"
    now = timezone.now()
    if outbound.status == EmailStatus.SENDING:
        if outbound.claimed_until is not None and outbound.claimed_until > now:
            # Another worker is sending it: look again once its claim has run out.
            _enqueue(outbound, run_after=outbound.claimed_until)
            return outbound.status
    elif outbound.status not in (EmailStatus.QUEUED, EmailStatus.RETRYING):
        return outbound.status  # sent already (a task run twice), or cancelled
    message = _message(outbound)
    if message is None:
        outbound.status = EmailStatus.CANCELLED
        outbound.claimed_until = None
        outbound.save(update_fields=["status", "claimed_until"])
        return outbound.status
    outbound.status = EmailStatus.SENDING
    outbound.attempts += 1
    outbound.claimed_until = now + datetime.timedelta(
        seconds=CLAIM_TIMEOUTS * settings.EMAIL_TIMEOUT
    )
    outbound.save(update_fields=["status", "attempts", "claimed_until"])
    return outbound, message


@transaction.atomic
def _record(claimed: OutboundEmail, *, failure: BaseException | None) -> str:
    """Record how sending went, unless the claim ran out and another worker took the email."""
    outbound = (
        OutboundEmail.objects.select_for_update(of=("self",))
        .select_related("consultation")
        .filter(pk=claimed.pk)
        .first()
    )
    if outbound is None:
        return "gone"
    if outbound.status != EmailStatus.SENDING or outbound.claimed_until != claimed.claimed_until:
        return outbound.status
    outbound.claimed_until = None
    if failure is not None:
        _failed(outbound, failure)
    else:
        outbound.status = EmailStatus.SENT
        outbound.sent_at = timezone.now()
        outbound.last_error = ""
    outbound.save(
        update_fields=[
            "status",
            "last_error",
            "next_attempt_at",
            "sent_at",
            "claimed_until",
        ]
    )
    return outbound.status


def _failed(outbound: OutboundEmail, exc: BaseException) -> None:
    code = getattr(exc, "smtp_code", None)
    outbound.last_error = type(exc).__name__ + (f" {code}" if code else "")
    reference = outbound.consultation.reference
    if outbound.attempts >= settings.EMAIL_MAX_ATTEMPTS:
        outbound.status = EmailStatus.FAILED
        outbound.next_attempt_at = None
        logger.warning(
            "Email %s for consultation %s failed %d times (%s); given up",
            outbound.kind,
            reference,
            outbound.attempts,
            outbound.last_error,
        )
        return
    wait = settings.EMAIL_RETRY_SECONDS * 2 ** (outbound.attempts - 1)
    outbound.status = EmailStatus.RETRYING
    outbound.next_attempt_at = timezone.now() + datetime.timedelta(seconds=wait)
    _enqueue(outbound, run_after=outbound.next_attempt_at)
    logger.warning(
        "Email %s for consultation %s not sent (%s); trying again in %d s",
        outbound.kind,
        reference,
        outbound.last_error,
        wait,
    )


def _message(outbound: OutboundEmail) -> Message | None:
    """The email as it is to be sent now, or None when it should not go any more."""
    consultation = outbound.consultation
    patient = consultation.patient
    kind = outbound.kind
    if kind == EmailKind.PRACTITIONERS_NEW:
        if not settings.PRACTITIONER_NOTIFY_EMAILS:
            return None
        context: dict[str, object] = {
            "reference": consultation.reference,
            "staff_url": emails.staff_url(consultation.reference),
        }
        return _render(
            "intake_practitioner_new.txt",
            f"New consultation {consultation.reference}",
            list(settings.PRACTITIONER_NOTIFY_EMAILS),
            context,
        )
    if patient.anonymised_at is not None or not patient.email:
        return None  # erasure: nothing more goes to this person
    if kind == EmailKind.RESUME_LINK:
        if not consultation.is_editable_by_patient:
            return None  # sent meanwhile: the link would only show the status
        from consultations.services.intake import resume_signature

        path = reverse("intake:resume", kwargs={"signed": resume_signature(consultation)})
        context = {
            "resume_url": emails.absolute_url(path),
            "days": settings.INTAKE_RESUME_MAX_AGE_DAYS,
        }
        return _render(
            "intake_resume.txt", "Continue your skin consultation", [patient.email], context
        )
    if kind in (EmailKind.CHECK_IN_PRE_SESSION, EmailKind.CHECK_IN_FOLLOW_UP):
        return _check_in_message(outbound)
    status_url = emails.status_url(consultation.public_token)
    if kind == EmailKind.INTAKE_SUBMITTED:
        context = {"reference": consultation.reference, "status_url": status_url}
        return _render(
            "intake_submitted.txt",
            f"Your skin consultation {consultation.reference}",
            [patient.email],
            context,
        )
    context = {
        "amended": kind == EmailKind.DECISION_AMENDED,
        "first_name": patient.first_name,
        "reference": consultation.reference,
        "status_url": status_url,
    }
    subject = render_to_string("consultations/email/review_outcome_subject.txt", context)
    return _render("review_outcome.txt", subject, [patient.email], context)


def _check_in_message(outbound: OutboundEmail) -> Message | None:
    """A check-in's private link; nothing once it was answered (on the clinic's tablet, say)
    or cancelled (the course ended, erasure)."""
    check_in = outbound.check_in
    if check_in is None or check_in.answered_at is not None or check_in.cancelled_at is not None:
        return None
    pre_session = check_in.kind == CheckIn.Kind.PRE_SESSION
    if pre_session and check_in.session.course.status != CourseStatus.ACTIVE:
        return None  # paused (or ended) since it was queued: its link would not open
    patient = outbound.consultation.patient
    path = reverse("intake:check_in", kwargs={"token": check_in.token})
    context = {
        "first_name": patient.first_name,
        "check_in_url": emails.absolute_url(path),
        "session_date": check_in.session.target_date,
    }
    if pre_session:
        return _render(
            "check_in_pre_session.txt",
            "Before your next session: a short safety check",
            [patient.email],
            context,
        )
    return _render(
        "check_in_follow_up.txt", "How is your skin after your session?", [patient.email], context
    )


def _render(template: str, subject: str, to: list[str], context: Mapping[str, object]) -> Message:
    body = render_to_string(
        f"consultations/email/{template}", {**context, "clinic": current_clinic()}
    )
    return Message(subject=" ".join(subject.split()), body=body, to=to)
