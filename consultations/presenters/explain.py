"""The suggestion explained for a practitioner who has ten seconds: a summary line, the facts
looked at first, each reason marked for or against its treatment, and free text that
contradicts a yes/no answer.

Stances come from the rule table (the effect a rule had on that treatment, given the answers
the rules saw), so they are only given for evaluations made by the current ruleset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from consultations import questionnaire, rules
from consultations.models import Consultation, Evaluation
from consultations.presenters.answers import Row, Section, answer_text
from consultations.presenters.review import rule_name, treatment_label
from consultations.rules import table

FOR, AGAINST, NOTE = "for", "against", "note"
STANCE_WORDS = {FOR: "For", AGAINST: "Against", NOTE: "Note"}
_FOR_KINDS = {table.PREFER, table.ELIGIBLE}
_NOTE_KINDS = {table.NOTE}


def stances(evaluation: Evaluation) -> dict[tuple[str, str], str]:
    """(rule id, treatment) -> "for", "against" or "note", for the rules that affected it."""
    if evaluation.ruleset_version != rules.RULESET_VERSION:
        return {}
    try:
        answers = rules.Answers.from_mapping(evaluation.answers)
    except rules.AnswersError:
        return {}
    found: dict[tuple[str, str], str] = {}
    for rule in rules.RULES:
        if not isinstance(rule, rules.Rule):
            continue
        for treatment, effects in rule.actions.items():
            kinds = {effect.kind for effect in effects if effect.applies(answers)}
            if not kinds:
                continue
            if kinds <= _FOR_KINDS:
                found[(rule.id, treatment)] = FOR
            elif kinds <= _NOTE_KINDS:
                found[(rule.id, treatment)] = NOTE
            elif kinds - _FOR_KINDS - _NOTE_KINDS:
                found[(rule.id, treatment)] = AGAINST
    return found


def mark_reasons(card: dict[str, Any], evaluation: Evaluation) -> dict[str, Any]:
    """The card with each reason's stance, and a sentence shown again only as "as above"."""
    marks = stances(evaluation)
    seen: set[str] = set()
    for entry in [*card["suggestions"], *card["excluded"]]:
        reasons = []
        for reason in entry.get("reasons", []):
            stance = (
                AGAINST
                if entry in card["excluded"]
                else marks.get((reason["rule"], entry["treatment"]), "")
            )
            reasons.append(
                {
                    **reason,
                    "stance": stance,
                    "stance_label": STANCE_WORDS.get(stance, ""),
                    "repeat": reason["text"] in seen,
                }
            )
            seen.add(reason["text"])
        entry["reasons"] = reasons
    return card


def _rules(entry: dict[str, Any], stance: str) -> list[str]:
    return list(
        dict.fromkeys(r["rule"] for r in entry.get("reasons", []) if r.get("stance") == stance)
    )


def _named(rule_ids: list[str]) -> str:
    return "; ".join(f"{rule} {rule_name(rule)}" for rule in rule_ids)


def summary_line(card: dict[str, Any]) -> str:
    """One line: what comes first and why the others do not ("Chemical peel (caution), because
    picosecond laser is excluded (R05 Pregnant or trying to conceive); ...")."""
    if card["is_defer"]:
        stops = list(dict.fromkeys(f["rule"] for f in card["flags"] if f["severity"] == "stop"))
        because = f" ({_named(stops)})" if stops else ""
        return f"No automatic suggestion{because}: the practitioner decides."
    first = card["suggestions"][0]
    parts = [
        f"{entry['label'].lower()} is excluded ({_named(_rules(entry, AGAINST))})"
        for entry in card["excluded"]
    ]
    for entry in card["suggestions"][1:]:
        against = _rules(entry, AGAINST)
        favours = [r for r in _rules(first, FOR) if r not in _rules(entry, FOR)]
        if against:
            why = f" ({_named(against)})"
        elif favours:
            why = f" ({_named(favours)} favours {first['label'].lower()})"
        else:
            why = ""
        parts.append(f"{entry['label'].lower()} ranks lower{why}")
    cautions = _rules(first, AGAINST)
    status = first["status_label"].lower() + (f": {_named(cautions)}" if cautions else "")
    line = f"{first['label']} ({status})"
    return line + (", because " + "; ".join(parts) if parts else "") + "."


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


