"""The rules' input: one consultation's answers, validated against the contract.

Questionnaire 2026.2 added 13 codes (intake-contract.md 1.1). A consultation answered under
2026.1 carries `questionnaire_version` "2026.1"; its new codes may then be absent or null, which
means "not asked" (None here), never "no" (contract 1.3, rule R45).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from .vocabulary import (
    ANSWER_FIELDS,
    BOOLEAN_FIELDS,
    FITZPATRICK_SOURCES,
    FOLLOW_UPS,
    GOALS,
    NEW_BOOLEAN_FIELDS_2026_2,
    NEW_CODES_2026_2,
    QUESTIONNAIRE_2026_1,
    QUESTIONNAIRE_VERSION,
    QUESTIONNAIRE_VERSION_KEY,
    QUESTIONNAIRE_VERSIONS,
    SEBUM_LEVELS,
)

MIN_AGE = 18
MAX_AGE = 120


class AnswersError(ValueError):
    """Missing or invalid answers; `errors` maps each field code to a plain message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__(
            "invalid answers: " + "; ".join(f"{code} {msg}" for code, msg in self.errors.items())
        )


@dataclass(frozen=True)
class Answers:
    """One consultation's answers, one attribute per contract code.

    A 2026.2 code that was not asked (questionnaire 2026.1 only) is None; so is a follow-up
    whose parent answer is "no".
    """

    fitzpatrick: int
    fitzpatrick_source: str
    sebum: str
    goals: tuple[str, ...]
    age: int
    pregnant: bool
    breastfeeding: bool
    isotretinoin_last_6_months: bool
    active_infection_or_cold_sore: bool
    hsv_history: bool
    keloid_history: bool
    photosensitising_meds: bool
    recent_tan: bool
    active_inflamed_acne: bool
    salicylate_allergy: bool
    topical_retinoid_last_7_days: bool
    active_rosacea: bool
    dermatitis_in_area: bool
    anticoagulant_or_bleeding_disorder: bool
    systemic_gold_therapy_ever: bool
    melasma: bool
    immunosuppressed_or_poor_healing: bool
    suspicious_lesion: bool
    isotretinoin_timing: str | None
    steroid_or_bleaching_cream_last_6_months: bool | None
    inflamed_acne_severity: str | None
    cosmetic_tattoo_in_area: bool | None
    sun_exposure_next_4_weeks: bool | None
    injectable_last_2_weeks: bool | None
    resurfacing_in_area_last_4_weeks: bool | None
    surgery_in_area_last_6_months: bool | None
    hair_removal_in_area_last_7_days: bool | None
    pih_after_procedure: bool | None
    radiotherapy_to_area: bool | None
    vitiligo: bool | None
    photosensitive_disorder: bool | None
    questionnaire_version: str = QUESTIONNAIRE_VERSION

    def __post_init__(self) -> None:
        if isinstance(self.goals, list):
            object.__setattr__(self, "goals", tuple(self.goals))
        data: dict[str, object] = {code: getattr(self, code) for code in ANSWER_FIELDS}
        errors = answer_errors({**data, QUESTIONNAIRE_VERSION_KEY: self.questionnaire_version})
        if errors:
            raise AnswersError(errors)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Answers:
        """Answers from a mapping of contract codes; AnswersError lists every problem.

        `questionnaire_version` is optional ("2026.2" when absent); under "2026.1" the codes
        added in 2026.2 may be absent or null (not asked).
        """
        if not isinstance(data, Mapping):
            raise AnswersError({"__all__": "answers must be an object of answer codes and values"})
        errors = answer_errors(data)
        if errors:
            raise AnswersError(errors)
        values: dict[str, Any] = {code: data.get(code) for code in ANSWER_FIELDS}
        values["goals"] = tuple(values["goals"])
        # answer_errors checked that a given version is one of QUESTIONNAIRE_VERSIONS.
        version = str(data.get(QUESTIONNAIRE_VERSION_KEY, QUESTIONNAIRE_VERSION))
        return cls(**values, questionnaire_version=version)

    def to_dict(self) -> dict[str, Any]:
        """The answers as JSON-friendly data: every answer code in contract order (goals as a
        list, not asked or not applicable as None), then `questionnaire_version`.

        `Answers.from_mapping(answers.to_dict()) == answers`: it is the evaluation's snapshot.
        """
        data: dict[str, Any] = {code: getattr(self, code) for code in ANSWER_FIELDS}
        data["goals"] = list(self.goals)
        data[QUESTIONNAIRE_VERSION_KEY] = self.questionnaire_version
        return data

    @property
    def primary_goal(self) -> str:
        """The patient's main goal: the first one listed."""
        return self.goals[0]

    @property
    def unasked(self) -> tuple[str, ...]:
        """The 2026.2 codes that apply but were not asked, in contract table 1.1 order.

        Only a 2026.1 consultation can have any. A code applies if it is one of the new yes/no
        questions, or a follow-up whose parent answer is yes (contract 1.3).
        """
        return tuple(
            code
            for code in NEW_CODES_2026_2
            if getattr(self, code) is None
            and (code not in FOLLOW_UPS or getattr(self, FOLLOW_UPS[code][0]) is True)
        )


