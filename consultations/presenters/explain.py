"""The suggestion explained for a practitioner who has ten seconds: a summary line that says
why the first option comes first, the facts looked at first, and each reason marked by what the
rule did to that option.

Both come from the engine's own ranking parts (`rules.ranking`: the rules that lower an option's
tier, prefer it, or weigh as a caution, then downtime), recomputed from the answers the rules
saw, so they are only given for evaluations made by the current ruleset. Free text that names a
medicine is in `presenters/free_text.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consultations import rules
from consultations.models import Consultation, Evaluation
from consultations.presenters.answers import Row, Section, answer_text
from consultations.presenters.review import rule_name, treatment_label
from consultations.rules import table

FOR, FOR_CAUTION, CAUTION, AGAINST, NOTE = "for", "for-caution", "caution", "against", "note"
STANCE_WORDS = {
    FOR: "For",
    FOR_CAUTION: "For, with caution",
    CAUTION: "Caution",
    AGAINST: "Against",
    NOTE: "Note",
}
TIER_WORDS = {
    table.SAFETY_LIMITED: "not first-line for safety",
    table.NO_LEAD_TIER: "never first for this goal",
    table.EFFICACY_LIMITED: "less effective for this goal",
}


def ranking(evaluation: Evaluation) -> dict[str, rules.Ranking]:
    """The engine's ranking parts for the answers this evaluation saw ({} for an earlier
    ruleset, whose rules are not the ones here)."""
    if evaluation.ruleset_version != rules.RULESET_VERSION:
        return {}
    try:
        return rules.ranking(rules.Answers.from_mapping(evaluation.answers))
    except rules.AnswersError:
        return {}


def stance(rule: str, parts: rules.Ranking | None) -> str:
    """What `rule` did to the option: lowered it (against), preferred it (for), weighed as a
    caution, or only said something about it (note)."""
    if parts is None:
        return ""
    if rule in parts.contraindications or rule in parts.limits:
        return AGAINST
    if rule in parts.prefers:
        return FOR_CAUTION if rule in parts.weighted else FOR
    return CAUTION if rule in parts.weighted else NOTE


def mark_reasons(card: dict[str, Any], evaluation: Evaluation) -> dict[str, Any]:
    """The card with each reason's stance, and a sentence already shown under another option
    given as "as for <that option>"."""
    parts = ranking(evaluation)
    card["ranking"] = parts
    first_said: dict[str, str] = {}
    for entry in [*card["suggestions"], *card["excluded"]]:
        reasons = []
        for reason in entry.get("reasons", []):
            marked = stance(reason["rule"], parts.get(entry["treatment"])) if parts else ""
            if entry in card["excluded"]:
                marked = AGAINST
            reasons.append(
                {
                    **reason,
                    "stance": marked,
                    "stance_label": STANCE_WORDS.get(marked, ""),
                    "repeat": reason["text"] in first_said,
                    "said_under": first_said.get(reason["text"], ""),
                }
            )
            first_said.setdefault(reason["text"], entry["label"])
        entry["reasons"] = reasons
    return card


def _named(rule_ids: list[str] | tuple[str, ...]) -> str:
    return "; ".join(f"{rule} {rule_name(rule)}" for rule in dict.fromkeys(rule_ids))


def _why_lower(first: rules.Ranking, other: rules.Ranking, first_label: str) -> str:
    """Why `other` ranks below `first`, by the first ranking key that differs (4.4)."""
    if other.tier > first.tier:
        limiting = [rule for rule in other.limits if rule not in first.limits] or other.limits
        return f"{TIER_WORDS.get(other.tier, 'ranks lower')} ({_named(limiting)})"
    if len(other.prefers) < len(first.prefers):
        preferring = [rule for rule in first.prefers if rule not in other.prefers]
        return f"{first_label} is preferred ({_named(preferring)})"
    if len(other.weighted) > len(first.weighted):
        extra = [rule for rule in other.weighted if rule not in first.weighted]
        return f"more cautions ({_named(extra)})"
    return "more downtime"


def summary_line(card: dict[str, Any]) -> str:
    """One line: what comes first, its cautions, and why each other option does not ("Chemical
    peel (caution: R16 ...), because picosecond laser is excluded (R05 ...); ...")."""
    if card["is_defer"]:
        stops = [f["rule"] for f in card["flags"] if f["severity"] == "stop"]
        because = f" ({_named(stops)})" if stops else ""
        return f"No automatic suggestion{because}: the practitioner decides."
    parts: dict[str, rules.Ranking] = card.get("ranking") or {}
    first = card["suggestions"][0]
    lead = parts.get(first["treatment"])
    cautions = f": {_named(lead.weighted)}" if lead and lead.weighted else ""
    line = f"{first['label']} ({first['status_label'].lower()}{cautions})"
    clauses = [
        f"{entry['label'].lower()} is excluded ({_named([r['rule'] for r in entry['reasons']])})"
        for entry in card["excluded"]
    ]
    for entry in card["suggestions"][1:]:
        other = parts.get(entry["treatment"])
        why = f": {_why_lower(lead, other, first['label'].lower())}" if lead and other else ""
        clauses.append(f"{entry['label'].lower()} ranks lower{why}")
    return line + (", because " + "; ".join(clauses) if clauses else "") + "."


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


def facts(consultation: Consultation) -> list[Fact]:
    """What a practitioner looks at first: phototype and who set it, sebum, age, main goal,
    downtime."""
    phototype = answer_text("fitzpatrick", consultation.fitzpatrick)
    source = answer_text("fitzpatrick_source", consultation.fitzpatrick_source)
    return [
        Fact("Phototype", f"{phototype} ({source.lower()})"),
        Fact("Sebum", answer_text("sebum", consultation.sebum)),
        Fact("Age", str(consultation.age) if consultation.age is not None else "–"),
        Fact(
            "Main goal",
            answer_text("goals", consultation.primary_goal) if consultation.goals else "–",
        ),
        Fact("Downtime", answer_text("downtime_tolerance", consultation.downtime_tolerance)),
    ]


@dataclass(frozen=True)
class CompactSection:
    """A section of answers for paper: each answer other than "No" on its own line, the
    questions answered "No" in one list."""

    title: str
    rows: list[Row]
    answered_no: list[str]


def compact_sections(sections: list[Section]) -> list[CompactSection]:
    no = answer_text("pregnant", False)
    return [
        CompactSection(
            section.title,
            [row for row in section.rows if row.value != no or row.correction],
            [row.label for row in section.rows if row.value == no and not row.correction],
        )
        for section in sections
        if section.rows
    ]


__all__ = [
    "AGAINST",
    "CAUTION",
    "FOR",
    "FOR_CAUTION",
    "NOTE",
    "CompactSection",
    "Fact",
    "compact_sections",
    "facts",
    "mark_reasons",
    "ranking",
    "stance",
    "summary_line",
    "treatment_label",
]
