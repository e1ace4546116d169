"""Outcomes that teach the rules: what followed the treatments the clinic went ahead with.

Counted for the consultations submitted in the page's date range, from the session records in
force (an amended record counts once, as amended) and the patients' follow-up check-ins:

1. per treatment performed x Fitzpatrick phototype (as corrected) x peel agent: sessions, those
   followed by an adverse event (the record names one, or a day-2 or day-14 follow-up raised a
   red flag), and satisfaction from the day-14 follow-up (day 2 is too early to judge pores):
   the share satisfied (7 or more out of 10) and the mean;
2. course completion: courses ended completed, ended early by reason, still running;
3. time to the first adverse event: days from a course's first session to its first adverse
   event (a record naming one, or a red-flag follow-up), median with n;
4. per caution rule: among consultations treated (a session record exists), how often an
   adverse event followed when the rule fired and the treatment went ahead (a caution finding
   on the evaluation of the decision in force, or on that of a pre-session check-in a
   practitioner cleared to proceed before a session then performed) and when it did not.

Every proportion comes with its 95% Wilson score interval, which stays honest for small n and
near 0% or 100%. Below MIN_N the page says "too few to say" instead of a percentage. Always five
aggregate queries, whatever the number of rows (indexes: migration 0019_outcomes_indexes).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import (
    Avg,
    Count,
    Exists,
    FilteredRelation,
    Min,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDate

from consultations import rules
from consultations.insight.analytics import DateRange, percentile_cont, rule_key, rule_label
from consultations.models import (
    CheckIn,
    CheckInKind,
    ClearanceOutcome,
    Course,
    CourseEndReason,
    CourseStatus,
    EvaluationFinding,
    SessionClearance,
    SessionRecord,
    SessionStatus,
    Severity,
    Treatment,
)

# Below this many, a proportion is shown as its counts only, with "too few to say".
MIN_N = 20
Z_95 = 1.959964
# Satisfaction 0 to 10: this or more counts as satisfied.
SATISFIED_FROM = 7
FOLLOW_UP_KINDS = (CheckInKind.DAY_2, CheckInKind.DAY_14)


@dataclass(frozen=True)
class Proportion:
    """k of n, with its 95% Wilson score interval."""

    k: int
    n: int

    @property
    def enough(self) -> bool:
        return self.n >= MIN_N

    @property
    def percent(self) -> float | None:
        return 100 * self.k / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """(low, high) in percent; None when n is 0."""
        low_high = wilson_interval(self.k, self.n)
        return None if low_high is None else (100 * low_high[0], 100 * low_high[1])

    @property
    def words(self) -> str:
        """The percentage and its interval, or why there is none."""
        interval = self.interval
        if interval is None or self.percent is None:
            return "none yet"
        if not self.enough:
            return "too few to say"
        return f"{self.percent:.1f}% (95% CI {interval[0]:.1f}–{interval[1]:.1f}%)"

    def to_dict(self) -> dict[str, Any]:
        interval = self.interval
        return {
            "k": self.k,
            "n": self.n,
            "percent": None if self.percent is None else round(self.percent, 1),
            "interval": None if interval is None else [round(x, 1) for x in interval],
            "enough": self.enough,
        }


def wilson_interval(k: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval for k successes in n trials (fractions, 0 to 1)."""
    if n <= 0:
        return None
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class GroupRow:
    """Sessions of one treatment, phototype and peel agent, and what followed them."""

    treatment: str
    phototype: int | None
    agent: str
    adverse: Proportion
    satisfied: Proportion
    mean_satisfaction: float | None

    @property
    def label(self) -> str:
        parts = [Treatment(self.treatment).label if self.treatment in Treatment.values else "?"]
        parts.append(f"type {self.phototype}" if self.phototype else "type not known")
        if self.agent:
            parts.append(rules.PEEL_AGENT_LABELS.get(self.agent, self.agent))
        return ", ".join(parts)


@dataclass(frozen=True)
class RuleRow:
    """Adverse events after treatment, with the caution rule fired and without it."""

    rule: str
    label: str
    fired: Proportion
    not_fired: Proportion


