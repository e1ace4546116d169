"""How many sent consultations are in each status, kept by the database itself.

Counting the table on every queue view costs a scan that grows with the clinic (half a second
at a million consultations). A PostgreSQL trigger (migration 0014_perf_status_counts) adds each
statement's changes here in the same transaction as the change, whatever wrote it: a
submission, a decision, an erasure, the admin, a bulk load (and a TRUNCATE empties it, 0016).
Concurrent writers add to
different slots (their backend's pid modulo SLOTS), so that they do not queue on one row; a
status's count is the sum of its slots.
"""

from __future__ import annotations

from django.db import models

from consultations.models.choices import ConsultationStatus

SLOTS = 8


class StatusCount(models.Model):
    """A part of how many consultations have a status (drafts are not counted)."""

    status = models.CharField(max_length=16, choices=ConsultationStatus.choices)
    slot = models.PositiveSmallIntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["status", "slot"], name="status_count_unique_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.status} [{self.slot}]: {self.n}"


class ReviewVersion(models.Model):
    """A part of the number of changes committed to what the practitioners' queue shows.

    PostgreSQL triggers (migration 0024_review_version) add one at the commit of every
    transaction that changed a row the queue page can show, whatever wrote it; the queue keeps
    each rendered page only as long as the sum stays the same (review/page_cache.py). A writer
    takes whichever row no one else holds (SKIP LOCKED), or adds a row, so that it never waits.
    On PostgreSQL each row also has an `epoch` from a sequence no flush resets (the migration
    adds it; SQLite has no triggers and no such column), so that a version never repeats.
    """

    n = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"[{self.pk}]: {self.n}"
