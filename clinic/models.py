"""Tables the cross-cutting pieces keep: rate-limit counters and the task schedule's slots."""

from __future__ import annotations

from django.db import models


class RateLimitCounter(models.Model):
    """One client's requests in one fixed window (clinic/ratelimit.py), counted atomically.

    Used when there is no Redis: the database cache's increment is a read and a write, which a
    burst of concurrent requests slips through.
    """

    key = models.CharField(max_length=128, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class ScheduledRun(models.Model):
    """A periodic task enqueued once for one period, whichever worker got there first."""

    name = models.CharField(max_length=64)
    period = models.BigIntegerField(help_text="Which period (seconds since 1970 // interval).")
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "period"], name="scheduledrun_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.period}"
