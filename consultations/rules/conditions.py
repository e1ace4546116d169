"""Conditions on the answers, written as data so that each one carries its own human text.

A condition's `text` is what the rule table shows a clinician; its `repr` is the exact logic and
goes into the ruleset fingerprint, so changing either is a rule change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .answers import Answers

ROMAN = ("", "I", "II", "III", "IV", "V", "VI")


class Condition(Protocol):
    """Something that holds or not for one consultation's answers."""

    @property
    def text(self) -> str: ...

    def holds(self, answers: Answers) -> bool: ...


def _codes(codes: tuple[str, ...]) -> str:
    quoted = [f"`{code}`" for code in codes]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


@dataclass(frozen=True)
class Answered:
    """A boolean answer is true."""

    field: str

    @property
    def text(self) -> str:
        return f"`{self.field}`"

    def holds(self, answers: Answers) -> bool:
        return getattr(answers, self.field) is True


@dataclass(frozen=True)
class Fitzpatrick:
    """The Fitzpatrick type is within low..high (inclusive)."""

    low: int
    high: int = 6

    @property
    def text(self) -> str:
        if self.low == self.high:
            return f"Fitzpatrick {ROMAN[self.low]}"
        return f"Fitzpatrick {ROMAN[self.low]}–{ROMAN[self.high]}"

    def holds(self, answers: Answers) -> bool:
        return self.low <= answers.fitzpatrick <= self.high


@dataclass(frozen=True)
class Source:
    """Who set the phototype (`fitzpatrick_source`) is one of these."""

    sources: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"`fitzpatrick_source` is {_codes(self.sources)}"

    def holds(self, answers: Answers) -> bool:
        return answers.fitzpatrick_source in self.sources


@dataclass(frozen=True)
class FollowUp:
    """A follow-up answer is one of these values (or, with `or_not_asked`, was not asked)."""

    field: str
    values: tuple[str, ...]
    or_not_asked: bool = False

    @property
    def text(self) -> str:
        values = [f"`{value}`" for value in self.values]
        if self.or_not_asked:
            values.append("not asked")
        listed = values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]
        return f"`{self.field}` is {listed}"

    def holds(self, answers: Answers) -> bool:
        value = getattr(answers, self.field)
        return value in self.values or (self.or_not_asked and value is None)


@dataclass(frozen=True)
class QuestionsNotAsked:
    """A 2026.1 consultation: at least one 2026.2 question that applies was not asked."""

    @property
    def text(self) -> str:
        return (
            "`questionnaire_version` is `2026.1` and at least one 2026.2 question that applies "
            "was not asked"
        )

    def holds(self, answers: Answers) -> bool:
        return bool(answers.unasked)


@dataclass(frozen=True)
class Sebum:
    """The sebum level is one of these."""

    levels: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"sebum is {_codes(self.levels)}"

    def holds(self, answers: Answers) -> bool:
        return answers.sebum in self.levels


@dataclass(frozen=True)
class PrimaryGoal:
    """The first (main) goal is one of these."""

    goals: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"primary goal is {_codes(self.goals)}"

    def holds(self, answers: Answers) -> bool:
        return answers.primary_goal in self.goals


@dataclass(frozen=True)
class AnyGoal:
    """Any of the listed goals (main or not) is one of these."""

    goals: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"any goal is {_codes(self.goals)}"

    def holds(self, answers: Answers) -> bool:
        return any(goal in self.goals for goal in answers.goals)


@dataclass(frozen=True)
class OnlyGoal:
    """This is the patient's one and only goal."""

    goal: str

    @property
    def text(self) -> str:
        return f"`{self.goal}` is the only goal"

    def holds(self, answers: Answers) -> bool:
        return answers.goals == (self.goal,)


@dataclass(frozen=True)
class AgeAtLeast:
    """The patient is at least this old."""

    years: int

    @property
    def text(self) -> str:
        return f"age >= {self.years}"

    def holds(self, answers: Answers) -> bool:
        return answers.age >= self.years


@dataclass(frozen=True)
class AllOf:
    """Every one of the conditions holds."""

    conditions: tuple[Condition, ...]

    @property
    def text(self) -> str:
        return " and ".join(_nested(c) for c in self.conditions)

    def holds(self, answers: Answers) -> bool:
        return all(c.holds(answers) for c in self.conditions)


@dataclass(frozen=True)
class AnyOf:
    """At least one of the conditions holds."""

    conditions: tuple[Condition, ...]

    @property
    def text(self) -> str:
        return " or ".join(_nested(c) for c in self.conditions)

    def holds(self, answers: Answers) -> bool:
        return any(c.holds(answers) for c in self.conditions)


@dataclass(frozen=True)
class Not:
    """The condition does not hold."""

    condition: Condition

    @property
    def text(self) -> str:
        return f"not {_nested(self.condition)}"

    def holds(self, answers: Answers) -> bool:
        return not self.condition.holds(answers)


def _nested(condition: Condition) -> str:
    if isinstance(condition, AllOf | AnyOf):
        return f"({condition.text})"
    return condition.text
