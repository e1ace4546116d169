"""The rules package is pure Python: importing it never loads Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_rules_in_a_fresh_interpreter_does_not_load_django() -> None:
    code = (
        "import sys\n"
        "import consultations.rules as rules\n"
        "rules.suggest({'fitzpatrick': 3, 'fitzpatrick_source': 'self_report', 'sebum': 'dry',"
        " 'goals': ['texture'], 'age': 40, **dict.fromkeys(rules.BOOLEAN_FIELDS, False)})\n"
        "import consultations.rules.markdown\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(loaded)\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_ranking_worked_out_once_is_the_same_and_not_shared() -> None:
    """The ranking is kept per set of answers (engine._ranking): the same answers give equal
    rankings, and a caller changing the one it got changes nobody else's."""
    from consultations import rules

    answers = rules.Answers.from_mapping(
        {
            "fitzpatrick": 3,
            "fitzpatrick_source": "self_report",
            "sebum": "oily",
            "goals": ["pore_size"],
            "age": 40,
            **dict.fromkeys(rules.BOOLEAN_FIELDS, False),
        }
    )
    first = rules.ranking(answers)
    first.clear()

    again = rules.ranking(answers)
    assert again and again == rules.ranking(rules.Answers.from_mapping(answers.to_dict()))
    assert again is not rules.ranking(answers)


def test_a_ranking_follows_the_rule_table_it_was_worked_out_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The kept rankings are keyed by the rule table too: a table swapped in (as a test of a
    rule edit does) ranks afresh instead of answering from what the real table gave."""
    from consultations import rules
    from consultations.rules import table

    answers = rules.Answers.from_mapping(
        {
            "fitzpatrick": 5,
            "fitzpatrick_source": "self_report",
            "sebum": "oily",
            "goals": ["pore_size"],
            "age": 40,
            **dict.fromkeys(rules.BOOLEAN_FIELDS, False),
        }
    )
    limited = {t: r.limits for t, r in rules.ranking(answers).items() if r.limits}
    assert limited, "these answers should limit some treatment"
    treatment, limits = next(iter(limited.items()))
    monkeypatch.setattr(
        table,
        "RULES",
        tuple(rule for rule in table.RULES if getattr(rule, "id", None) not in limits),
    )

    assert rules.ranking(answers)[treatment].limits != limits
