"""A person who filled in the intake."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone

from consultations.models.choices import NAME_MAX_LENGTH


class Patient(models.Model):
    """A person who filled in the intake; contact details only, health answers live on the
    consultation."""

    # Blank only on a draft saved from the first page with just an email address ("save and
    # continue later"): a consultation is not sent until they are given.
    first_name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    last_name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="patient_name_idx")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def about_complete(self) -> bool:
        """Name and date of birth given (a draft saved early may have only the email)."""
        return bool(self.first_name and self.last_name and self.date_of_birth)

    def age_on(self, day: datetime.date) -> int:
        born = self.date_of_birth
        if born is None:
            raise ValueError("no date of birth")
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
