"""Treatment suggestions for enlarged pores: pure Python, no Django.

Answers in (`Answers.from_mapping`), a ranked and explained `Result` out (`evaluate`), following
clinical-rules.md sections 3-6 and the JSON shape of intake-contract.md section 2. The rule table
is `RULES` (see `table.py`); `python manage.py rules_table` prints it for clinicians.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .answers import Answers, AnswersError
from .engine import evaluate
from .result import Exclusion, Flag, Reason, Result, Suggestion
from .table import RANKING, RULES, FinalRule, Rule, ruleset_fingerprint
from .version import RULESET_FINGERPRINTS, RULESET_VERSION
from .vocabulary import (
    ANSWER_FIELDS,
    BOOLEAN_FIELDS,
    DEFER,
    FITZPATRICK_SOURCES,
    FLAG_CODES,
    FLAG_FOR_FIELD,
    GOALS,
    SEBUM_LEVELS,
    SEVERITIES,
    STATUSES,
    TREATMENTS,
)


def suggest(data: Mapping[str, object]) -> dict[str, Any]:
    """The contract JSON for one answers mapping; raises AnswersError when it is invalid."""
    return evaluate(Answers.from_mapping(data)).to_dict()


__all__ = [
    "ANSWER_FIELDS",
    "BOOLEAN_FIELDS",
    "DEFER",
    "FITZPATRICK_SOURCES",
    "FLAG_CODES",
    "FLAG_FOR_FIELD",
    "GOALS",
    "RANKING",
    "RULES",
    "RULESET_FINGERPRINTS",
    "RULESET_VERSION",
    "SEBUM_LEVELS",
    "SEVERITIES",
    "STATUSES",
    "TREATMENTS",
    "Answers",
    "AnswersError",
    "Exclusion",
    "FinalRule",
    "Flag",
    "Reason",
    "Result",
    "Rule",
    "Suggestion",
    "evaluate",
    "ruleset_fingerprint",
    "suggest",
]
