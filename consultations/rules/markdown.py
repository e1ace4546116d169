"""The rule table as Markdown, for clinicians to review without reading Python."""

from __future__ import annotations

from .table import (
    CONSTRAINT_CATALOGUE,
    RANKING,
    RULES,
    AgentRule,
    AgentText,
    Effect,
    FinalRule,
    Rule,
    ruleset_fingerprint,
)
from .version import RULESET_VERSION
from .vocabulary import DEFER, PEEL_AGENT_LABELS, TREATMENTS

HEADER = """\
# Treatment-suggestion rules, ruleset {version}

Generated from the code in `consultations/rules`; do not edit by hand. Regenerate with
`python manage.py rules_table > docs/rules.md` after any rule change (a rule change also needs a
new `RULESET_VERSION`, see `consultations/rules/version.py`). Clinical background and the
sources cited as [S#]: `clinical-rules.md` sections 3-8.

Fingerprint of this table: `{fingerprint}`.

Rules are evaluated in table order (R01-R28, R30, R32-R45, then R31, then R29); flags
accumulate. Effects on a treatment (clinical-rules.md 4.1): **CI** contraindicated (never
suggested, listed under excluded with the reason); **DEFER** listed for the practitioner, never
the primary; **NFL-S** caution, not first-line for safety (never the primary); **CAUTION**
eligible with flag and constraints, may lead; **NOTE** constraint or peel-agent restriction
only, no caution weight; **PREFER** ranked up; **ELIGIBLE**; **NFL-E** not first-line for
efficacy (may lead when nothing first-line remains); **NO-LEAD** never the primary for efficacy.
Quoted text is an exact constraint (see the catalogue below); "excl." names the peel agents a
rule removes (R31); "if ...:" limits an effect to part of the rule's patients. A **defer** in
the flag column makes the primary suggestion `{defer}` (R29). The reason column gives the
general text (the flag message), the deferral text and each treatment's own text; a rule's
reason is shown only on the treatments it has an applied effect on."""

TREATMENT_NAMES = {"laser": "Laser", "chemical_peel": "Peel", "microdermabrasion": "MDA"}


def rules_markdown() -> str:
    """The whole rule set, the peel agents, the constraints, the ranking and the flags."""
    lines = [HEADER.format(version=RULESET_VERSION, fingerprint=ruleset_fingerprint(), defer=DEFER)]
    lines += [
        "",
        "| id | condition | laser | chemical peel | microdermabrasion | flag | reason | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rule in RULES:
        cells = [
            rule.id,
            rule.condition,
            *(rule.effects[t] or "-" for t in TREATMENTS),
            _flag_cell(rule),
            _reason_cell(rule),
            _sources(rule.sources),
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "## Peel agents (R31)", ""]
    lines += [
        "Allowed agents = the vocabulary minus every agent removed by a rule that fired (the "
        "intersection of the restrictions), in this order. The peel suggestion lists them in "
        "`agents` and in its first constraint; with none left, R31 excludes the peel.",
        "",
        "| agent | label | removed by |",
        "|---|---|---|",
    ]
    for agent, label in PEEL_AGENT_LABELS.items():
        removers = [
            f"{rule.id} ({effect.only_if.text})" if effect.only_if else rule.id
            for rule in RULES
            if isinstance(rule, Rule)
            for effect in rule.actions.get("chemical_peel", ())
            if agent in effect.removes
        ]
        lines.append(f"| `{agent}` | {_cell(label)} | {', '.join(removers) or '-'} |")
    lines += ["", "## Constraint catalogue", ""]
    lines += [
        "Every constraint the rules may emit; a suggestion's constraints follow this row order. "
        "Two rows are patterns (the text continues).",
        "",
        "| treatment | constraint | kind | rules |",
        "|---|---|---|---|",
    ]
    for entry in CONSTRAINT_CATALOGUE:
        treatments = ", ".join(t.replace("_", " ") for t in entry.treatments)
        text = entry.text + ("…" if entry.pattern else "")
        lines.append(f"| {treatments} | {_cell(text)} | {entry.kind} | {_cell(entry.rules)} |")
    lines += ["", "## Ranking and the primary suggestion", ""]
    lines += [f"{n}. {step}" for n, step in enumerate(RANKING, start=1)]
    lines += [
        "",
        "## Flag severities",
        "",
        "- `stop`: the rule deferred, so the rules make no automatic suggestion (R01, R02, R03, "
        "R13, R15, R30, R33, R36, R39-R43, R45 always; R08 and R09 when they defer).",
        "- `caution`: the rule cautions or restricts at least one treatment.",
        "- `info`: the rule only adds notes (R27, R35, R38).",
        "",
        "A flag is raised whenever its rule's condition holds, even when another rule already "
        "excludes the treatment or makes it not first-line.",
        "",
        "## How these rules are checked",
        "",
        "`tests/rules/` checks the invariants I1-I19 of clinical-rules.md section 9 with "
        "Hypothesis against an independent encoding of the rule table, and runs a slice of the "
        "exhaustive scan. The full scan (about 3.9 million answer sets, both questionnaire "
        "versions) runs with `RULES_EXHAUSTIVE=1 python -m pytest "
        "tests/rules/test_exhaustive.py -m exhaustive -q`.",
    ]
    return "\n".join(lines)


def _flag_cell(rule: Rule | AgentRule | FinalRule) -> str:
    parts = [f"`{rule.flag}` ({rule.severity})"] if rule.flag else []
    if isinstance(rule, FinalRule):
        parts.append(f"**defer** (`{DEFER}`)")
    elif isinstance(rule, Rule) and rule.stop:
        parts.append("**defer**")
    elif isinstance(rule, Rule) and rule.defer_if is not None:
        parts.append(f"**defer** if {rule.defer_if.text} (flag then `stop`)")
    return "; ".join(parts) or "-"


def _reason_cell(rule: Rule | AgentRule | FinalRule) -> str:
    parts = [rule.reason]
    if isinstance(rule, FinalRule):
        parts += [rule.nothing_eligible, rule.only_safety_limited, rule.no_lead_first]
        return " · ".join(parts)
    if not isinstance(rule, Rule):
        return rule.reason
    if rule.defer_reason:
        parts[0] += f" Deferral: {rule.defer_reason}"
    for treatment in TREATMENTS:
        shown: set[object] = set()
        for effect in rule.actions.get(treatment, ()):
            if effect.text is not None and effect.text not in shown:
                shown.add(effect.text)
                parts += _effect_texts(treatment, effect)
    return " · ".join(parts)


def _effect_texts(treatment: str, effect: Effect) -> list[str]:
    name = TREATMENT_NAMES[treatment]
    if effect.only_if is not None:
        name += f" (if {effect.only_if.text})"
    if isinstance(effect.text, AgentText):
        return [
            f"{name}, if `salicylic` is allowed: {effect.text.with_salicylic}",
            f"{name}, otherwise: {effect.text.otherwise}",
        ]
    return [f"{name}: {effect.text}"] if effect.text else []


def _sources(sources: tuple[str, ...]) -> str:
    refs = "".join(f"[{s}]" for s in sources if s.startswith("S"))
    notes = [s for s in sources if not s.startswith("S")]
    return "; ".join([refs, *notes]) if refs else "; ".join(notes) or "-"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
