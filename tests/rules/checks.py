"""Checks of one output against the independent model (spec_model): shared by the invariant
tests and the exhaustive scan."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .spec_model import (
    AGENT_PREFIX,
    AGENTS,
    ASK_PREFIX,
    DEFER_PRIMARY,
    FLAG_VOCABULARY,
    LABELS,
    LASER_TYPE_CONSTRAINTS,
    RESTRICTING_RULES,
    TREATMENTS,
    Expected,
    catalogue_row,
)

SUGGESTION_KEYS = ["treatment", "rank", "status", "reasons", "constraints"]
PEEL_KEYS = ["treatment", "rank", "status", "agents", "agents_excluded", "reasons", "constraints"]
AGENT_WORDS = {
    "salicylic": r"\bsalicylic\b",
    "mandelic": r"\bmandelic\b",
    "lactic": r"\blactic\b",
    "glycolic": r"\bglycolic\b",
    "jessner": r"\bjessner",
    "tca": r"\btca\b",
}
# Agents a restricting rule's reason may name besides what it removes: R05's text says which
# agents pregnancy leaves (glycolic or lactic acid), even when R16 has removed glycolic acid.
NAMED_BY_RESTRICTION = {"R05": {"glycolic", "lactic"}}


def defer_rule_ids(defer_reason: str | None) -> list[str]:
    """The rule ids that open the entries of a defer_reason ("R##: ... R##: ...")."""
    if defer_reason is None:
        return []
    return re.findall(r"(?:^|(?<=\. ))(R\d\da?): ", defer_reason)


@lru_cache(maxsize=4096)
def agents_named(text: str) -> frozenset[str]:
    """The agents a text names, by code or label (reason texts repeat, so this is cached)."""
    return frozenset(
        agent for agent, word in AGENT_WORDS.items() if re.search(word, text, re.IGNORECASE)
    )


def suggestion_of(output: dict[str, Any], treatment: str) -> dict[str, Any] | None:
    return next((s for s in output["suggestions"] if s["treatment"] == treatment), None)


def check_partition(output: dict[str, Any]) -> None:
    """I2: each treatment once, in suggestions or excluded; ranks 1..n."""
    suggested = [s["treatment"] for s in output["suggestions"]]
    excluded = [e["treatment"] for e in output["excluded"]]
    assert sorted(suggested + excluded) == sorted(TREATMENTS)
    assert [s["rank"] for s in output["suggestions"]] == list(range(1, len(suggested) + 1))
    for entry in output["suggestions"]:
        keys = PEEL_KEYS if entry["treatment"] == "chemical_peel" else SUGGESTION_KEYS
        assert list(entry) == keys


def check_against_model(output: dict[str, Any], model: Expected) -> None:
    """The whole output agrees with 4.2-4.4 as the model reads them (I2-I11 in one go)."""
    check_partition(output)
    assert output["ruleset_version"] == "2026.2"
    assert [e["treatment"] for e in output["excluded"]] == model.excluded
    for entry in output["excluded"]:
        assert [r["rule"] for r in entry["reasons"]] == model.contraindicating(entry["treatment"])
    assert [s["treatment"] for s in output["suggestions"]] == model.order
    for entry in output["suggestions"]:
        treatment = entry["treatment"]
        assert entry["status"] == model.status(treatment), treatment
        assert [r["rule"] for r in entry["reasons"]] == model.reason_rules(treatment), treatment
        assert entry["constraints"] == model.constraints(treatment), treatment
        if treatment == "chemical_peel":
            assert entry["agents"] == list(model.agents)
            assert entry["agents_excluded"] == model.agents_excluded()
    assert [(f["code"], f["severity"], f["rule"]) for f in output["flags"]] == model.flags
    assert output["primary"] == model.primary
    assert defer_rule_ids(output["defer_reason"]) == model.defer_rules
    assert (output["defer_reason"] is None) == (output["primary"] != DEFER_PRIMARY)


def check_structure(output: dict[str, Any]) -> None:
    """Model-free checks of I6 (vocabulary), I7/I8 (agents) and I9 (constraints)."""
    codes = [f["code"] for f in output["flags"]]
    assert len(codes) == len(set(codes))
    assert set(codes) <= set(FLAG_VOCABULARY)
    for entry in output["suggestions"]:
        treatment, constraints = entry["treatment"], entry["constraints"]
        rows = [catalogue_row(treatment, c) for c in constraints]
        assert None not in rows, (treatment, constraints)
        assert rows == sorted(rows) and len(set(constraints)) == len(constraints)
        assert sum(c in LASER_TYPE_CONSTRAINTS for c in constraints) <= 1
        assert sum(c.startswith(ASK_PREFIX) for c in constraints) <= 1
        others = constraints
        if treatment == "chemical_peel":
            agents = entry["agents"]
            assert agents and agents == [a for a in AGENTS if a in agents]
            assert [e["agent"] for e in entry["agents_excluded"]] == [
                a for a in AGENTS if a not in agents
            ]
            assert all(e["rules"] for e in entry["agents_excluded"])
            assert constraints[0] == AGENT_PREFIX + ", ".join(LABELS[a] for a in agents)
            others = constraints[1:]
            for reason in entry["reasons"]:
                named = agents_named(reason["text"]) - set(agents)
                if reason["rule"] in RESTRICTING_RULES:
                    removed = {
                        e["agent"] for e in entry["agents_excluded"] if reason["rule"] in e["rules"]
                    }
                    named -= removed | NAMED_BY_RESTRICTION.get(reason["rule"], set())
                assert not named, (reason["rule"], named)
        for constraint in others:
            assert not any(code in constraint for code in AGENTS), constraint
            assert not any(label in constraint for label in LABELS.values()), constraint
        for reason in entry["reasons"] if treatment != "chemical_peel" else ():
            assert not agents_named(reason["text"]), (treatment, reason)