@dataclass(frozen=True)
class Outcomes:
    groups: list[GroupRow]
    sessions: int
    courses_completed: int
    courses_ended_early: list[tuple[str, int]]  # (reason label, how many), most first
    courses_running: int
    days_to_first_adverse: float | None
    days_to_first_adverse_n: int
    treated: Proportion  # consultations treated, and those with an adverse event after
    by_rule: list[RuleRow]

    @property
    def courses_ended(self) -> int:
        return self.courses_completed + sum(n for _, n in self.courses_ended_early)

    @property
    def completion(self) -> Proportion:
        return Proportion(self.courses_completed, self.courses_ended)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values (the snapshot the task queue counts: outcome_snapshots.py)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcomes:
        def share(d: dict[str, int]) -> Proportion:
            return Proportion(d["k"], d["n"])

        return cls(
            groups=[
                GroupRow(
                    treatment=g["treatment"],
                    phototype=g["phototype"],
                    agent=g["agent"],
                    adverse=share(g["adverse"]),
                    satisfied=share(g["satisfied"]),
                    mean_satisfaction=g["mean_satisfaction"],
                )
                for g in data["groups"]
            ],
            sessions=data["sessions"],
            courses_completed=data["courses_completed"],
            courses_ended_early=[(label, n) for label, n in data["courses_ended_early"]],
            courses_running=data["courses_running"],
            days_to_first_adverse=data["days_to_first_adverse"],
            days_to_first_adverse_n=data["days_to_first_adverse_n"],
            treated=share(data["treated"]),
            by_rule=[
                RuleRow(r["rule"], r["label"], share(r["fired"]), share(r["not_fired"]))
                for r in data["by_rule"]
            ],
        )


ADVERSE_RECORD = ~Q(adverse_events=[])


def in_force(records: QuerySet[SessionRecord]) -> QuerySet[SessionRecord]:
    """The records no amendment supersedes (NOT EXISTS: an anti-join the planner estimates
    well, where a LEFT JOIN ... IS NULL led it to nested loops over every record)."""
    return records.filter(~Exists(SessionRecord.objects.filter(supersedes=OuterRef("pk"))))


def _red_flags() -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(red_flag=True, kind__in=FOLLOW_UP_KINDS)


def _adverse_course(path: str = "pk") -> Q:
    """The course at `path` had an adverse event: a record in force names one, or a follow-up
    raised a red flag. Two uncorrelated subqueries over the few adverse rows (partial indexes),
    which PostgreSQL hashes once: no lookup per course."""
    records = in_force(SessionRecord.objects.filter(ADVERSE_RECORD)).values("session__course_id")
    return Q(**{f"{path}__in": records}) | Q(
        **{f"{path}__in": _red_flags().values("session__course_id")}
    )


def _treated_courses(courses: QuerySet[Course]) -> QuerySet[Course]:
    """Courses with a session recorded (a record in force exists whenever any record does:
    an amendment replaces one, it never removes it)."""
    return courses.filter(pk__in=SessionRecord.objects.values("session__course_id"))


def treated_exists(consultation: str) -> Q:
    """The consultation at `consultation` had a session recorded."""
    treated = _treated_courses(Course.objects.all()).values("consultation_id")
    return Q(**{f"{consultation}__in": treated})


def adverse_after(consultation: str) -> Q:
    """The consultation's treatment was followed by an adverse event."""
    adverse = Course.objects.filter(_adverse_course()).values("consultation_id")
    return Q(**{f"{consultation}__in": adverse})


def _groups(date_range: DateRange) -> list[GroupRow]:
    records = in_force(
        SessionRecord.objects.filter(
            **date_range.lookups("session__course__consultation__submitted_at")
        )
    )
    day_14 = FilteredRelation(
        "session__check_ins",
        condition=Q(
            session__check_ins__kind=CheckInKind.DAY_14,
            session__check_ins__answered_at__isnull=False,
        ),
    )
    grouped = (
        records.annotate(day_14=day_14)
        .values("treatment", "session__course__consultation__fitzpatrick", "peel_agent")
        .annotate(
            n=Count("pk"),
            adverse=Count(
                "pk",
                filter=ADVERSE_RECORD | Q(session_id__in=_red_flags().values("session_id")),
            ),
            answered=Count("day_14__satisfaction"),
            satisfied=Count("pk", filter=Q(day_14__satisfaction__gte=SATISFIED_FROM)),
            mean=Avg("day_14__satisfaction"),
        )
        .order_by("treatment", "session__course__consultation__fitzpatrick", "peel_agent")
    )
    return [
        GroupRow(
            treatment=row["treatment"],
            phototype=row["session__course__consultation__fitzpatrick"],
            agent=row["peel_agent"],
            adverse=Proportion(row["adverse"], row["n"]),
            satisfied=Proportion(row["satisfied"], row["answered"]),
            mean_satisfaction=None if row["mean"] is None else round(float(row["mean"]), 1),
        )
        for row in grouped
    ]


