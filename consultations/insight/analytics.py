"""What the clinic learns from its consultations: the numbers behind the analytics page.

Everything is counted for the consultations *submitted* in the chosen date range (local dates,
both ends included), with aggregate queries whose number does not depend on the number of rows:

1. consultations submitted per week;
2. time from submission to decision (median and 90th percentile, percentile_cont semantics):
   in SQL on PostgreSQL, otherwise from one list of durations;
3. practitioners' current decisions (amended ones are not counted twice) per suggested
   treatment (the primary of the evaluation the decision was made on): accepted, changed,
   declined, and the reason codes of the overrides (changed or declined);
4. the same per rule that fired in that evaluation (its EvaluationFinding rows).

Each query reads every consultation of the range: a second or two at 10,000 consultations, tens
of seconds at 1,000,000. So the page never runs them: the task queue does, and the page shows
the latest count with its time (outcome_snapshots.py; docs/decisions/0011).
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connections
from django.db.models import (
    Aggregate,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    QuerySet,
)
from django.db.models.functions import TruncWeek
from django.utils import dateformat

from consultations import presenters
from consultations.models import (
    Consultation,
    Decision,
    DecisionOutcome,
    DecisionReason,
    Primary,
)

OUTCOMES = tuple(DecisionOutcome.values)
OVERRIDE_REASONS = tuple(DecisionReason.values)


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        # A float literal (never user input) goes into the SQL text as percentile_cont needs.
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks, as PostgreSQL's percentile_cont."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass(frozen=True)
class DateRange:
    start: datetime.date | None = None
    end: datetime.date | None = None

    def consultations(self, queryset: QuerySet[Consultation]) -> QuerySet[Consultation]:
        return queryset.filter(**self.lookups("submitted_at"))

    def decisions(self, queryset: QuerySet[Decision]) -> QuerySet[Decision]:
        return queryset.filter(**self.lookups("consultation__submitted_at"))

    def lookups(self, path: str) -> dict[str, datetime.date]:
        """Filter arguments for the range on the datetime at `path` (local dates)."""
        lookups = {}
        if self.start:
            lookups[f"{path}__date__gte"] = self.start
        if self.end:
            lookups[f"{path}__date__lte"] = self.end
        return lookups


@dataclass
class OutcomeRow:
    """How practitioners decided on one suggested treatment, or when one rule fired."""

    key: str
    label: str
    accepted: int = 0
    changed: int = 0
    declined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.accepted + self.changed + self.declined

    @property
    def accepted_percent(self) -> int | None:
        return round(100 * self.accepted / self.total) if self.total else None

    @property
    def reason_list(self) -> list[tuple[str, int]]:
        """(reason label, count) for the overrides, most frequent first."""
        labels = dict(DecisionReason.choices)
        return [
            (labels.get(code, code), n)
            for code, n in sorted(self.reasons.items(), key=lambda item: (-item[1], item[0]))
        ]

    def add(self, outcome: str, reason_code: str, n: int) -> None:
        setattr(self, outcome, getattr(self, outcome) + n)
        if outcome != DecisionOutcome.ACCEPTED and reason_code:
            self.reasons[reason_code] = self.reasons.get(reason_code, 0) + n


@dataclass
class Analytics:
    date_range: DateRange
    weeks: list[tuple[datetime.date, int]]
    decided: int
    median_hours: float | None
    p90_hours: float | None
    by_treatment: list[OutcomeRow]
    by_rule: list[OutcomeRow]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values (the snapshot the task queue counts: outcome_snapshots.py)."""
        return {
            "weeks": [[week.isoformat(), n] for week, n in self.weeks],
            "decided": self.decided,
            "median_hours": self.median_hours,
            "p90_hours": self.p90_hours,
            "by_treatment": [asdict(row) for row in self.by_treatment],
            "by_rule": [asdict(row) for row in self.by_rule],
        }

    @classmethod
    def from_dict(cls, date_range: DateRange, data: dict[str, Any]) -> Analytics:
        return cls(
            date_range=date_range,
            weeks=[(datetime.date.fromisoformat(week), n) for week, n in data["weeks"]],
            decided=data["decided"],
            median_hours=data["median_hours"],
            p90_hours=data["p90_hours"],
            by_treatment=[OutcomeRow(**row) for row in data["by_treatment"]],
            by_rule=[OutcomeRow(**row) for row in data["by_rule"]],
        )

    @property
    def submitted(self) -> int:
        return sum(n for _, n in self.weeks)

    def chart_data(self) -> dict[str, Any]:
        """The numbers the charts draw (json_script), the same as the tables show."""

        def outcomes(rows: list[OutcomeRow]) -> dict[str, Any]:
            return {
                "labels": [row.label for row in rows],
                **{outcome: [getattr(row, outcome) for row in rows] for outcome in OUTCOMES},
            }

        return {
            "weeks": {
                "labels": [dateformat.format(week, "j M Y") for week, _ in self.weeks],
                "counts": [n for _, n in self.weeks],
            },
            "treatments": outcomes(self.by_treatment),
            "rules": outcomes(self.by_rule),
            "outcome_labels": dict(DecisionOutcome.choices),
        }


