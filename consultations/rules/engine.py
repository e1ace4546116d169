"""Apply the rule table to one consultation's answers: pure and deterministic.

The answer rules run in table order and each treatment collects what they say about it
(`_Standing`). R31 then resolves the peel's agents, the rest are ranked as clinical-rules.md 4.4
says (`_Standing.rank_key`), and R29 (`_defer_reason`) decides whether the first of them becomes
the primary or the practitioner decides.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import table
from .answers import Answers
from .result import AgentExclusion, Exclusion, Flag, Reason, Result, Suggestion
from .table import (
    AGENT_CONSTRAINT_PREFIX,
    CONTRAINDICATE,
    DOWNTIME_ORDER,
    FIRST_LINE,
    NO_LEAD_TIER,
    PREFER,
    SAFETY_LIMITED,
    UNASKED,
    AgentRule,
    AgentText,
    Effect,
    FinalRule,
    Rule,
    catalogue_position,
)
from .version import RULESET_VERSION
from .vocabulary import (
    CAUTION,
    CHEMICAL_PEEL,
    DEFER,
    PEEL_AGENT_LABELS,
    PEEL_AGENTS,
    STOP,
    SUITABLE,
    TREATMENTS,
)


@dataclass
class _Standing:
    """What the rules have said so far about one treatment."""

    treatment: str
    contraindications: list[tuple[str, str | AgentText]] = field(default_factory=list)
    reasons: list[tuple[str, str | AgentText]] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    weighted: list[str] = field(default_factory=list)
    prefers: list[str] = field(default_factory=list)
    limits: dict[int, list[str]] = field(default_factory=dict)
    removals: dict[str, list[str]] = field(default_factory=dict)
    restricting: list[str] = field(default_factory=list)

    def apply(self, rule: Rule, effects: list[Effect], answers: Answers) -> None:
        """Record a rule's applied effects on this treatment (a contraindication wins)."""
        text = next((e.text for e in effects if e.text is not None), rule.reason)
        if isinstance(text, str):
            text = _fill(text, answers)
        if any(e.kind == CONTRAINDICATE for e in effects):
            self.contraindications.append((rule.id, text))
            return
        self.reasons.append((rule.id, text))
        for effect in effects:
            for constraint in effect.constraints:
                _add(self.constraints, _fill(constraint, answers))
            if effect.weighted:
                _add(self.weighted, rule.id)
            if effect.kind == PREFER:
                _add(self.prefers, rule.id)
            if effect.tier != FIRST_LINE:
                _add(self.limits.setdefault(effect.tier, []), rule.id)
            for agent in effect.removes:
                _add(self.removals.setdefault(agent, []), rule.id)
                _add(self.restricting, rule.id)

    @property
    def tier(self) -> int:
        return max(self.limits, default=FIRST_LINE)

    def rank_key(self) -> tuple[int, int, int, int]:
        return (
            self.tier,
            -len(self.prefers),
            len(self.weighted),
            DOWNTIME_ORDER.index(self.treatment),
        )


