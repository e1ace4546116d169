"""The rules' output, corrections, decisions and the history in practitioners' words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from consultations import questionnaire, rules
from consultations.models import (
    AnswerCorrection,
    Decision,
    DecisionOutcome,
    DecisionReason,
    Evaluation,
    EvaluationTrigger,
    Primary,
)
from consultations.presenters.answers import answer_text

# --- The rules' output --------------------------------------------------------------------------

SEVERITY_ORDER = {"stop": 0, "caution": 1, "info": 2}
STATUS_LABELS = {"suitable": "Suitable", "caution": "Caution"}

# Flags in clinical terms: a yes/no answer's flag is named after its question's term.
FLAG_TERMS: dict[str, str] = {
    flag: questionnaire.question(code).term for code, flag in rules.FLAG_FOR_FIELD.items()
} | {
    # Flags the rules raise from a combination of answers.
    "PIH_RISK": "PIH risk (Fitzpatrick III–VI)",
    "ISOTRETINOIN_PREGNANCY": "Isotretinoin with pregnancy or trying to conceive",
    "PIGMENT_NOT_EXAMINED": "Phototype and pigment not yet examined",
    "NODULOCYSTIC_ACNE": "Nodulocystic acne (or not sure)",
    "ANSWERS_MISSING": "Questionnaire 2026.2 answers not asked yet",
}


def flag_label(code: str) -> str:
    return FLAG_TERMS.get(code, code)


# Rules that raise no flag, named in a few clinical words (a flag's rule takes the flag's name).
RULE_TERMS: dict[str, str] = {
    "R17": "Fitzpatrick V–VI with a pore, oil or pigment goal",
    "R18": "Fitzpatrick VI",
    "R19": "Oily skin with pores or oil the main goal",
    "R19a": "Pores or oil the main goal",
    "R20": "Dry skin",
    "R21": "Acne scars the main goal",
    "R22": "Fine lines the main goal",
    "R23": "Pores the main goal, age 45 or over",
    "R24": "Texture the only goal",
    "R25": "Pigmentation the main goal",
    "R29": "Defer to practitioner",
    "R31": "Peel agents",
}
_RULE_FLAGS: dict[str, str] = {r.id: r.flag for r in rules.RULES if r.flag}


def rule_name(rule_id: str) -> str:
    """A rule's name for staff ("PIH risk (Fitzpatrick III–VI)"); the id for an unknown rule."""
    if rule_id in _RULE_FLAGS:
        return flag_label(_RULE_FLAGS[rule_id])
    return RULE_TERMS.get(rule_id, rule_id)


def treatment_label(code: str) -> str:
    """A treatment (or "defer to practitioner") in words."""
    return dict(Primary.choices).get(code, code)


def output_card(output: dict[str, Any]) -> dict[str, Any]:
    """The rules' output (contract JSON) with the labels staff read; flags by severity, stop
    first. The review page, the printable summary and the admin show it."""
    flags = sorted(output.get("flags", []), key=lambda f: SEVERITY_ORDER.get(f["severity"], 9))
    return {
        "primary": output["primary"],
        "primary_label": treatment_label(output["primary"]),
        "is_defer": output["primary"] == rules.DEFER,
        "defer_reason": output.get("defer_reason"),
        "suggestions": [
            {
                **s,
                "label": treatment_label(s["treatment"]),
                "is_primary": s["rank"] == 1,
                "status_label": STATUS_LABELS.get(s["status"], s["status"]),
                "agents_allowed": agents_text(s)[0],
                "agents_ruled_out": agents_text(s)[1],
                # The constraints other than the allowed peel agents (shown on their own).
                "other_constraints": [
                    c for c in s.get("constraints", []) if not str(c).startswith(AGENTS_ALLOWED)
                ],
            }
            for s in output.get("suggestions", [])
        ],
        "excluded": [
            {**e, "label": treatment_label(e["treatment"])} for e in output.get("excluded", [])
        ],
        "flags": [
            {**f, "label": flag_label(f["code"]), "severity_label": f["severity"].upper()}
            for f in flags
        ],
        "stop_count": sum(f["severity"] == "stop" for f in flags),
        "ruleset_version": output.get("ruleset_version", ""),
        # R45: the codes the patient was never asked (from its constraint), else empty.
        "answers_missing": _unasked_codes(output),
    }


ASK_FIRST = "ask the patient first: "
AGENTS_ALLOWED = "agents allowed: "


def _unasked_codes(output: dict[str, Any]) -> list[str]:
    if not any(flag["code"] == "ANSWERS_MISSING" for flag in output.get("flags", [])):
        return []
    for suggestion in output.get("suggestions", []):
        for constraint in suggestion.get("constraints", []):
            if str(constraint).startswith(ASK_FIRST):
                return str(constraint).removeprefix(ASK_FIRST).split(", ")
    return ["(the newer questions)"]


def agents_text(suggestion: dict[str, Any]) -> tuple[str, str]:
    """A peel suggestion's allowed agents, and the agents ruled out with the rules that did it,
    in words ("", "" for a treatment other than the peel)."""
    if "agents" not in suggestion:
        return "", ""
    allowed = ", ".join(rules.PEEL_AGENT_LABELS[agent] for agent in suggestion["agents"])
    ruled_out = "; ".join(
        f"{rules.PEEL_AGENT_LABELS[entry['agent']]} ({', '.join(entry['rules'])})"
        for entry in suggestion.get("agents_excluded", [])
    )
    return allowed, ruled_out


