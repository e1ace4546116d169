"""The rule table itself: complete, in clinical order, and readable without Python."""

from __future__ import annotations

from pathlib import Path

import pytest

from consultations.rules import (
    BOOLEAN_FIELDS,
    CONSTRAINT_CATALOGUE,
    FLAG_CODES,
    FLAG_FOR_FIELD,
    RULES,
    TREATMENTS,
)
from consultations.rules.conditions import Answered
from consultations.rules.markdown import rules_markdown
from consultations.rules.table import (
    ASK_FIRST_PREFIX,
    UNASKED,
    AgentRule,
    FinalRule,
    Rule,
    catalogue_position,
)

from .spec_model import CATALOGUE, FLAG_VOCABULARY

ROOT = Path(__file__).resolve().parents[2]
RULE_IDS = [
    *(f"R{n:02d}" for n in range(1, 20)),
    "R19a",
    *(f"R{n}" for n in range(20, 29)),
    "R30",
    *(f"R{n}" for n in range(32, 46)),
    "R31",
    "R29",
]


def test_the_table_has_every_rule_of_section_4_2_in_evaluation_order() -> None:
    assert [rule.id for rule in RULES] == RULE_IDS


def test_each_yes_no_answer_has_one_rule_that_raises_its_flag() -> None:
    assert len(BOOLEAN_FIELDS) == 29
    for field in BOOLEAN_FIELDS:
        raising = [r for r in RULES if isinstance(r, Rule) and r.when == Answered(field)]
        assert len(raising) == 1, field
        assert raising[0].flag == FLAG_FOR_FIELD[field]


def test_the_flag_vocabulary_is_section_5_2s() -> None:
    assert FLAG_CODES == FLAG_VOCABULARY
    assert {r.flag for r in RULES if r.flag} == set(FLAG_CODES)


def test_every_rule_explains_itself_and_names_its_sources() -> None:
    for rule in RULES:
        assert rule.reason.endswith("."), rule.id
        assert rule.condition, rule.id
        assert set(rule.effects) == set(TREATMENTS), rule.id
        assert rule.sources, rule.id
        if isinstance(rule, Rule):
            assert any(rule.effects.values()), rule.id
            assert (rule.flag is None) == (rule.severity is None), rule.id
            assert bool(rule.defer_reason) == rule.can_defer, rule.id
            assert not rule.defer_reason or rule.defer_reason.endswith("."), rule.id


def test_only_r31_resolves_agents_and_only_r29_decides_on_the_outcome() -> None:
    assert [rule.id for rule in RULES if isinstance(rule, AgentRule)] == ["R31"]
    assert [rule.id for rule in RULES if isinstance(rule, FinalRule)] == ["R29"]


def test_the_constraint_catalogue_is_section_4_6_row_for_row() -> None:
    ours = [(entry.treatments, entry.text) for entry in CONSTRAINT_CATALOGUE]

    assert ours == list(CATALOGUE)


def test_every_constraint_a_rule_can_emit_is_in_the_catalogue_for_its_treatment() -> None:
    emitted = set()
    for rule in RULES:
        if not isinstance(rule, Rule):
            continue
        for treatment, effects in rule.actions.items():
            for effect in effects:
                for constraint in effect.constraints:
                    text = constraint.replace(UNASKED, "x")
                    emitted.add(catalogue_position(treatment, text))
    # Every row but the agent constraint (R31 adds it) is emitted by some rule.
    unused = [e.text for n, e in enumerate(CONSTRAINT_CATALOGUE) if n not in emitted]
    assert unused == ["agents allowed: "]
    assert ASK_FIRST_PREFIX in CONSTRAINT_CATALOGUE[-1].text


def test_an_unknown_constraint_is_refused() -> None:
    with pytest.raises(ValueError, match="not in the catalogue"):
        catalogue_position("laser", "superficial peel only")


def test_the_markdown_table_lists_every_rule() -> None:
    text = rules_markdown()

    for rule_id in RULE_IDS:
        assert f"\n| {rule_id} | " in text
    assert "python manage.py rules_table > docs/rules.md" in text
    assert "## Constraint catalogue" in text
    assert "## Peel agents (R31)" in text


def test_docs_rules_md_is_the_current_rules_table_output() -> None:
    document = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")

    assert document == rules_markdown() + "\n", (
        "docs/rules.md is out of date: run `python manage.py rules_table > docs/rules.md`"
    )
