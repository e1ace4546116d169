"""The rule table as Markdown, for clinicians to review without reading Python."""

from __future__ import annotations

from .table import RANKING, RULES, FinalRule, Rule, ruleset_fingerprint
from .version import RULESET_VERSION
from .vocabulary import DEFER, TREATMENTS

HEADER = """\
# Treatment-suggestion rules, ruleset {version}

Generated from the code in `consultations/rules`; do not edit by hand. Regenerate with
`python manage.py rules_table > docs/rules.md` after any rule change (a rule change also needs a
new `RULESET_VERSION`, see `consultations/rules/version.py`). Clinical background and the
sources cited as [S#]: `clinical-rules.md` sections 3-8.

Fingerprint of this table: `{fingerprint}`.

Rules are evaluated in table order; flags accumulate. Effects on a treatment: **contraindicated**
(never suggested, listed under excluded with the reason); **defer to practitioner** (not
suggested automatically); **caution** (eligible, with the rule's flag and constraints in
brackets); **prefer** (ranked up); **eligible**; **not first-line** (may be listed, not first;
limited for safety or for efficacy). "if ...:" limits an effect to part of the rule's patients.
A **defer** in the flag column makes the primary suggestion `{defer}` (R29)."""


def rules_markdown() -> str:
    """The whole rule set, the ranking policy and the flag severities, as Markdown."""
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
            rule.reason,
            _sources(rule.sources),
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "## Ranking and the primary suggestion", ""]
    lines += [f"{n}. {step}" for n, step in enumerate(RANKING, start=1)]
    lines += [
        "",
        "## Flag severities",
        "",
        "- `stop`: the rules make no automatic suggestion (R01, R02, R03, R15; R08 and R09 when "
        "they defer).",
        "- `caution`: every other flag; its rule restricts or cautions at least one treatment.",
        "- `info`: reserved for notes that change nothing; no rule raises one in this version.",
    ]
    return "\n".join(lines)


def _flag_cell(rule: Rule | FinalRule) -> str:
    parts = [f"`{rule.flag}` ({rule.severity})"] if rule.flag else []
    if isinstance(rule, FinalRule):
        parts.append(f"**defer** (`{DEFER}`)")
    elif rule.stop:
        parts.append("**defer**")
    elif rule.defer_if is not None:
        parts.append(f"**defer** if {rule.defer_if.text} (flag then `stop`)")
    return "; ".join(parts) or "-"


def _sources(sources: tuple[str, ...]) -> str:
    refs = "".join(f"[{s}]" for s in sources if s.startswith("S"))
    notes = [s for s in sources if not s.startswith("S")]
    return "; ".join([refs, *notes]) if refs else "; ".join(notes) or "-"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