def answer_errors(data: Mapping[str, object]) -> dict[str, str]:
    """Every problem with the answers, field code -> message; empty when they are valid."""
    errors: dict[str, str] = {}
    version_message = _check_version(data)
    if version_message:
        errors[QUESTIONNAIRE_VERSION_KEY] = version_message
    # A wrong version leaves open which codes are required: only the values given are checked.
    version = data.get(QUESTIONNAIRE_VERSION_KEY, QUESTIONNAIRE_VERSION)
    new_codes_required = version in QUESTIONNAIRE_VERSIONS and version != QUESTIONNAIRE_2026_1
    for code in ANSWER_FIELDS:
        value = data.get(code)
        if code in FOLLOW_UPS:
            message = _check_follow_up(code, data, required=new_codes_required)
        elif value is None:
            optional = code in NEW_BOOLEAN_FIELDS_2026_2 and not new_codes_required
            message = "" if optional else "is required"
        else:
            message = _CHECKS.get(code, _check_boolean)(value)
        if message:
            errors[code] = message
    for key in data:
        if key not in ANSWER_FIELDS and key != QUESTIONNAIRE_VERSION_KEY:
            errors[str(key)] = "is not a known answer code"
    return errors


def _check_version(data: Mapping[str, object]) -> str:
    if QUESTIONNAIRE_VERSION_KEY not in data:
        return ""
    if data[QUESTIONNAIRE_VERSION_KEY] in QUESTIONNAIRE_VERSIONS:
        return ""
    allowed = " or ".join(f'"{version}"' for version in QUESTIONNAIRE_VERSIONS)
    return f'must be {allowed} (leave it out for "{QUESTIONNAIRE_VERSION}")'


def _check_follow_up(code: str, data: Mapping[str, object], *, required: bool) -> str:
    parent, allowed = FOLLOW_UPS[code]
    value, parent_value = data.get(code), data.get(parent)
    if value is None:
        if required and parent_value is True:
            return f"is required when {parent} is true"
        return ""
    if parent_value is False:
        return f"must be left out when {parent} is false (it is asked only after yes)"
    return _one_of(allowed)(value)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_fitzpatrick(value: object) -> str:
    if not (_is_int(value) and 1 <= value <= 6):
        return "must be a whole number from 1 to 6"
    return ""


def _check_age(value: object) -> str:
    if not _is_int(value):
        return f"must be a whole number of years from {MIN_AGE} to {MAX_AGE}"
    if value < MIN_AGE:
        return (
            f"must be at least {MIN_AGE}: the online intake is for adults only "
            "(under 18s book in person)"
        )
    if value > MAX_AGE:
        return f"must be at most {MAX_AGE}"
    return ""


def _one_of(allowed: tuple[str, ...]) -> Callable[[object], str]:
    def check(value: object) -> str:
        return "" if value in allowed else "must be one of " + ", ".join(allowed)

    return check


def _check_goals(value: object) -> str:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        return f"must be a list of 1 to {len(GOALS)} goal codes"
    problems = []
    if not value:
        problems.append("must list at least one goal")
    unknown = [str(goal) for goal in value if goal not in GOALS]
    if unknown:
        problems.append(
            "has unknown goal codes " + ", ".join(unknown) + " (known: " + ", ".join(GOALS) + ")"
        )
    known = [goal for goal in value if goal in GOALS]
    repeated = sorted({goal for goal in known if known.count(goal) > 1}, key=GOALS.index)
    if repeated:
        problems.append("must not repeat a goal: " + ", ".join(repeated))
    if len(value) > len(GOALS):
        problems.append(f"must list at most {len(GOALS)} goals")
    return "; ".join(problems)


def _check_boolean(value: object) -> str:
    return "" if isinstance(value, bool) else "must be true or false"


_CHECKS: dict[str, Callable[[object], str]] = {
    "fitzpatrick": _check_fitzpatrick,
    "fitzpatrick_source": _one_of(FITZPATRICK_SOURCES),
    "sebum": _one_of(SEBUM_LEVELS),
    "goals": _check_goals,
    "age": _check_age,
    **dict.fromkeys(BOOLEAN_FIELDS, _check_boolean),
}
