"""Validation of the rules' input: every problem is reported at once, by field code."""

from __future__ import annotations

import dataclasses

import pytest

from consultations.rules import (
    ANSWER_FIELDS,
    BOOLEAN_FIELDS,
    FOLLOW_UPS,
    INPUT_FIELDS,
    NEW_BOOLEAN_FIELDS_2026_2,
    NEW_CODES_2026_2,
    Answers,
    AnswersError,
)

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


def test_to_dict_gives_back_the_answers_in_contract_order_with_the_questionnaire_version() -> None:
    data = answers(goals=["fine_lines", "texture"])

    result = Answers.from_mapping(data).to_dict()

    assert list(result) == [*ANSWER_FIELDS, "questionnaire_version"] == list(INPUT_FIELDS)
    assert result == {
        **data,
        "isotretinoin_timing": None,
        "inflamed_acne_severity": None,
        "questionnaire_version": "2026.2",
    }
    assert result["goals"] == ["fine_lines", "texture"]


@pytest.mark.parametrize(
    "data",
    [
        answers(isotretinoin_last_6_months=True, isotretinoin_timing="not_sure"),
        answers(active_inflamed_acne=True, inflamed_acne_severity="papules_pustules"),
        answers(questionnaire_version="2026.2", vitiligo=True),
        {
            k: v
            for k, v in answers(questionnaire_version="2026.1", melasma=True).items()
            if k not in NEW_CODES_2026_2
        },
        answers(
            questionnaire_version="2026.1",
            isotretinoin_last_6_months=True,
            isotretinoin_timing=None,
            vitiligo=None,
        ),
    ],
)
def test_the_snapshot_round_trips(data: dict[str, object]) -> None:
    """`to_dict()` is stored as the evaluation's input: reading it back gives the same answers."""
    original = Answers.from_mapping(data)

    assert Answers.from_mapping(original.to_dict()) == original


def test_answers_without_a_version_are_2026_2_answers() -> None:
    assert Answers.from_mapping(answers()).questionnaire_version == "2026.2"


def test_a_2026_1_consultation_may_leave_out_every_new_code() -> None:
    data = answers(active_inflamed_acne=True)
    data = {k: v for k, v in data.items() if k not in NEW_CODES_2026_2}
    data["questionnaire_version"] = "2026.1"

    result = Answers.from_mapping(data)

    assert result.vitiligo is None
    assert result.unasked == (
        "steroid_or_bleaching_cream_last_6_months",
        "inflamed_acne_severity",
        *(c for c in NEW_BOOLEAN_FIELDS_2026_2 if c != "steroid_or_bleaching_cream_last_6_months"),
    )


def test_a_2026_1_consultation_asks_only_for_follow_ups_whose_parent_is_yes() -> None:
    data = answers(questionnaire_version="2026.1", **dict.fromkeys(NEW_BOOLEAN_FIELDS_2026_2))

    assert "isotretinoin_timing" not in Answers.from_mapping(data).unasked
    assert Answers.from_mapping(data).unasked == NEW_BOOLEAN_FIELDS_2026_2


def test_a_2026_2_answer_set_without_the_new_codes_names_each_missing_code() -> None:
    data = {k: v for k, v in answers().items() if k not in NEW_CODES_2026_2}

    assert errors_for(data) == dict.fromkeys(NEW_BOOLEAN_FIELDS_2026_2, "is required")


@pytest.mark.parametrize(("child", "parent"), [(c, p) for c, (p, _) in FOLLOW_UPS.items()])
def test_a_follow_up_is_required_when_its_parent_is_yes_under_2026_2(
    child: str, parent: str
) -> None:
    assert errors_for(answers(**{parent: True})) == {child: f"is required when {parent} is true"}


@pytest.mark.parametrize("version", ["2026.1", "2026.2", None])
@pytest.mark.parametrize(("child", "parent"), [(c, p) for c, (p, _) in FOLLOW_UPS.items()])
def test_a_follow_up_given_while_its_parent_is_no_is_invalid_under_either_version(
    child: str, parent: str, version: str | None
) -> None:
    value = FOLLOW_UPS[child][1][0]
    data = answers(**{child: value})
    if version:
        data["questionnaire_version"] = version

    assert errors_for(data) == {
        child: f"must be left out when {parent} is false (it is asked only after yes)"
    }


def test_a_follow_up_must_have_one_of_its_values() -> None:
    data = answers(isotretinoin_last_6_months=True, isotretinoin_timing="last_year")

    assert errors_for(data) == {
        "isotretinoin_timing": (
            "must be one of current, stopped_under_1_month, stopped_1_to_6_months, not_sure"
        )
    }


@pytest.mark.parametrize("version", [None, "2026.0", "2026", 2026.2, "", ["2026.2"]])
def test_it_rejects_a_questionnaire_version_that_is_null_or_unknown(version: object) -> None:
    assert errors_for(answers(questionnaire_version=version)) == {
        "questionnaire_version": 'must be "2026.1" or "2026.2" (leave it out for "2026.2")'
    }


def test_a_wrong_version_does_not_also_demand_the_new_codes() -> None:
    data = answers(questionnaire_version="2025")
    data = {k: v for k, v in data.items() if k not in NEW_CODES_2026_2}

    assert list(errors_for(data)) == ["questionnaire_version"]


def test_a_2026_1_consultation_still_needs_valid_values_where_given() -> None:
    data = answers(questionnaire_version="2026.1", vitiligo="yes")

    assert errors_for(data) == {"vitiligo": "must be true or false"}


def test_answers_cannot_be_changed_after_validation() -> None:
    result = Answers.from_mapping(answers())

    with pytest.raises(dataclasses.FrozenInstanceError):
        result.age = 12  # type: ignore[misc]


def test_it_reports_every_missing_field_at_once() -> None:
    errors = errors_for({})

    # A follow-up is required only once its parent answer is yes.
    assert errors == dict.fromkeys([c for c in ANSWER_FIELDS if c not in FOLLOW_UPS], "is required")


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


def test_answers_built_directly_default_to_questionnaire_2026_2() -> None:
    data = Answers.from_mapping(answers()).to_dict()
    del data["questionnaire_version"]
    data["goals"] = tuple(data["goals"])

    assert Answers(**data).questionnaire_version == "2026.2"


def test_it_rejects_answers_that_are_not_a_mapping() -> None:
    assert list(errors_for(["texture"])) == ["__all__"]


def test_answers_built_directly_are_validated_too() -> None:
    data = {**dict.fromkeys(FOLLOW_UPS), **answers(fitzpatrick=9)}
    data["goals"] = ("texture",)

    with pytest.raises(AnswersError) as caught:
        Answers(**data)

    assert caught.value.errors == {"fitzpatrick": "must be a whole number from 1 to 6"}


def test_answers_error_is_a_value_error() -> None:
    assert issubclass(AnswersError, ValueError)
