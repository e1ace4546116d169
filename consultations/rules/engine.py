"""Apply the rule table to one consultation's answers: pure and deterministic.

Each treatment collects what the rules say about it (_Standing). Contraindicated treatments are
excluded. The rest are ranked by `rank_key`, which is the ranking policy printed as `RANKING`:
first-line, then not first-line for efficacy, then not first-line for safety; then more `prefer`
rules; then fewer cautions; then lower typical downtime. R29 (`_defer_reason`) decides whether
the first of them becomes the primary or the practitioner decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from .answers import Answers
from .result import Exclusion, Flag, Reason, Result, Suggestion
from .table import CONTRAINDICATE, DOWNTIME_ORDER, PREFER, RULES, SAFETY, Effect, Rule
from .version import RULESET_VERSION
from .vocabulary import CAUTION, DEFER, STOP, SUITABLE, TREATMENTS

T = TypeVar("T")

FIRST_LINE, EFFICACY_LIMITED, SAFETY_LIMITED = 0, 1, 2


@dataclass
class _Standing:
    """What the rules have said so far about one treatment."""

    treatment: str
    contraindications: list[Reason] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    cautions: set[str] = field(default_factory=set)
    prefers: set[str] = field(default_factory=set)
    limits: dict[str, str] = field(default_factory=dict)

    def apply(self, rule: Rule, effect: Effect) -> None:
        reason = Reason(rule.id, rule.reason)
        if effect.kind == CONTRAINDICATE:
            _append_new(self.contraindications, reason)
            return
        _append_new(self.reasons, reason)
        for constraint in effect.constraints:
            _append_new(self.constraints, constraint)
        if effect.is_caution:
            self.cautions.add(rule.id)
        if effect.kind == PREFER:
            self.prefers.add(rule.id)
        if effect.limit:
            self.limits[rule.id] = effect.limit

    @property
    def tier(self) -> int:
        if SAFETY in self.limits.values():
            return SAFETY_LIMITED
        return EFFICACY_LIMITED if self.limits else FIRST_LINE

    def rank_key(self) -> tuple[int, int, int, int]:
        return (
            self.tier,
            -len(self.prefers),
            len(self.cautions),
            DOWNTIME_ORDER.index(self.treatment),
        )

    def safety_limits(self) -> list[str]:
        return [rule for rule, limit in self.limits.items() if limit == SAFETY]


def _append_new(items: list[T], item: T) -> None:
    if item not in items:
        items.append(item)


def evaluate(answers: Answers) -> Result:
    """The ranked, explained suggestion for these answers (clinical-rules.md section 4)."""
    standings = {t: _Standing(t) for t in TREATMENTS}
    flags: list[Flag] = []
    deferring: list[Rule] = []
    for rule in RULES:
        if not isinstance(rule, Rule) or not rule.when.holds(answers):
            continue
        defers = rule.defers(answers)
        if defers:
            deferring.append(rule)
        if rule.flag:
            severity = STOP if defers else rule.severity or CAUTION
            flags.append(Flag(rule.flag, severity, rule.id, rule.reason))
        for treatment, effects in rule.actions.items():
            for effect in effects:
                if effect.applies(answers):
                    standings[treatment].apply(rule, effect)

    excluded = tuple(
        Exclusion(s.treatment, tuple(s.contraindications))
        for s in standings.values()
        if s.contraindications
    )
    eligible = sorted(
        (s for s in standings.values() if not s.contraindications), key=_Standing.rank_key
    )
    suggestions = tuple(
        Suggestion(
            treatment=s.treatment,
            rank=rank,
            status=CAUTION if s.cautions else SUITABLE,
            reasons=tuple(s.reasons),
            constraints=tuple(s.constraints),
        )
        for rank, s in enumerate(eligible, start=1)
    )
    defer_reason = _defer_reason(deferring, eligible)
    return Result(
        ruleset_version=RULESET_VERSION,
        primary=DEFER if defer_reason else eligible[0].treatment,
        suggestions=suggestions,
        excluded=excluded,
        flags=tuple(flags),
        defer_reason=defer_reason,
    )


def _defer_reason(deferring: list[Rule], eligible: list[_Standing]) -> str | None:
    """R29: why the rules make no automatic suggestion, or None when they make one."""
    if deferring:
        return " ".join(f"{rule.id}: {rule.defer_reason}" for rule in deferring)
    if not eligible:
        return "R29: every treatment is contraindicated (see excluded); no automatic suggestion."
    if eligible[0].tier == SAFETY_LIMITED:
        limited = ", ".join(
            f"{s.treatment.replace('_', ' ')} ({', '.join(s.safety_limits())})" for s in eligible
        )
        return (
            f"R29: every remaining option is not first-line for safety reasons: {limited}; "
            "the practitioner decides."
        )
    return None
