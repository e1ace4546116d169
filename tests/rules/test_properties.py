"""Properties over the whole answer space (hypothesis): the contract's shape and the rule table
the code uses. The invariants of clinical-rules.md section 9 are in test_invariants.py."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from consultations.rules import (
    BOOLEAN_FIELDS,
    DEFER,
    FLAG_FOR_FIELD,
    RULES,
    Answers,
    Rule,
    evaluate,
    suggest,
)

from .helpers import assert_contract_shape, order
from .strategies import answer_sets, with_answer

EXAMPLES = settings(max_examples=150, deadline=None)


STATUS_ORDER = {"suitable": 0, "caution": 1}
PREFERRING_RULES = {
    (rule.id, treatment)
    for rule in RULES
    if isinstance(rule, Rule)
    for treatment, effects in rule.actions.items()
    if any(effect.kind == "PREFER" for effect in effects)
}


@EXAMPLES
@given(answer_sets())
def test_the_output_always_has_the_contract_shape(data: dict[str, Any]) -> None:
    assert_contract_shape(suggest(data))


@EXAMPLES
@given(answer_sets())
def test_an_excluded_treatment_is_never_suggested(data: dict[str, Any]) -> None:
    output = suggest(data)

    excluded = {e["treatment"] for e in output["excluded"]}
    assert excluded.isdisjoint(order(output))


@EXAMPLES
@given(answer_sets())
def test_a_treatment_a_firing_rule_contraindicates_is_excluded_naming_that_rule(
    data: dict[str, Any],
) -> None:
    answers = Answers.from_mapping(data)
    output = evaluate(answers).to_dict()

    excluded = {e["treatment"]: {r["rule"] for r in e["reasons"]} for e in output["excluded"]}
    for rule in RULES:
        if not isinstance(rule, Rule) or not rule.when.holds(answers):
            continue
        for treatment, effects in rule.actions.items():
            if any(e.kind == "CI" and e.applies(answers) for e in effects):
                assert rule.id in excluded.get(treatment, set()), (rule.id, treatment)


@EXAMPLES
@given(answer_sets())
def test_the_same_answers_always_give_the_same_output(data: dict[str, Any]) -> None:
    first = json.dumps(suggest(data))
    again = json.dumps(evaluate(Answers.from_mapping(json.loads(json.dumps(data)))).to_dict())

    assert first == again


@EXAMPLES
@given(answer_sets())
def test_primary_is_the_first_suggestion_or_a_deferral_with_a_reason(
    data: dict[str, Any],
) -> None:
    output = suggest(data)

    if output["primary"] == DEFER:
        assert output["defer_reason"]
        assert output["defer_reason"][:4].rstrip(":") in {rule.id for rule in RULES}
    else:
        assert output["defer_reason"] is None
        assert output["primary"] == output["suggestions"][0]["treatment"]


@EXAMPLES
@given(answer_sets())
def test_a_stop_flag_always_means_no_automatic_suggestion(data: dict[str, Any]) -> None:
    output = suggest(data)

    if any(f["severity"] == "stop" for f in output["flags"]):
        assert output["primary"] == DEFER
        stop_rules = [f["rule"] for f in output["flags"] if f["severity"] == "stop"]
        assert all(f"{rule}:" in output["defer_reason"] for rule in stop_rules)


@EXAMPLES
@given(answer_sets(), st.sampled_from(BOOLEAN_FIELDS))
def test_a_less_safe_answer_never_adds_or_promotes_a_treatment(
    data: dict[str, Any], field: str
) -> None:
    """Turning any yes/no answer from no to yes never makes the suggestion more permissive.

    Nothing excluded comes back, no status improves, a deferral stays a deferral, no flag goes.
    A treatment may only move up past one that the new answer's rule excluded or cautioned, or
    when that rule prefers it (R11: a salicylic acid peel treats active acne).
    """
    before = suggest(with_answer(data, field, False))
    after = suggest(with_answer(data, field, True))

    assert set(order(after)) <= set(order(before))
    assert {e["treatment"] for e in before["excluded"]} <= {
        e["treatment"] for e in after["excluded"]
    }
    assert {f["code"] for f in before["flags"]} < {f["code"] for f in after["flags"]}
    if before["primary"] == DEFER:
        assert after["primary"] == DEFER

    new_rule = next(f["rule"] for f in after["flags"] if f["code"] == FLAG_FOR_FIELD[field])
    rank_before = {s["treatment"]: s["rank"] for s in before["suggestions"]}
    touched_after = {
        s["treatment"]
        for s in after["suggestions"]
        if new_rule in {r["rule"] for r in s["reasons"]}
    }
    for entry in after["suggestions"]:
        treatment = entry["treatment"]
        old = next(s for s in before["suggestions"] if s["treatment"] == treatment)
        assert STATUS_ORDER[entry["status"]] >= STATUS_ORDER[old["status"]]
        if entry["rank"] < old["rank"]:
            overtaken = {t for t, rank in rank_before.items() if rank < old["rank"]}
            demoted = {t for t in overtaken if t not in order(after) or t in touched_after}
            assert demoted or (new_rule, treatment) in PREFERRING_RULES, (
                f"{treatment} moved up from {old['rank']} to {entry['rank']} after {field}"
            )
