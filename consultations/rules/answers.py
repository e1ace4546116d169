"""The rules' input: one consultation's answers, validated against the contract."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, TypeGuard

from .vocabulary import ANSWER_FIELDS, BOOLEAN_FIELDS, FITZPATRICK_SOURCES, GOALS, SEBUM_LEVELS

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
    """One consultation's answers, one attribute per contract code."""

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

    def __post_init__(self) -> None:
        if isinstance(self.goals, list):
            object.__setattr__(self, "goals", tuple(self.goals))
        errors = answer_errors({code: getattr(self, code) for code in ANSWER_FIELDS})
        if errors:
            raise AnswersError(errors)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Answers:
        """Answers from a mapping of contract codes; AnswersError lists every problem."""
        if not isinstance(data, Mapping):
            raise AnswersError({"__all__": "answers must be an object of answer codes and values"})
        errors = answer_errors(data)
        if errors:
            raise AnswersError(errors)
        values: dict[str, Any] = {code: data[code] for code in ANSWER_FIELDS}
        values["goals"] = tuple(values["goals"])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """The answers as JSON-friendly data, in contract order (goals as a list)."""
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["goals"] = list(self.goals)
        return data

    @property
    def primary_goal(self) -> str:
        """The patient's main goal: the first one listed."""
        return self.goals[0]


def answer_errors(data: Mapping[str, object]) -> dict[str, str]:
    """Every problem with the answers, field code -> message; empty when they are valid."""
    errors: dict[str, str] = {}
    for code in ANSWER_FIELDS:
        value = data.get(code)
        if value is None:
            errors[code] = "is required"
            continue
        message = _CHECKS.get(code, _check_boolean)(value)
        if message:
            errors[code] = message
    for key in data:
        if key not in ANSWER_FIELDS:
            errors[str(key)] = "is not a known answer code"
    return errors


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