def suggestion_card(evaluation: Evaluation) -> dict[str, Any]:
    """One evaluation's output card, with the evaluation (when and why the rules ran)."""
    return {**output_card(evaluation.output), "evaluation": evaluation}


def suggestion_line(evaluation: Evaluation) -> str:
    """One line for the history: what the rules suggested, and how many flags."""
    flags = evaluation.output["flags"]
    stops = sum(flag["severity"] == "stop" for flag in flags)
    return (
        f"Suggested: {treatment_label(evaluation.primary)} · {len(flags)} flag(s), {stops} stop "
        f"· ruleset {evaluation.ruleset_version}"
    )


# --- Corrections, decisions and the history -----------------------------------------------------

ANSWER_TERMS: dict[str, str] = {
    code: questionnaire.question(code).term
    for code in (
        "fitzpatrick",
        "fitzpatrick_source",
        "sebum",
        *rules.BOOLEAN_FIELDS,
        *rules.FOLLOW_UPS,
    )
}


def correction_line(correction: AnswerCorrection) -> str:
    """ "Fitzpatrick phototype: Type II → Type IV"."""
    name = ANSWER_TERMS.get(correction.field, correction.field)
    old = answer_text(correction.field, correction.old_value)
    new = answer_text(correction.field, correction.new_value)
    return f"{name}: {old} → {new}"


TRIGGER_TITLES = {
    EvaluationTrigger.SUBMISSION: "Rules ran on the patient's submission",
    EvaluationTrigger.CORRECTION: "Answers corrected; rules ran again",
    EvaluationTrigger.RERUN: "Rules ran again",
}


def decision_lines(decision: Decision) -> list[str]:
    """The decision in the words of the review page, the history and the printable summary."""
    words = DecisionOutcome(decision.outcome).label
    lines = [f"{words}: {decision.get_treatment_display()}" if decision.treatment else words]
    if decision.treatment and decision.plan_sessions:
        lines.append(
            f"Plan: {decision.plan_sessions} sessions, {decision.plan_interval_weeks} weeks apart"
        )
    agents = [c for c in decision.plan_constraints if c.startswith(AGENTS_ALLOWED)]
    others = [c for c in decision.plan_constraints if not c.startswith(AGENTS_ALLOWED)]
    if agents:
        lines.append("Peel agents allowed: " + agents[0].removeprefix(AGENTS_ALLOWED))
    if others:
        lines.append("Constraints: " + "; ".join(others))
    if decision.reason_code:
        lines.append(f"Reason: {DecisionReason(decision.reason_code).label}")
    if decision.override_excluded:
        lines.append("Override: the rules had excluded this treatment")
    if decision.amendment_reason:
        lines.append(f"Why amended: {decision.amendment_reason}")
    return lines


def timeline(
    evaluations: Sequence[Evaluation],
    corrections: Sequence[AnswerCorrection],
    decisions: Sequence[Decision],
    latest_id: int | None,
) -> list[dict[str, Any]]:
    """Evaluations (with the corrections that caused them) and decisions, oldest first."""
    by_evaluation: dict[int | None, list[AnswerCorrection]] = {}
    for correction in corrections:
        by_evaluation.setdefault(correction.evaluation_id, []).append(correction)
    events: list[dict[str, Any]] = []
    for evaluation in evaluations:
        caused = by_evaluation.pop(evaluation.pk, [])
        lines = [correction_line(c) for c in caused]
        lines.append(suggestion_line(evaluation))
        events.append(
            {
                "at": evaluation.created_at,
                "kind": "evaluation",
                "title": TRIGGER_TITLES.get(EvaluationTrigger(evaluation.trigger), "Rules ran"),
                "by": evaluation.created_by,
                "lines": lines,
                "notes": sorted({c.note for c in caused if c.note}),
                "card": suggestion_card(evaluation) if evaluation.pk != latest_id else None,
                "is_latest": evaluation.pk == latest_id,
            }
        )
    for loose in by_evaluation.values():  # corrections without an evaluation (none expected)
        for correction in loose:
            events.append(
                {
                    "at": correction.corrected_at,
                    "kind": "correction",
                    "title": "Answer corrected",
                    "by": correction.corrected_by,
                    "lines": [correction_line(correction)],
                    "notes": [correction.note] if correction.note else [],
                }
            )
    for decision in decisions:
        events.append(
            {
                "at": decision.decided_at,
                "kind": "decision",
                "title": "Decision amended" if decision.supersedes_id else "Decision recorded",
                "by": decision.decided_by,
                "decision": decision,
                "lines": decision_lines(decision),
                "notes": [decision.notes] if decision.notes else [],
            }
        )
    return sorted(events, key=lambda event: event["at"])


def answers_seen(answers: dict[str, Any]) -> list[tuple[str, str]]:
    """(clinical term, answer) for the answers an evaluation's rules saw."""
    return [
        (
            questionnaire.question(code).term if code in questionnaire.BY_CODE else code,
            answer_text(code, value),
        )
        for code, value in answers.items()
    ]


def person_name(user: Any) -> str:
    """How staff pages name a member of staff."""
    return str(user.get_full_name() or user.get_username())
