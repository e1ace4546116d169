"""The rule table itself: complete, in clinical order, and readable without Python."""

from __future__ import annotations

from pathlib import Path

from consultations.rules import BOOLEAN_FIELDS, FLAG_FOR_FIELD, RULES, TREATMENTS
from consultations.rules.conditions import Answered
from consultations.rules.markdown import rules_markdown
from consultations.rules.table import FinalRule, Rule

ROOT = Path(__file__).resolve().parents[2]
RULE_IDS = [f"R{n:02d}" for n in range(1, 20)] + ["R19a"] + [f"R{n}" for n in range(20, 30)]


def test_the_table_has_every_rule_of_section_4_in_order() -> None:
    assert [rule.id for rule in RULES] == RULE_IDS


def test_each_yes_no_answer_has_one_rule_that_raises_its_flag() -> None:
    for field in BOOLEAN_FIELDS:
        raising = [r for r in RULES if isinstance(r, Rule) and r.when == Answered(field)]
        assert len(raising) == 1, field
        assert raising[0].flag == FLAG_FOR_FIELD[field]


def test_every_rule_explains_itself_and_names_its_sources() -> None:
    for rule in RULES:
        assert rule.reason.endswith("."), rule.id
        assert rule.condition, rule.id
        assert set(rule.effects) == set(TREATMENTS), rule.id
        if isinstance(rule, Rule):
            assert rule.sources, rule.id
            assert any(rule.effects.values()), rule.id
            assert (rule.flag is None) == (rule.severity is None), rule.id
            assert bool(rule.defer_reason) == rule.can_defer, rule.id


def test_only_r29_decides_on_the_outcome() -> None:
    assert [rule.id for rule in RULES if isinstance(rule, FinalRule)] == ["R29"]


def test_the_markdown_table_lists_every_rule() -> None:
    text = rules_markdown()

    for rule_id in RULE_IDS:
        assert f"\n| {rule_id} | " in text
    assert "python manage.py rules_table > docs/rules.md" in text


def test_docs_rules_md_is_the_current_rules_table_output() -> None:
    document = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")

    assert document == rules_markdown() + "\n", (
        "docs/rules.md is out of date: run `python manage.py rules_table > docs/rules.md`"
    )
