"""The vocabulary the Django side builds on: the contract's codes in the contract's order."""

from __future__ import annotations

from consultations import rules

from .spec_model import ALL_BOOLEANS, FLAG_OF, LABELS, NEW_BOOLEANS, NEW_CODES, OLD_BOOLEANS, PARENT


def test_the_yes_no_codes_are_section_1_then_table_1_1() -> None:
    assert rules.BOOLEAN_FIELDS == ALL_BOOLEANS
    assert len(rules.BOOLEAN_FIELDS) == 29
    assert {code: FLAG_OF[code] for code in ALL_BOOLEANS} == rules.FLAG_FOR_FIELD


def test_the_codes_added_in_2026_2_are_in_table_1_1_order() -> None:
    assert rules.NEW_CODES_2026_2 == NEW_CODES
    assert rules.NEW_BOOLEAN_FIELDS_2026_2 == NEW_BOOLEANS


def test_every_answer_code_is_listed_once_in_contract_order() -> None:
    head = ("fitzpatrick", "fitzpatrick_source", "sebum", "goals", "age")
    assert (*head, *OLD_BOOLEANS, *NEW_CODES) == rules.ANSWER_FIELDS
    assert (*rules.ANSWER_FIELDS, "questionnaire_version") == rules.INPUT_FIELDS


def test_follow_ups_name_their_parent_and_values() -> None:
    assert {code: parent for code, (parent, _) in rules.FOLLOW_UPS.items()} == PARENT
    assert rules.FOLLOW_UPS["isotretinoin_timing"][1] == (
        "current",
        "stopped_under_1_month",
        "stopped_1_to_6_months",
        "not_sure",
    )
    assert rules.FOLLOW_UPS["inflamed_acne_severity"][1] == (
        "papules_pustules",
        "nodules_cysts",
        "not_sure",
    )


def test_questionnaire_versions_and_peel_agents() -> None:
    assert rules.QUESTIONNAIRE_VERSIONS == ("2026.1", "2026.2")
    assert rules.QUESTIONNAIRE_VERSION == "2026.2"
    assert rules.PEEL_AGENT_LABELS == LABELS
    assert tuple(LABELS) == rules.PEEL_AGENTS
