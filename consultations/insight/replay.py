"""The rule test bench: re-run the current rules over stored consultations.

For every submitted or decided consultation (optionally since a date) the current ruleset runs
on the consultation's current answers (as corrected by practitioners) and is compared with the
consultation's latest stored evaluation and the practitioner's current decision:

- which primaries would change, and the count per (stored, now) pair;
- agreement with the practitioners' current decisions, before (stored evaluation: the decision
  accepted the suggestion, or chose its primary) and after (the decision's treatment is the
  current rules' primary);
- the consultations where the practitioner chose a treatment the current rules exclude.

Reads use `values()` and `.iterator(chunk_size=2000)`: no model instances, bounded memory.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from consultations import rules
from consultations.models import Consultation, ConsultationStatus, Decision, DecisionOutcome
from consultations.models.consultation import rules_input

CHUNK_SIZE = 2000
REPLAYED_STATUSES = (ConsultationStatus.SUBMITTED, ConsultationStatus.DECIDED)


@dataclass(frozen=True)
class ChangedPrimary:
    reference: str
    stored: str
    now: str


@dataclass(frozen=True)
class ExcludedChoice:
    reference: str
    treatment: str
    outcome: str


@dataclass
class ReplayReport:
    """What the current rules would say about the stored consultations."""

    ruleset_version: str
    since: datetime.date | None = None
    replayed: int = 0
    stored_versions: Counter[str] = field(default_factory=Counter)
    changed: list[ChangedPrimary] = field(default_factory=list)
    decided: int = 0
    agreement_before: int = 0
    agreement_after: int = 0
    excluded_choices: list[ExcludedChoice] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    # Deferrals (primary "defer to practitioner") as stored and now, and the rules that make
    # the current ruleset defer (a consultation counts once per deferring rule).
    deferred_before: int = 0
    deferred_after: int = 0
    deferring_rules: Counter[str] = field(default_factory=Counter)
    newly_deferring_rules: Counter[str] = field(default_factory=Counter)
    # Consultations answered under an earlier questionnaire (R45 defers them until the patient
    # is asked), and what the current rules say if every newer yes/no question were "no".
    legacy: int = 0
    legacy_deferred_if_answered_no: int = 0

    @property
    def transitions(self) -> list[tuple[str, str, int]]:
        """(stored primary, current primary, how many), most frequent first."""
        counts = Counter((c.stored, c.now) for c in self.changed)
        return [(old, new, n) for (old, new), n in sorted(counts.items(), key=_by_count)]

    @property
    def stored_version_counts(self) -> list[tuple[str, int]]:
        """(ruleset version, how many consultations' latest evaluation it produced)."""
        return sorted(self.stored_versions.items())

    def rate(self, agreed: int) -> float | None:
        return round(100 * agreed / self.decided, 1) if self.decided else None

    @property
    def deferral_rows(self) -> list[tuple[str, int, int]]:
        """(rule, consultations it defers now, of which newly), in rule order."""
        return [
            (rule, n, self.newly_deferring_rules[rule])
            for rule, n in sorted(self.deferring_rules.items(), key=_rule_order)
        ]

    @property
    def agreement_before_percent(self) -> float | None:
        return self.rate(self.agreement_before)

    @property
    def agreement_after_percent(self) -> float | None:
        return self.rate(self.agreement_after)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ruleset_version": self.ruleset_version,
            "since": self.since.isoformat() if self.since else None,
            "replayed": self.replayed,
            "stored_ruleset_versions": dict(sorted(self.stored_versions.items())),
            "primary_changed": len(self.changed),
            "transitions": [
                {"from": old, "to": new, "count": n} for old, new, n in self.transitions
            ],
            "changed": [
                {"reference": c.reference, "from": c.stored, "to": c.now} for c in self.changed
            ],
            "agreement": {
                "decided": self.decided,
                "before": self.agreement_before,
                "before_percent": self.agreement_before_percent,
                "after": self.agreement_after,
                "after_percent": self.agreement_after_percent,
            },
            "excluded_choices": [
                {"reference": c.reference, "treatment": c.treatment, "outcome": c.outcome}
                for c in self.excluded_choices
            ],
            "invalid": self.invalid,
            "deferrals": {
                "before": self.deferred_before,
                "after": self.deferred_after,
                "by_rule": dict(sorted(self.deferring_rules.items(), key=_rule_order)),
                "newly_by_rule": dict(sorted(self.newly_deferring_rules.items(), key=_rule_order)),
            },
            "legacy": {
                "consultations": self.legacy,
                "deferred_if_new_questions_answered_no": self.legacy_deferred_if_answered_no,
            },
        }


def _rule_order(item: tuple[str, int]) -> tuple[int, str]:
    rule = item[0]
    digits = "".join(char for char in rule if char.isdigit())
    return (int(digits) if digits else 10**6, rule)


def _by_count(item: tuple[tuple[str, str], int]) -> tuple[int, str, str]:
    (old, new), n = item
    return (-n, old, new)


def replay_queryset(
    consultations: QuerySet[Consultation], *, since: datetime.date | None = None
) -> QuerySet[Consultation, dict[str, Any]]:
    """The consultations the bench replays, as plain rows (one query, streamed)."""
    current = Decision.objects.current().filter(consultation=OuterRef("pk"))
    rows = consultations.filter(status__in=REPLAYED_STATUSES, latest_evaluation__isnull=False)
    if since is not None:
        rows = rows.filter(submitted_at__date__gte=since)
    return (
        rows.annotate(
            decision_outcome=Subquery(current.values("outcome")[:1]),
            decision_treatment=Subquery(current.values("treatment")[:1]),
        )
        .order_by("pk")
        .values(
            "reference",
            "latest_evaluation__primary",
            "latest_evaluation__ruleset_version",
            "decision_outcome",
            "decision_treatment",
            "questionnaire_version",
            *rules.ANSWER_FIELDS,
        )
    )


