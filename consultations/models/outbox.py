"""Emails on their way: one row per email, so that staff see what was sent and what failed.

The row names the kind of email and the consultation; the address, subject and link are worked
out when it is sent (a patient anonymised meanwhile gets nothing). No address or content here.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from consultations.models.choices import choices_check
from consultations.models.consultation import Consultation


class EmailKind(models.TextChoices):
    INTAKE_SUBMITTED = "intake_submitted", "Patient: answers received"
    PRACTITIONERS_NEW = "practitioners_new", "Practitioners: new consultation"
    RESUME_LINK = "resume_link", "Patient: link to continue"
    DECISION = "decision", "Patient: decision recorded"
    DECISION_AMENDED = "decision_amended", "Patient: decision amended"
    CHECK_IN_PRE_SESSION = "check_in_pre_session", "Patient: check-in before a session"
    CHECK_IN_FOLLOW_UP = "check_in_follow_up", "Patient: follow-up after a session"


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    RETRYING = "retrying", "Failed; will try again"
    FAILED = "failed", "Not sent: gave up"
    CANCELLED = "cancelled", "Not sent: no longer needed"


class OutboundEmail(models.Model):
    """One email to a patient or to the practitioners, from queued to sent (or failed)."""

    Kind = EmailKind
    Status = EmailStatus

    kind = models.CharField(max_length=24, choices=EmailKind.choices)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="outbound_emails"
    )
    # Check-in emails: which check-in's link to send (its token is read when it is sent).
    check_in = models.ForeignKey(
        "consultations.CheckIn",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbound_emails",
    )
    status = models.CharField(
        max_length=16, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(
        max_length=200, blank=True, help_text="What went wrong last time (never an address)."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # While "being sent": the worker talking to the mail server has it until then; after, it
    # counts as lost and the email may be claimed again (services/outbox.py).
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outgoing email"
        indexes = [models.Index(fields=["status", "created_at"], name="outbound_status_idx")]
        constraints = [
            choices_check("kind", EmailKind, name="outbound_valid_kind"),
            choices_check("status", EmailStatus, name="outbound_valid_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.consultation_id})"