# Names in the patient's free text that bear on a yes/no question (generic and brand names
# patients in Singapore write; lower case, matched as whole words).
KNOWN_NAMES: dict[str, tuple[str, ...]] = {
    "photosensitising_meds": (
        "doxycycline", "minocycline", "tetracycline", "lymecycline", "hydrochlorothiazide",
        "amiodarone", "st john's wort", "st johns wort", "st john’s wort", "psoralen",
        "methoxsalen",
    ),
    "isotretinoin_last_6_months": (
        "isotretinoin", "roaccutane", "accutane", "oratane", "absorica", "claravis",
    ),
    "topical_retinoid_last_7_days": (
        "tretinoin", "retin-a", "retinol", "adapalene", "differin", "tazarotene",
    ),
    "anticoagulant_or_bleeding_disorder": (
        "warfarin", "apixaban", "rivaroxaban", "dabigatran", "edoxaban", "clopidogrel",
        "ticagrelor", "aspirin", "heparin", "enoxaparin",
    ),
    "systemic_gold_therapy_ever": ("gold", "auranofin", "aurothiomalate", "myocrisin"),
    "steroid_or_bleaching_cream_last_6_months": (
        "hydroquinone", "clobetasol", "betamethasone", "hydrocortisone", "mometasone",
        "bleaching", "whitening cream", "lightening cream",
    ),
    "immunosuppressed_or_poor_healing": (
        "methotrexate", "prednisolone", "ciclosporin", "cyclosporine", "tacrolimus",
        "azathioprine", "mycophenolate",
    ),
    "salicylate_allergy": ("salicylate", "salicylic", "aspirin"),
}  # fmt: skip
FREE_TEXT = ("other_medicines", "allergies", "previous_treatments")
# Where a name bears on the question: a medicine the patient takes or took, not one they are
# allergic to; an allergy only in the allergies answer.
_READ_IN: dict[str, tuple[str, ...]] = {
    code: ("allergies",)
    if code == "salicylate_allergy"
    else ("other_medicines", "previous_treatments")
    for code in KNOWN_NAMES
}


@dataclass(frozen=True)
class FreeTextAlert:
    """A name in the patient's words that bears on a yes/no answer."""

    name: str
    field: str
    question: str
    answer: str

    @property
    def contradicts(self) -> bool:
        return self.answer != "Yes"


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", re.IGNORECASE)


def free_text_alerts(consultation: Consultation) -> list[FreeTextAlert]:
    """Known names in the free-text answers, with the question they bear on and its answer
    (a "No" beside one is a contradiction to check with the patient)."""
    alerts = []
    for field in FREE_TEXT:
        text = getattr(consultation, field) or ""
        if not text:
            continue
        for code, names in KNOWN_NAMES.items():
            if field not in _READ_IN[code]:
                continue
            for name in names:
                if _pattern(name).search(text):
                    alerts.append(
                        FreeTextAlert(
                            name=name,
                            field=questionnaire.question(field).term,
                            question=questionnaire.question(code).term,
                            answer=answer_text(code, getattr(consultation, code)),
                        )
                    )
                    break
    return alerts


def highlight_names(consultation: Consultation) -> list[str]:
    """The names to mark in the answer table's free text."""
    return sorted({alert.name for alert in free_text_alerts(consultation)})


def mark_names(text: str, names: list[str]) -> list[tuple[str, bool]]:
    """The text in pieces, each flagged True where it is one of `names` (for <mark>)."""
    if not names or not text:
        return [(text, False)]
    pattern = re.compile(
        "|".join(rf"(?<![\w-]){re.escape(n)}(?![\w-])" for n in names), re.IGNORECASE
    )
    pieces, at = [], 0
    for match in pattern.finditer(text):
        if match.start() > at:
            pieces.append((text[at : match.start()], False))
        pieces.append((match.group(0), True))
        at = match.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


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
    "CompactSection",
    "compact_sections",
    "FOR",
    "AGAINST",
    "NOTE",
    "Fact",
    "FreeTextAlert",
    "facts",
    "free_text_alerts",
    "highlight_names",
    "mark_names",
    "mark_reasons",
    "stances",
    "summary_line",
    "treatment_label",
]