def analytics(date_range: DateRange | None = None) -> Analytics:
    """Count the analytics page's numbers: always four queries, each reading every consultation
    of the range (the task queue's work: outcome_snapshots.py)."""
    date_range = date_range or DateRange()
    consultations = date_range.consultations(Consultation.objects.all())
    current = date_range.decisions(Decision.objects.current())
    median, p90, decided = _decision_times(consultations)
    return Analytics(
        date_range=date_range,
        weeks=_weeks(consultations),
        decided=decided,
        median_hours=median,
        p90_hours=p90,
        by_treatment=_by_treatment(current),
        by_rule=_by_rule(current),
    )


def _weeks(consultations: QuerySet[Consultation]) -> list[tuple[datetime.date, int]]:
    counts = dict(
        consultations.filter(submitted_at__isnull=False)
        .annotate(week=TruncWeek("submitted_at", output_field=DateField()))
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    if not counts:
        return []
    # Weeks without a submission are shown as 0, between the first and the last one seen.
    week, last, weeks = min(counts), max(counts), []
    while week <= last:
        weeks.append((week, counts.get(week, 0)))
        week += datetime.timedelta(weeks=1)
    return weeks


def _decision_times(
    consultations: QuerySet[Consultation],
) -> tuple[float | None, float | None, int]:
    """(median hours, 90th percentile hours, how many) from submission to decision."""
    decided = consultations.filter(submitted_at__isnull=False, decided_at__isnull=False)
    duration = ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())
    if connections[decided.db].vendor == "postgresql":
        row = decided.aggregate(
            median=PercentileCont(duration, 0.5, output_field=DurationField()),
            p90=PercentileCont(duration, 0.9, output_field=DurationField()),
            n=Count("pk"),
        )
        return _hours(row["median"]), _hours(row["p90"]), row["n"]
    seconds = [d.total_seconds() for d in decided.values_list(duration, flat=True) if d is not None]
    return (
        _hours(percentile_cont(seconds, 0.5)),
        _hours(percentile_cont(seconds, 0.9)),
        len(seconds),
    )


def _hours(value: datetime.timedelta | float | None) -> float | None:
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, datetime.timedelta) else value
    return round(seconds / 3600, 2)


def _by_treatment(current: QuerySet[Decision]) -> list[OutcomeRow]:
    labels = dict(Primary.choices)
    rows = {code: OutcomeRow(code, label) for code, label in Primary.choices}
    grouped = (
        current.values("evaluation__primary", "outcome", "reason_code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for group in grouped:
        primary = group["evaluation__primary"]
        row = rows.setdefault(primary, OutcomeRow(primary, labels.get(primary, primary)))
        row.add(group["outcome"], group["reason_code"], group["n"])
    return [row for row in rows.values() if row.total]


def rule_key(rule: str) -> tuple[int, str]:
    match = re.match(r"R(\d+)(.*)", rule)
    return (int(match.group(1)), match.group(2)) if match else (10**6, rule)


def rule_label(rule: str) -> str:
    name = presenters.rule_name(rule)
    return f"{rule} {name}" if name != rule else rule


def _by_rule(current: QuerySet[Decision]) -> list[OutcomeRow]:
    # A rule can raise more than one finding in an evaluation: count each decision once.
    grouped = (
        current.values("evaluation__findings__rule", "outcome", "reason_code")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    rows: dict[str, OutcomeRow] = {}
    for group in grouped:
        rule = group["evaluation__findings__rule"]
        if rule is None:  # an evaluation in which no rule fired
            continue
        row = rows.setdefault(rule, OutcomeRow(rule, rule_label(rule)))
        row.add(group["outcome"], group["reason_code"], group["n"])
    return [rows[rule] for rule in sorted(rows, key=rule_key)]


__all__ = ["Analytics", "DateRange", "OutcomeRow", "analytics", "percentile_cont"]
