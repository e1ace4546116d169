"""The invariants of clinical-rules.md section 9 (I1-I19), as properties over every valid answer
set of both questionnaire versions, checked against an independent encoding of 4.2-4.4
(`spec_model`), not against the rule table the code uses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from consultations.rules import Answers, AnswersError, evaluate, suggest

from .checks import (
    check_against_model,
    check_partition,
    check_structure,
    defer_rule_ids,
    suggestion_of,
)
from .spec_model import (
    ALL_BOOLEANS,
    ASK_PREFIX,
    DEFER_PRIMARY,
    FLAG_OF,
    NEW_BOOLEANS,
    NEW_CODES,
    NOTE,
    PARENT,
    TREATMENTS,
    expected,
)
from .strategies import FOLLOW_UP_VALUES, INVALID_KINDS, answer_sets, invalid_answers, with_answer

EXAMPLES = settings(max_examples=150, deadline=None)


def tier(data: dict[str, Any], treatment: str) -> int | None:
    model = expected(data)
    return None if treatment in model.excluded else model.tier(treatment)


def excluded(output: dict[str, Any]) -> set[str]:
    return {e["treatment"] for e in output["excluded"]}


def agents(output: dict[str, Any]) -> set[str]:
    peel = suggestion_of(output, "chemical_peel")
    return set(peel["agents"]) if peel else set()


@EXAMPLES
@given(answer_sets())
def test_I1_the_output_is_pure_and_deterministic(data: dict[str, Any]) -> None:
    first = json.dumps(suggest(data), ensure_ascii=False)
    snapshot = Answers.from_mapping(data).to_dict()
    again = json.dumps(evaluate(Answers.from_mapping(json.loads(json.dumps(snapshot)))).to_dict())

    assert json.loads(first)["ruleset_version"] == "2026.2"
    assert json.dumps(json.loads(first)) == again
    assert Answers.from_mapping(snapshot) == Answers.from_mapping(data)


@EXAMPLES
@given(answer_sets())
def test_I2_every_treatment_is_suggested_or_excluded_exactly_once(data: dict[str, Any]) -> None:
    output = suggest(data)

    check_partition(output)
    assert [e["treatment"] for e in output["excluded"]] == expected(data).excluded


@EXAMPLES
@given(answer_sets())
def test_I3_every_contraindication_of_the_matrix_holds(data: dict[str, Any]) -> None:
    output, model = suggest(data), expected(data)

    by_treatment = {e["treatment"]: [r["rule"] for r in e["reasons"]] for e in output["excluded"]}
    for treatment in TREATMENTS:
        for rule, kind, _ in model.effects[treatment]:
            if kind == "CI":
                assert rule in by_treatment.get(treatment, []), (rule, treatment)
        assert by_treatment.get(treatment, []) == model.contraindicating(treatment)


@EXAMPLES
@given(answer_sets())
def test_I4_a_stop_flag_always_defers(data: dict[str, Any]) -> None:
    output, model = suggest(data), expected(data)

    named = defer_rule_ids(output["defer_reason"])
    for flag in output["flags"]:
        assert (flag["severity"] == "stop") == (flag["rule"] in model.deferring), flag
    if any(flag["severity"] == "stop" for flag in output["flags"]):
        assert output["primary"] == DEFER_PRIMARY
    assert (output["primary"] == DEFER_PRIMARY) == (output["defer_reason"] is not None)
    fired = {flag["rule"] for flag in output["flags"]} | {"R29"}
    assert set(named) <= fired
    assert named[: len(model.deferring)] == model.deferring
    assert named == model.defer_rules


@EXAMPLES
@given(answer_sets())
def test_I5_not_first_line_is_never_first(data: dict[str, Any]) -> None:
    output, model = suggest(data), expected(data)
    primary, goal = output["primary"], data["goals"][0]

    for treatment in model.order:
        if model.tier(treatment) >= 2:
            assert primary != treatment
    laser_limited = (
        any(data[code] for code in ("active_inflamed_acne", "active_rosacea", "melasma"))
        or any(data[code] for code in ("photosensitising_meds", "keloid_history"))
        or data["fitzpatrick"] == 6
        or (data["fitzpatrick"] >= 5 and goal in ("pore_size", "oiliness", "tone_pigmentation"))
        or (
            data["fitzpatrick_source"] != "practitioner"
            and ("tone_pigmentation" in data["goals"] or data["melasma"])
        )
    )
    if laser_limited:
        assert primary != "laser"
    mda_limited = (
        goal in ("acne_scars", "fine_lines", "tone_pigmentation")
        or data["anticoagulant_or_bleeding_disorder"]
        or (
            data["isotretinoin_last_6_months"]
            and data.get("isotretinoin_timing") != "stopped_1_to_6_months"
        )
    )
    if mda_limited:
        assert primary != "microdermabrasion"


@EXAMPLES
@given(answer_sets())
def test_I6_flags_are_exact(data: dict[str, Any]) -> None:
    output, model = suggest(data), expected(data)

    codes = {FLAG_OF[code] for code in ALL_BOOLEANS if data.get(code) is True}
    if data["fitzpatrick"] >= 3:
        codes.add("PIH_RISK")
    combos = {"PIGMENT_NOT_EXAMINED": "R32", "NODULOCYSTIC_ACNE": "R33"}
    combos |= {"ISOTRETINOIN_PREGNANCY": "R30", "ANSWERS_MISSING": "R45"}
    for code, rule in combos.items():
        if any(rule == r for r, _, _ in model.effects["laser"]):
            codes.add(code)
    assert {f["code"] for f in output["flags"]} == codes
    check_structure(output)
    assert [(f["code"], f["severity"], f["rule"]) for f in output["flags"]] == model.flags


@EXAMPLES
@given(answer_sets())
def test_I7_peel_agents_are_the_intersection_of_the_restrictions(data: dict[str, Any]) -> None:
    output, model = suggest(data), expected(data)
    peel = suggestion_of(output, "chemical_peel")
    assume(peel is not None)
    allowed = set(peel["agents"])

    assert peel["agents"] == list(model.agents)
    assert peel["agents_excluded"] == model.agents_excluded()
    assert peel["agents"] and "lactic" in allowed
    if data["fitzpatrick"] >= 5:
        assert not allowed & {"glycolic", "jessner", "tca"}
    if data["fitzpatrick"] >= 4 or data["keloid_history"]:
        assert "tca" not in allowed
    if data["salicylate_allergy"] or data["sebum"] == "dry":
        assert not allowed & {"salicylic", "jessner"}
    if data["pregnant"]:
        assert allowed <= {"lactic", "glycolic"}


@EXAMPLES
@given(answer_sets())
def test_I8_the_peel_has_exactly_one_agent_constraint_first(data: dict[str, Any]) -> None:
    output = suggest(data)

    check_structure(output)
    for entry in output["suggestions"]:
        agent_constraints = [c for c in entry["constraints"] if c.startswith("agents allowed: ")]
        assert len(agent_constraints) == (entry["treatment"] == "chemical_peel")


@EXAMPLES
@given(answer_sets())
def test_I9_no_two_constraints_on_one_suggestion_contradict(data: dict[str, Any]) -> None:
    output, model = suggest(data), expected(data)

    check_structure(output)
    for entry in output["suggestions"]:
        assert entry["constraints"] == model.constraints(entry["treatment"])


@EXAMPLES
@given(answer_sets())
def test_I10_reasons_appear_only_where_their_rule_applies(data: dict[str, Any]) -> None:
    output, model = suggest(data), expected(data)

    for entry in output["suggestions"] + output["excluded"]:
        rules = [r["rule"] for r in entry["reasons"]]
        assert rules == model.reason_rules(entry["treatment"]), entry["treatment"]
    check_structure(output)


@EXAMPLES
@given(answer_sets())
def test_I11_the_ranking_is_exact(data: dict[str, Any]) -> None:
    output, model = suggest(data), expected(data)

    assert [s["treatment"] for s in output["suggestions"]] == model.order
    for entry in output["suggestions"]:
        assert entry["status"] == model.status(entry["treatment"])
    without_notes = expected(data)
    for treatment in TREATMENTS:
        without_notes.effects[treatment] = [
            e for e in without_notes.effects[treatment] if e[1] != NOTE
        ]
    assert without_notes.order == model.order
    assert [without_notes.status(t) for t in model.order] == [model.status(t) for t in model.order]
    check_against_model(output, model)


@EXAMPLES
@given(answer_sets(), st.integers(1, 5))
def test_I12_darker_skin_is_never_less_careful(data: dict[str, Any], fitzpatrick: int) -> None:
    lighter = {**data, "fitzpatrick": fitzpatrick}
    darker = {**data, "fitzpatrick": fitzpatrick + 1}
    before, after = suggest(lighter), suggest(darker)

    if before["primary"] == DEFER_PRIMARY and before["defer_reason"] and not after["defer_reason"]:
        pytest.fail("a darker phototype removed a deferral")
    assert set(defer_rule_ids(before["defer_reason"])) - {"R29"} <= set(
        defer_rule_ids(after["defer_reason"])
    )
    if "laser" in excluded(before):
        assert "laser" in excluded(after)
    else:
        laser_after = tier(darker, "laser")
        assert laser_after is None or laser_after >= tier(lighter, "laser")  # type: ignore[operator]
    ranks = [{s["treatment"]: s["rank"] for s in o["suggestions"]} for o in (before, after)]
    both = all({"laser", "chemical_peel"} <= set(r) for r in ranks)
    if both and ranks[1]["laser"] < ranks[1]["chemical_peel"]:
        assert ranks[0]["laser"] < ranks[0]["chemical_peel"]
    if suggestion_of(before, "chemical_peel") and suggestion_of(after, "chemical_peel"):
        assert agents(after) <= agents(before)


RISK_CHANGES = [
    *((code, True, None) for code in ALL_BOOLEANS),
    *(("isotretinoin_timing", value, None) for value in FOLLOW_UP_VALUES["isotretinoin_timing"]),
    *(
        ("inflamed_acne_severity", value, None)
        for value in FOLLOW_UP_VALUES["inflamed_acne_severity"]
    ),
]


@EXAMPLES
@given(answer_sets(), st.sampled_from(ALL_BOOLEANS), st.data())
def test_I13_more_risk_is_never_less_careful(
    data: dict[str, Any], code: str, draw: st.DataObject
) -> None:
    assume(data.get(code) is False)
    follow_up = None
    child = next((c for c, parent in PARENT.items() if parent == code), None)
    if child and data.get("questionnaire_version") != "2026.1":
        follow_up = draw.draw(st.sampled_from(FOLLOW_UP_VALUES[child]))
    elif child:
        follow_up = draw.draw(st.sampled_from((None, *FOLLOW_UP_VALUES[child])))
    safer = data
    riskier = with_answer(data, code, True, follow_up)
    if child and follow_up is None:
        riskier.pop(child, None)
    assert_never_less_careful(safer, riskier)


@EXAMPLES
@given(answer_sets(), st.sampled_from(sorted(PARENT)), st.data())
def test_I13_a_riskier_follow_up_is_never_less_careful(
    data: dict[str, Any], child: str, draw: st.DataObject
) -> None:
    parent = PARENT[child]
    safe_value = "stopped_1_to_6_months" if child == "isotretinoin_timing" else "papules_pustules"
    other = draw.draw(st.sampled_from([v for v in FOLLOW_UP_VALUES[child] if v != safe_value]))
    safer = with_answer(data, parent, True, safe_value)
    riskier = with_answer(data, parent, True, other)
    assert_never_less_careful(safer, riskier)


def assert_never_less_careful(safer: dict[str, Any], riskier: dict[str, Any]) -> None:
    before, after = suggest(safer), suggest(riskier)

    assert excluded(before) <= excluded(after)
    for treatment in TREATMENTS:
        if treatment not in excluded(after):
            assert tier(riskier, treatment) >= tier(safer, treatment)  # type: ignore[operator]
    if before["primary"] == DEFER_PRIMARY:
        assert after["primary"] == DEFER_PRIMARY
    assert set(defer_rule_ids(before["defer_reason"])) - {"R29"} <= set(
        defer_rule_ids(after["defer_reason"])
    )
    assert {f["code"] for f in before["flags"]} <= {f["code"] for f in after["flags"]}
    if suggestion_of(after, "chemical_peel") and suggestion_of(before, "chemical_peel"):
        assert agents(after) <= agents(before)


@EXAMPLES
@given(answer_sets())
def test_I14_the_practitioners_confirmation_changes_only_r32_and_r16s_check(
    data: dict[str, Any],
) -> None:
    outputs = {
        s: suggest({**data, "fitzpatrick_source": s})
        for s in ("self_report", "questionnaire", "practitioner")
    }
    confirmed, unconfirmed = outputs["practitioner"], outputs["self_report"]

    assert outputs["questionnaire"] == unconfirmed

    def lifted(output: dict[str, Any]) -> dict[str, Any]:
        kept = {
            "excluded": output["excluded"],
            "flags": [f for f in output["flags"] if f["code"] != "PIGMENT_NOT_EXAMINED"],
            "suggestions": {},
        }
        for entry in output["suggestions"]:
            kept["suggestions"][entry["treatment"]] = {
                "agents": entry.get("agents"),
                "agents_excluded": entry.get("agents_excluded"),
                "reasons": [r for r in entry["reasons"] if r["rule"] != "R32"],
                "constraints": [
                    c
                    for c in entry["constraints"]
                    if c
                    not in (
                        "confirm the phototype at examination",
                        "confirm the phototype and the pigment diagnosis at examination before "
                        "any laser",
                    )
                ],
            }
        return kept

    assert lifted(confirmed) == lifted(unconfirmed)
    deferring = [r for r in defer_rule_ids(unconfirmed["defer_reason"]) if r != "R29"]
    if deferring:
        assert confirmed["defer_reason"] == unconfirmed["defer_reason"]


NEW_QUESTION_RULES = {
    "steroid_or_bleaching_cream_last_6_months": ("R43", "stop"),
    "cosmetic_tattoo_in_area": ("R34", "caution"),
    "sun_exposure_next_4_weeks": ("R44", "caution"),
    "injectable_last_2_weeks": ("R35", "info"),
    "resurfacing_in_area_last_4_weeks": ("R37", "caution"),
    "surgery_in_area_last_6_months": ("R36", "stop"),
    "hair_removal_in_area_last_7_days": ("R38", "info"),
    "pih_after_procedure": ("R42", "stop"),
    "radiotherapy_to_area": ("R39", "stop"),
    "vitiligo": ("R40", "stop"),
    "photosensitive_disorder": ("R41", "stop"),
}


@EXAMPLES
@given(answer_sets(), st.sampled_from(NEW_BOOLEANS))
def test_I15_every_new_questions_rule_fires(data: dict[str, Any], code: str) -> None:
    output = suggest({**data, code: True})
    rule, severity = NEW_QUESTION_RULES[code]

    flag = next(f for f in output["flags"] if f["code"] == FLAG_OF[code])
    assert (flag["rule"], flag["severity"]) == (rule, severity)
    if severity == "stop":
        assert output["primary"] == DEFER_PRIMARY
        assert rule in defer_rule_ids(output["defer_reason"])
    touched = {"R38": ("chemical_peel", "microdermabrasion")}.get(rule, TREATMENTS)
    for entry in output["suggestions"]:
        assert (rule in [r["rule"] for r in entry["reasons"]]) == (entry["treatment"] in touched)


@EXAMPLES
@given(answer_sets(versions=("2026.1",)), st.data())
def test_I16_old_consultations_are_never_silently_no(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    output = suggest(data)
    unasked = expected(data).unasked

    if unasked:
        assert ("ANSWERS_MISSING", "stop", "R45") in [
            (f["code"], f["severity"], f["rule"]) for f in output["flags"]
        ]
        assert output["primary"] == DEFER_PRIMARY
        for entry in output["suggestions"]:
            asks = [c for c in entry["constraints"] if c.startswith(ASK_PREFIX)]
            assert asks == [ASK_PREFIX + ", ".join(unasked)]
        raised = {f["code"] for f in output["flags"]}
        for code in unasked:
            assert FLAG_OF.get(code) not in raised
        if "inflamed_acne_severity" in unasked:
            assert "NODULOCYSTIC_ACNE" not in raised
        assert list(unasked) == [c for c in NEW_CODES if c in unasked]
    else:
        assert "ANSWERS_MISSING" not in {f["code"] for f in output["flags"]}
    answered = dict(data)
    for code in unasked:
        values = FOLLOW_UP_VALUES.get(code, (False, True))
        answered[code] = draw.draw(st.sampled_from(values))
    as_2026_2 = {k: v for k, v in answered.items() if k != "questionnaire_version"}
    assert suggest(answered) == suggest(as_2026_2)


@EXAMPLES
@given(answer_sets(), st.sampled_from(INVALID_KINDS), st.data())
def test_I17_invalid_answers_are_rejected_naming_the_field(
    data: dict[str, Any], kind: str, draw: st.DataObject
) -> None:
    bad, field = invalid_answers(data, kind, draw)

    with pytest.raises(AnswersError) as caught:
        Answers.from_mapping(bad)

    assert field in caught.value.errors


@EXAMPLES
@given(answer_sets())
def test_I18_a_recent_tan_excludes_laser_and_defers_when_pigment_is_at_stake(
    data: dict[str, Any],
) -> None:
    output = suggest({**data, "recent_tan": True})

    assert "laser" in excluded(output)
    if data["melasma"] or data["fitzpatrick"] >= 3 or "tone_pigmentation" in data["goals"]:
        assert output["primary"] == DEFER_PRIMARY
        assert "R09" in defer_rule_ids(output["defer_reason"])
        assert ("RECENT_TAN", "stop") in [(f["code"], f["severity"]) for f in output["flags"]]


@EXAMPLES
@given(answer_sets(), st.sampled_from((None, *FOLLOW_UP_VALUES["isotretinoin_timing"])))
def test_I19_isotretinoin_with_pregnancy_always_defers(
    data: dict[str, Any], timing: str | None
) -> None:
    assume(timing is not None or data.get("questionnaire_version") == "2026.1")
    pregnant = with_answer({**data, "pregnant": True}, "isotretinoin_last_6_months", True, timing)
    if timing is None:
        pregnant.pop("isotretinoin_timing", None)

    output = suggest(pregnant)

    assert ("ISOTRETINOIN_PREGNANCY", "stop", "R30") in [
        (f["code"], f["severity"], f["rule"]) for f in output["flags"]
    ]
    assert output["primary"] == DEFER_PRIMARY
    assert "R30" in defer_rule_ids(output["defer_reason"])
    assert "laser" in excluded(output)