def answered_no(answers: dict[str, Any]) -> dict[str, Any]:
    """A 2026.1 consultation's answers as if the patient had answered every newer yes/no
    question "no". A follow-up of an older "yes" stays unasked, so R45 still asks for it."""
    filled = dict(answers)
    for code in rules.NEW_BOOLEAN_FIELDS_2026_2:
        if filled[code] is None:
            filled[code] = False
    return filled


def _deferring(result: rules.Result) -> set[str]:
    """The rules that defer in a result: those whose flag is a stop, or R29 alone."""
    stops = {flag.rule for flag in result.flags if flag.severity == rules.vocabulary.STOP}
    return stops or ({"R29"} if result.primary == rules.DEFER else set())


def replay(
    consultations: QuerySet[Consultation], *, since: datetime.date | None = None
) -> ReplayReport:
    """Re-run the current rules over the consultations and compare (see the module doc)."""
    report = ReplayReport(ruleset_version=rules.RULESET_VERSION, since=since)
    for row in replay_queryset(consultations, since=since).iterator(chunk_size=CHUNK_SIZE):
        reference = row["reference"]
        mapping = rules_input(row)  # the row's values, as Consultation.rules_input reads them
        try:
            answers = rules.Answers.from_mapping(mapping)
        except rules.AnswersError:
            report.invalid.append(reference)
            continue
        result = rules.evaluate(answers)
        report.replayed += 1
        report.stored_versions[row["latest_evaluation__ruleset_version"]] += 1
        stored = row["latest_evaluation__primary"]
        if result.primary != stored:
            report.changed.append(ChangedPrimary(reference, stored, result.primary))
        if stored == rules.DEFER:
            report.deferred_before += 1
        if result.primary == rules.DEFER:
            report.deferred_after += 1
            report.deferring_rules.update(_deferring(result))
            if stored != rules.DEFER:
                report.newly_deferring_rules.update(_deferring(result))
        if row["questionnaire_version"] != rules.QUESTIONNAIRE_VERSIONS[-1]:
            report.legacy += 1
            if_no = rules.evaluate(rules.Answers.from_mapping(answered_no(mapping)))
            report.legacy_deferred_if_answered_no += if_no.primary == rules.DEFER

        outcome, treatment = row["decision_outcome"], row["decision_treatment"]
        if outcome is None:
            continue
        report.decided += 1
        if outcome == DecisionOutcome.ACCEPTED or (treatment and treatment == stored):
            report.agreement_before += 1
        if treatment and treatment == result.primary:
            report.agreement_after += 1
        if treatment and treatment in {e.treatment for e in result.excluded}:
            report.excluded_choices.append(ExcludedChoice(reference, treatment, outcome))
    return report


def format_table(report: ReplayReport) -> str:
    """The report as plain text for a terminal."""

    def percent(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}%"

    lines = [
        f"Rule test bench: ruleset {report.ruleset_version}"
        + (f", consultations submitted since {report.since.isoformat()}" if report.since else ""),
        f"Consultations replayed:   {report.replayed}",
        "Stored ruleset versions:  "
        + (", ".join(f"{v} ({n})" for v, n in sorted(report.stored_versions.items())) or "-"),
        f"Primary would change:     {len(report.changed)}",
    ]
    for old, new, n in report.transitions:
        lines.append(f"  {old} -> {new}: {n}")
    lines += [
        f"Decided (current decision): {report.decided}",
        f"Agreement with practitioners before: {report.agreement_before} "
        f"({percent(report.agreement_before_percent)})",
        f"Agreement with practitioners after:  {report.agreement_after} "
        f"({percent(report.agreement_after_percent)})",
        "",
        "Changed primaries (reference: stored -> now):",
    ]
    lines += [f"  {c.reference}: {c.stored} -> {c.now}" for c in report.changed] or ["  none"]
    lines += [
        "",
        f"Deferred (no automatic suggestion): {report.deferred_before} as stored, "
        f"{report.deferred_after} now",
        "Rules that defer now (consultations):",
    ]
    lines += [
        f"  {rule}: {n}" for rule, n in sorted(report.deferring_rules.items(), key=_rule_order)
    ] or ["  none"]
    lines += ["Rules behind the new deferrals (consultations):"]
    lines += [
        f"  {rule}: {n}"
        for rule, n in sorted(report.newly_deferring_rules.items(), key=_rule_order)
    ] or ["  none"]
    if report.legacy:
        lines += [
            f"Answered under an earlier questionnaire: {report.legacy} (R45 defers them until "
            f"the patient is asked); if every newer question were answered no: "
            f"{report.legacy_deferred_if_answered_no} would still defer",
        ]
    lines += ["", "Practitioner chose a treatment the current rules exclude:"]
    lines += [f"  {c.reference}: {c.treatment} ({c.outcome})" for c in report.excluded_choices] or [
        "  none"
    ]
    if report.invalid:
        lines += ["", "Answers the current rules refuse (not replayed):"]
        lines += [f"  {reference}" for reference in report.invalid]
    return "\n".join(lines) + "\n"