def _add(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def _fill(text: str, answers: Answers) -> str:
    """R45's texts name the unasked codes."""
    return text.replace(UNASKED, ", ".join(answers.unasked)) if UNASKED in text else text


def evaluate(
    answers: Answers, *, rules: Sequence[Rule | AgentRule | FinalRule] | None = None
) -> Result:
    """The ranked, explained suggestion for these answers (clinical-rules.md section 4).

    `rules` defaults to the rule table; tests pass a modified table (for example a synthetic
    agent restriction) to check how the engine handles it.
    """
    rules = table.RULES if rules is None else rules
    standings, flags, deferring = _collect(answers, rules)
    agent_rule = next(rule for rule in rules if isinstance(rule, AgentRule))
    agents = _resolve_agents(standings[CHEMICAL_PEEL], agent_rule)
    excluded = tuple(
        Exclusion(
            s.treatment,
            tuple(Reason(rule, _text(text, agents)) for rule, text in s.contraindications),
        )
        for s in standings.values()
        if s.contraindications
    )
    eligible = sorted(
        (s for s in standings.values() if not s.contraindications), key=_Standing.rank_key
    )
    suggestions = tuple(_suggestion(s, rank, agents) for rank, s in enumerate(eligible, start=1))
    final_rule = next(rule for rule in rules if isinstance(rule, FinalRule))
    defer_reason = _defer_reason(final_rule, deferring, eligible)
    return Result(
        ruleset_version=RULESET_VERSION,
        primary=DEFER if defer_reason else eligible[0].treatment,
        suggestions=suggestions,
        excluded=excluded,
        flags=tuple(flags),
        defer_reason=defer_reason,
    )


def _collect(
    answers: Answers, rules: Sequence[Rule | AgentRule | FinalRule]
) -> tuple[dict[str, _Standing], list[Flag], list[Rule]]:
    """Run the answer rules in table order: each treatment's standing, the flags, and the
    rules that defer."""
    standings = {t: _Standing(t) for t in TREATMENTS}
    flags: list[Flag] = []
    deferring: list[Rule] = []
    for rule in rules:
        if not isinstance(rule, Rule) or not rule.when.holds(answers):
            continue
        defers = rule.defers(answers)
        if defers:
            deferring.append(rule)
        if rule.flag:
            severity = STOP if defers else rule.severity or CAUTION
            flags.append(Flag(rule.flag, severity, rule.id, _fill(rule.reason, answers)))
        for treatment, effects in rule.actions.items():
            applied = [effect for effect in effects if effect.applies(answers)]
            if applied:
                standings[treatment].apply(rule, applied, answers)
    return standings, flags, deferring


@dataclass(frozen=True)
class Ranking:
    """Why a treatment ranks where it does (clinical-rules.md 4.4), rule by rule: the rules
    that lower its tier, that prefer it, that weigh as a caution, and its downtime position."""

    treatment: str
    tier: int
    limits: tuple[str, ...]
    prefers: tuple[str, ...]
    weighted: tuple[str, ...]
    downtime: int
    contraindications: tuple[str, ...]


def ranking(answers: Answers) -> dict[str, Ranking]:
    """Each treatment's ranking parts for these answers (the practitioner's explanation)."""
    return dict(_ranking(answers, table.RULES))


# A consultation's page explains its suggestion with the ranking on every view. Answers are an
# immutable value of coded answers (no names, no free text): the same answers always rank the
# same under the same rules, so a process works each set out once. The rule table is part of
# the key (hashing it costs well under a microsecond), so a table swapped in by a test is used.
@functools.lru_cache(maxsize=4096)
def _ranking(
    answers: Answers, rules: tuple[Rule | AgentRule | FinalRule, ...]
) -> tuple[tuple[str, Ranking], ...]:
    standings, _, _ = _collect(answers, rules)
    return tuple(
        (
            t,
            Ranking(
                treatment=t,
                tier=s.tier,
                limits=tuple(rule for ids in s.limits.values() for rule in ids),
                prefers=tuple(s.prefers),
                weighted=tuple(s.weighted),
                downtime=DOWNTIME_ORDER.index(t),
                contraindications=tuple(rule for rule, _ in s.contraindications),
            ),
        )
        for t, s in standings.items()
    )


def _resolve_agents(peel: _Standing, agent_rule: AgentRule) -> tuple[str, ...]:
    """R31: the allowed agents are the vocabulary minus every removal (4.3).

    With none left the peel is contraindicated by R31, naming the restricting rules; when
    another rule already contraindicates the peel, R31 does nothing.
    """
    if peel.contraindications:
        return ()
    agents = tuple(agent for agent in PEEL_AGENTS if agent not in peel.removals)
    if not agents:
        text = agent_rule.reason.replace("{rules}", ", ".join(peel.restricting))
        peel.contraindications.append((agent_rule.id, text))
        return ()
    peel.constraints.append(
        AGENT_CONSTRAINT_PREFIX + ", ".join(PEEL_AGENT_LABELS[agent] for agent in agents)
    )
    return agents


def _text(text: str | AgentText, agents: tuple[str, ...]) -> str:
    return text.resolve(agents) if isinstance(text, AgentText) else text


def _suggestion(standing: _Standing, rank: int, agents: tuple[str, ...]) -> Suggestion:
    treatment = standing.treatment
    is_peel = treatment == CHEMICAL_PEEL
    return Suggestion(
        treatment=treatment,
        rank=rank,
        status=CAUTION if standing.weighted else SUITABLE,
        agents=agents if is_peel else None,
        agents_excluded=(
            tuple(
                AgentExclusion(agent, tuple(standing.removals[agent]))
                for agent in PEEL_AGENTS
                if agent in standing.removals
            )
            if is_peel
            else None
        ),
        reasons=tuple(Reason(rule, _text(text, agents)) for rule, text in standing.reasons),
        constraints=tuple(
            sorted(standing.constraints, key=lambda c: catalogue_position(treatment, c))
        ),
    )


def _defer_reason(final: FinalRule, deferring: list[Rule], eligible: list[_Standing]) -> str | None:
    """R29: why the rules make no automatic suggestion, or None when they make one."""
    if deferring:
        return " ".join(f"{rule.id}: {rule.defer_reason}" for rule in deferring)
    if not eligible:
        return f"{final.id}: {final.nothing_eligible}"
    first = eligible[0]
    if first.tier == SAFETY_LIMITED:
        limits = "; ".join(
            f"{_words(s.treatment)}: {', '.join(s.limits[SAFETY_LIMITED])}" for s in eligible
        )
        return f"{final.id}: " + final.only_safety_limited.replace("{limits}", limits)
    if first.tier == NO_LEAD_TIER:
        text = final.no_lead_first.replace("{treatment}", _words(first.treatment))
        return f"{final.id}: " + text.replace("{rules}", ", ".join(first.limits[NO_LEAD_TIER]))
    return None


def _words(treatment: str) -> str:
    return treatment.replace("_", " ")
