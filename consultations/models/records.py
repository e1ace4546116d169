"""The audit trail: consents with the text version accepted, and staff access to records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from consultations.models.choices import AccessAction, choices_check
from consultations.models.consultation import Consultation
from consultations.models.patient import Patient


class Consent(models.Model):
    """The patient's privacy and processing consent, with the version of the text they saw."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="consents"
    )
    text_version = models.CharField(max_length=16)
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "text_version"], name="consent_once_per_text_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation.reference}: consent {self.text_version}"


class AccessLog(models.Model):
    """Append-only trail of staff reading, changing and exporting records (who, what, when)."""

    Action = AccessAction

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=16, choices=AccessAction.choices)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        # Not "access logs": django-axes lists its login attempts under that name.
        verbose_name = "staff record access"
        verbose_name_plural = "staff record access log"
        constraints = [choices_check("action", AccessAction, name="accesslog_valid_action")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action}"
