"""`python manage.py rules_table`: the rule set as Markdown for clinical review."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from consultations.rules import RULES, RULESET_VERSION
from consultations.rules.markdown import rules_markdown


def test_it_prints_every_rule_as_a_markdown_table_row() -> None:
    out = StringIO()

    call_command("rules_table", stdout=out)

    text = out.getvalue()
    assert text == rules_markdown() + "\n"
    assert f"ruleset {RULESET_VERSION}" in text
    assert (
        "| id | condition | laser | chemical peel | microdermabrasion | flag | reason | source |"
        in text
    )
    for rule_id in [f"R{n:02d}" for n in range(1, 46)] + ["R19a"]:
        assert f"\n| {rule_id} | " in text
    assert "| `tca` | TCA 10–30% | R05, R08, R16 (Fitzpatrick IV), R16 (Fitzpatrick V–VI) |" in text
    assert "| all three" not in text  # the catalogue names the treatments
    assert len([line for line in text.splitlines() if line.startswith("| R")]) == len(RULES)
