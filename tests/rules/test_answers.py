"""Validation of the rules' input: every problem is reported at once, by field code."""

from __future__ import annotations

import dataclasses

import pytest

from consultations.rules import ANSWER_FIELDS, BOOLEAN_FIELDS, Answers, AnswersError

from .helpers import answers


def errors_for(data: object) -> dict[str, str]:
    with pytest.raises(AnswersError) as caught:
        Answers.from_mapping(data)  # type: ignore[arg-type]
    return caught.value.errors


def test_it_builds_answers_from_a_valid_mapping() -> None:
    result = Answers.from_mapping(answers(goals=["pore_size", "texture"], pregnant=True))

    assert result.goals == ("pore_size", "texture")
    assert result.primary_goal == "pore_size"
    assert result.pregnant is True


def test_to_dict_gives_back_the_answers_in_contract_order() -> None:
    data = answers(goals=["fine_lines", "texture"])

    result = Answers.from_mapping(data).to_dict()

    assert list(result) == list(ANSWER_FIELDS)
    assert result == data
    assert result["goals"] == ["fine_lines", "texture"]


def test_answers_cannot_be_changed_after_validation() -> None:
    result = Answers.from_mapping(answers())

    with pytest.raises(dataclasses.FrozenInstanceError):
        result.age = 12  # type: ignore[misc]


def test_it_reports_every_missing_field_at_once() -> None:
    errors = errors_for({})

    assert errors == dict.fromkeys(ANSWER_FIELDS, "is required")


def test_a_null_answer_counts_as_missing() -> None:
    assert errors_for(answers(melasma=None)) == {"melasma": "is required"}


@pytest.mark.parametrize("value", [0, 7, "3", 3.0, True, [3]])
def test_it_rejects_a_fitzpatrick_type_that_is_not_a_whole_number_from_1_to_6(
    value: object,
) -> None:
    assert errors_for(answers(fitzpatrick=value)) == {
        "fitzpatrick": "must be a whole number from 1 to 6"
    }


@pytest.mark.parametrize("value", ["30", 30.0, False])
def test_it_rejects_an_age_that_is_not_a_whole_number(value: object) -> None:
    assert errors_for(answers(age=value)) == {
        "age": "must be a whole number of years from 18 to 120"
    }


def test_it_tells_under_18s_that_the_intake_is_for_adults_only() -> None:
    assert "adults only" in errors_for(answers(age=17))["age"]


def test_it_rejects_an_age_over_120() -> None:
    assert errors_for(answers(age=121)) == {"age": "must be at most 120"}


def test_it_accepts_the_age_limits() -> None:
    assert Answers.from_mapping(answers(age=18)).age == 18
    assert Answers.from_mapping(answers(age=120)).age == 120


def test_it_rejects_unknown_choices() -> None:
    errors = errors_for(answers(sebum="greasy", fitzpatrick_source="doctor"))

    assert errors == {
        "fitzpatrick_source": "must be one of self_report, questionnaire, practitioner",
        "sebum": "must be one of dry, normal, oily, very_oily",
    }


@pytest.mark.parametrize(
    ("goals", "message"),
    [
        ("texture", "must be a list of 1 to 6 goal codes"),
        ({"texture": True}, "must be a list of 1 to 6 goal codes"),
        ([], "must list at least one goal"),
        (["texture", "texture"], "must not repeat a goal: texture"),
        (["texture", "tan"], "has unknown goal codes tan"),
        ([1], "has unknown goal codes 1"),
    ],
)
def test_it_rejects_goals_that_are_not_a_list_of_distinct_known_codes(
    goals: object, message: str
) -> None:
    assert errors_for(answers(goals=goals))["goals"].startswith(message)


def test_it_rejects_more_than_six_goals() -> None:
    goals = ["pore_size", "oiliness", "texture", "tone_pigmentation", "acne_scars", "fine_lines"]

    assert "at most 6 goals" in errors_for(answers(goals=[*goals, "texture"]))["goals"]


@pytest.mark.parametrize("value", ["yes", 1, 0, "false"])
def test_it_rejects_a_yes_no_answer_that_is_not_a_json_boolean(value: object) -> None:
    errors = errors_for(answers(**dict.fromkeys(BOOLEAN_FIELDS, value)))

    assert errors == dict.fromkeys(BOOLEAN_FIELDS, "must be true or false")


def test_it_rejects_unknown_answer_codes() -> None:
    errors = errors_for(answers(skin_colour="olive", downtime_tolerance="none"))

    assert errors == {
        "skin_colour": "is not a known answer code",
        "downtime_tolerance": "is not a known answer code",
    }


def test_it_reports_wrong_missing_and_unknown_answers_together() -> None:
    data = answers(sebum="shiny", notes="x")
    del data["pregnant"]

    errors = errors_for(data)

    assert set(errors) == {"sebum", "pregnant", "notes"}
    assert "sebum must be one of" in str(AnswersError(errors))


def test_it_rejects_answers_that_are_not_a_mapping() -> None:
    assert list(errors_for(["texture"])) == ["__all__"]


def test_answers_built_directly_are_validated_too() -> None:
    data = answers(fitzpatrick=9)
    data["goals"] = ("texture",)

    with pytest.raises(AnswersError) as caught:
        Answers(**data)

    assert caught.value.errors == {"fitzpatrick": "must be a whole number from 1 to 6"}


def test_answers_error_is_a_value_error() -> None:
    assert issubclass(AnswersError, ValueError)