def _completion(courses: QuerySet[Course]) -> tuple[int, list[tuple[str, int]], int]:
    labels = dict(CourseEndReason.choices)
    counts = {
        (row["status"], row["end_reason"]): row["n"]
        for row in courses.values("status", "end_reason").annotate(n=Count("pk")).order_by()
    }
    completed = counts.get((CourseStatus.ENDED, CourseEndReason.COMPLETED), 0)
    early = sorted(
        (
            (labels.get(reason, reason), n)
            for (status, reason), n in counts.items()
            if status == CourseStatus.ENDED and reason != CourseEndReason.COMPLETED
        ),
        key=lambda item: (-item[1], item[0]),
    )
    running = sum(n for (status, _), n in counts.items() if status != CourseStatus.ENDED)
    return completed, early, running


def _days_to_first_adverse(courses: QuerySet[Course]) -> list[float]:
    """Only the courses with an adverse event are read row by row (a few per hundred)."""
    in_force_record = Q(sessions__records__superseded_by__isnull=True)
    firsts = (
        courses.filter(_adverse_course())
        .annotate(
            first_session=Min("sessions__records__performed_on", filter=in_force_record),
            first_record=Min(
                "sessions__records__performed_on",
                filter=in_force_record & ~Q(sessions__records__adverse_events=[]),
            ),
            first_flag=Min(
                TruncDate("sessions__check_ins__answered_at"),
                filter=Q(
                    sessions__check_ins__red_flag=True,
                    sessions__check_ins__kind__in=FOLLOW_UP_KINDS,
                ),
            ),
        )
        .filter(first_session__isnull=False)
        .values_list("first_session", "first_record", "first_flag")
    )
    days = []
    for first_session, first_record, first_flag in firsts:
        dates = [d for d in (first_record, first_flag) if d is not None]
        if dates:
            days.append(float(max((min(dates) - first_session).days, 0)))
    return days


def _by_rule(courses: QuerySet[Course]) -> tuple[Proportion, list[RuleRow]]:
    treated = _treated_courses(courses)
    totals = treated.aggregate(n=Count("pk"), adverse=Count("pk", filter=_adverse_course()))
    adverse = Course.objects.filter(_adverse_course()).values("consultation_id")
    # A caution fired and the treatment went ahead: on the evaluation of the decision in force
    # (the one the course follows), or on that of a check-in a practitioner cleared to proceed
    # before a session then performed (a clearance comes before the record: a blocked session
    # is not recorded).
    cleared = SessionClearance.objects.filter(
        outcome=ClearanceOutcome.PROCEED,
        session__status=SessionStatus.DONE,
        session__course__in=treated,
        check_in__evaluation__isnull=False,
    ).values("check_in__evaluation_id")
    fired = (
        EvaluationFinding.objects.filter(severity=Severity.CAUTION)
        # One set of ids (a UNION): an OR of the two lists read every finding row by row,
        # over 25 s at 1,000,000 consultations against about 3 s.
        .filter(
            evaluation_id__in=treated.order_by()
            .values("decision__evaluation_id")
            .union(cleared.order_by())
        )
        .values("rule")
        .annotate(
            n=Count("evaluation__consultation_id", distinct=True),
            adverse=Count(
                "evaluation__consultation_id",
                distinct=True,
                filter=Q(evaluation__consultation_id__in=adverse),
            ),
        )
        .order_by()
    )
    rows = []
    for row in sorted(fired, key=lambda r: rule_key(r["rule"])):
        rows.append(
            RuleRow(
                rule=row["rule"],
                label=rule_label(row["rule"]),
                fired=Proportion(row["adverse"], row["n"]),
                not_fired=Proportion(totals["adverse"] - row["adverse"], totals["n"] - row["n"]),
            )
        )
    return Proportion(totals["adverse"], totals["n"]), rows


def outcomes(date_range: DateRange | None = None) -> Outcomes:
    """The outcome numbers for consultations submitted in the range: always five queries."""
    date_range = date_range or DateRange()
    courses = Course.objects.filter(**date_range.lookups("consultation__submitted_at"))
    groups = _groups(date_range)
    completed, early, running = _completion(courses)
    days = _days_to_first_adverse(courses)
    treated, by_rule = _by_rule(courses)
    median = percentile_cont(days, 0.5)
    return Outcomes(
        groups=groups,
        sessions=sum(row.adverse.n for row in groups),
        courses_completed=completed,
        courses_ended_early=early,
        courses_running=running,
        days_to_first_adverse=None if median is None else round(median, 1),
        days_to_first_adverse_n=len(days),
        treated=treated,
        by_rule=by_rule,
    )


__all__ = ["MIN_N", "Outcomes", "Proportion", "outcomes", "wilson_interval"]
