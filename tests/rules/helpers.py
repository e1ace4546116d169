"""Small helpers for the rules tests: a baseline of safe answers and readers for the output."""

from __future__ import annotations

from typing import Any

from consultations.rules import (
    BOOLEAN_FIELDS,
    DEFER,
    FLAG_CODES,
    SEVERITIES,
    STATUSES,
    TREATMENTS,
    suggest,
)


def answers(**overrides: Any) -> dict[str, Any]:
    """The I15 baseline of clinical-rules.md section 9: Fitzpatrick II confirmed by the
    practitioner, normal sebum, texture, 30, every yes/no answer no, follow-ups absent,
    questionnaire 2026.2 (no `questionnaire_version` key)."""
    data: dict[str, Any] = {
        "fitzpatrick": 2,
        "fitzpatrick_source": "practitioner",
        "sebum": "normal",
        "goals": ["texture"],
        "age": 30,
        **dict.fromkeys(BOOLEAN_FIELDS, False),
    }
    data.update(overrides)
    return data


def run(**overrides: Any) -> dict[str, Any]:
    """The contract output for the baseline answers with these overrides."""
    return suggest(answers(**overrides))


def order(output: dict[str, Any]) -> list[str]:
    """The suggested treatments, best first."""
    return [s["treatment"] for s in output["suggestions"]]


def suggestion(output: dict[str, Any], treatment: str) -> dict[str, Any]:
    """The suggestion for this treatment (the test fails if it is not suggested)."""
    found = [s for s in output["suggestions"] if s["treatment"] == treatment]
    assert found, f"{treatment} is not suggested: {order(output)}"
    return found[0]


def excluded(output: dict[str, Any]) -> dict[str, set[str]]:
    """Excluded treatment -> the ids of the rules that excluded it."""
    return {e["treatment"]: {r["rule"] for r in e["reasons"]} for e in output["excluded"]}


def rules_of(entry: dict[str, Any]) -> set[str]:
    """The ids of the rules named in a suggestion's or exclusion's reasons."""
    return {r["rule"] for r in entry["reasons"]}


def flags(output: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Flag code -> (severity, rule)."""
    return {f["code"]: (f["severity"], f["rule"]) for f in output["flags"]}


def assert_contract_shape(output: dict[str, Any]) -> None:
    """The output has exactly the contract's keys, value sets and ranking."""
    assert list(output) == [
        "ruleset_version",
        "primary",
        "suggestions",
        "excluded",
        "flags",
        "defer_reason",
    ]
    assert isinstance(output["ruleset_version"], str) and output["ruleset_version"]
    assert output["primary"] in (*TREATMENTS, DEFER)
    ranks = []
    for entry in output["suggestions"]:
        keys = ["treatment", "rank", "status", "reasons", "constraints"]
        if entry["treatment"] == "chemical_peel":
            keys[3:3] = ["agents", "agents_excluded"]
        assert list(entry) == keys
        assert entry["treatment"] in TREATMENTS
        assert entry["status"] in STATUSES
        ranks.append(entry["rank"])
        _assert_reasons(entry["reasons"])
        assert all(isinstance(c, str) and c for c in entry["constraints"])
        assert len(set(entry["constraints"])) == len(entry["constraints"])
    assert ranks == list(range(1, len(ranks) + 1))
    excluded_order = [e["treatment"] for e in output["excluded"]]
    assert excluded_order == [t for t in TREATMENTS if t in excluded_order]
    for entry in output["excluded"]:
        assert list(entry) == ["treatment", "reasons"]
        assert entry["reasons"], "an exclusion always says why"
        _assert_reasons(entry["reasons"])
    treatments = order(output) + excluded_order
    assert sorted(treatments) == sorted(TREATMENTS), "every treatment is suggested or excluded"
    for flag in output["flags"]:
        assert list(flag) == ["code", "severity", "rule", "message"]
        assert flag["code"] in FLAG_CODES
        assert flag["severity"] in SEVERITIES
        assert flag["rule"].startswith("R") and flag["message"]
    codes = [f["code"] for f in output["flags"]]
    assert len(set(codes)) == len(codes)
    assert output["defer_reason"] is None or isinstance(output["defer_reason"], str)


def _assert_reasons(reasons: list[dict[str, str]]) -> None:
    for reason in reasons:
        assert list(reason) == ["rule", "text"]
        assert reason["rule"].startswith("R") and reason["text"]
    assert len({r["rule"] for r in reasons}) == len(reasons), "each rule gives its reason once"
