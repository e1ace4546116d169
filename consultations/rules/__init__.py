"""Treatment suggestions for enlarged pores: pure Python, no Django.

Answers in (`Answers.from_mapping`), a ranked and explained `Result` out (`evaluate`), following
clinical-rules.md sections 3-6 (ruleset 2026.2) and the JSON shape of intake-contract.md
section 2. Answers from questionnaire 2026.1 carry `"questionnaire_version": "2026.1"`. The rule
table is `RULES` (see `table.py`); `python manage.py rules_table` prints it for clinicians.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .answers import MAX_AGE, MIN_AGE, Answers, AnswersError
from .engine import Ranking, evaluate, ranking
from .result import AgentExclusion, Exclusion, Flag, Reason, Result, Suggestion
from .table import (
    CONSTRAINT_CATALOGUE,
    RANKING,
    RULES,
    AgentRule,
    FinalRule,
    Rule,
    ruleset_fingerprint,
)
from .version import RULESET_FINGERPRINTS, RULESET_VERSION
from .vocabulary import (
    ANSWER_FIELDS,
    BOOLEAN_FIELDS,
    DEFER,
    FITZPATRICK_SOURCES,
    FLAG_CODES,
    FLAG_FOR_FIELD,
    FOLLOW_UPS,
    GOALS,
    INFLAMED_ACNE_SEVERITIES,
    INPUT_FIELDS,
    ISOTRETINOIN_TIMINGS,
    NEW_BOOLEAN_FIELDS_2026_2,
    NEW_CODES_2026_2,
    PEEL_AGENT_LABELS,
    PEEL_AGENTS,
    QUESTIONNAIRE_VERSION,
    QUESTIONNAIRE_VERSION_KEY,
    QUESTIONNAIRE_VERSIONS,
    SEBUM_LEVELS,
    SEVERITIES,
    STATUSES,
    TREATMENTS,
    UNVERIFIED_SOURCES,
    VERIFIED_SOURCE,
)


def suggest(data: Mapping[str, object]) -> dict[str, Any]:
    """The contract JSON for one answers mapping; raises AnswersError when it is invalid."""
    return evaluate(Answers.from_mapping(data)).to_dict()


__all__ = [
    "Ranking",
    "ranking",
    "ANSWER_FIELDS",
    "BOOLEAN_FIELDS",
    "CONSTRAINT_CATALOGUE",
    "DEFER",
    "FITZPATRICK_SOURCES",
    "FLAG_CODES",
    "FLAG_FOR_FIELD",
    "FOLLOW_UPS",
    "GOALS",
    "INFLAMED_ACNE_SEVERITIES",
    "INPUT_FIELDS",
    "ISOTRETINOIN_TIMINGS",
    "MAX_AGE",
    "MIN_AGE",
    "NEW_BOOLEAN_FIELDS_2026_2",
    "NEW_CODES_2026_2",
    "PEEL_AGENTS",
    "PEEL_AGENT_LABELS",
    "QUESTIONNAIRE_VERSION",
    "QUESTIONNAIRE_VERSIONS",
    "QUESTIONNAIRE_VERSION_KEY",
    "RANKING",
    "RULES",
    "RULESET_FINGERPRINTS",
    "RULESET_VERSION",
    "SEBUM_LEVELS",
    "SEVERITIES",
    "STATUSES",
    "TREATMENTS",
    "UNVERIFIED_SOURCES",
    "VERIFIED_SOURCE",
    "AgentExclusion",
    "AgentRule",
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
