"""The exhaustive scan of clinical-rules.md section 9, against the independent model.

The space: 0-2 true yes/no answers among all 29 (follow-ups enumerated whenever their parent is
true) x Fitzpatrick 1-6 x 4 sebum levels x every 1- and 2-goal ordered list x 3 sources x ages
30 and 45, under questionnaire 2026.2; plus the same for 2026.1 consultations whose 13 new codes
were not asked (0-2 true among the 18 yes/no answers of 2026.1). About 3.8 million cases.

The normal suite runs a deterministic slice (every yes/no set and follow-up with a rotating
sample of the other answers). The full scan runs with RULES_EXHAUSTIVE=1:

    RULES_EXHAUSTIVE=1 python -m pytest tests/rules/test_exhaustive.py -m exhaustive -q

Every case is compared with the model as a whole (I2-I11), plus the monotonicity invariants I12
(Fitzpatrick one type darker) and I13 (one more yes answer, follow-ups as enumerated) within
the scan.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

from consultations.rules import suggest

from .checks import check_against_model, check_structure, defer_rule_ids
from .spec_model import ALL_BOOLEANS, NEW_CODES, OLD_BOOLEANS, PARENT, Expected, expected
from .strategies import FOLLOW_UP_VALUES, GOALS, SEBUM, SOURCES

FULL = os.environ.get("RULES_EXHAUSTIVE") == "1"
SLICE_PER_SET = 8

GOAL_LISTS = [[g] for g in GOALS] + [list(pair) for pair in itertools.permutations(GOALS, 2)]
OTHERS = [
    {"fitzpatrick": f, "sebum": s, "goals": g, "fitzpatrick_source": src, "age": age}
    for f in range(1, 7)
    for s in SEBUM
    for g in GOAL_LISTS
    for src in SOURCES
    for age in (30, 45)
]


def yes_sets(booleans: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [c for n in range(3) for c in itertools.combinations(booleans, n)]


def follow_up_choices(yes: tuple[str, ...], version: str) -> list[dict[str, Any]]:
    """Every follow-up combination for these yes answers (2026.1: not asked)."""
    if version == "2026.1":
        return [{}]
    options = [
        [{child: value} for value in FOLLOW_UP_VALUES[child]]
        for child, parent in PARENT.items()
        if parent in yes
    ]
    return [
        dict(item for d in combo for item in d.items()) for combo in itertools.product(*options)
    ]


def base_answers(yes: tuple[str, ...], follow_ups: dict[str, Any], version: str) -> dict[str, Any]:
    if version == "2026.1":
        data: dict[str, Any] = {code: code in yes for code in OLD_BOOLEANS}
        data["questionnaire_version"] = "2026.1"
    else:
        data = {code: code in yes for code in ALL_BOOLEANS}
    return {**data, **follow_ups}


def groups(version: str) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    booleans = OLD_BOOLEANS if version == "2026.1" else ALL_BOOLEANS
    return [(yes, f) for yes in yes_sets(booleans) for f in follow_up_choices(yes, version)]


def summary(output: dict[str, Any], model: Expected) -> tuple[Any, ...]:
    """What I12/I13 compare: excluded, tiers, deferral, flags, agents, ranks."""
    peel = next((s for s in output["suggestions"] if s["treatment"] == "chemical_peel"), None)
    return (
        frozenset(e["treatment"] for e in output["excluded"]),
        {t: model.tier(t) for t in model.order},
        output["primary"] == "defer_to_practitioner",
        frozenset(r for r in defer_rule_ids(output["defer_reason"]) if r != "R29"),
        frozenset(f["code"] for f in output["flags"]),
        frozenset(peel["agents"]) if peel else None,
        {s["treatment"]: s["rank"] for s in output["suggestions"]},
    )


def assert_never_less_careful(before: tuple[Any, ...], after: tuple[Any, ...]) -> None:
    excluded_b, tiers_b, defer_b, deferring_b, flags_b, agents_b, _ = before
    excluded_a, tiers_a, defer_a, deferring_a, flags_a, agents_a, _ = after
    assert excluded_b <= excluded_a
    assert all(tiers_a[t] >= tiers_b[t] for t in tiers_a)
    assert defer_a or not defer_b
    assert deferring_b <= deferring_a
    assert flags_b <= flags_a
    assert agents_a is None or agents_b is None or agents_a <= agents_b


def check_case(data: dict[str, Any]) -> tuple[Any, ...]:
    output, model = suggest(data), expected(data)
    check_against_model(output, model)
    check_structure(output)
    return summary(output, model)


_SEEN: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def checked(
    version: str, yes: tuple[str, ...], follow_ups: dict[str, Any], other: dict[str, Any]
) -> tuple[Any, ...]:
    """check_case, remembered for the small yes-sets that I12 and I13 compare against."""
    key = (version, yes, tuple(sorted(follow_ups.items())), *(str(v) for v in other.values()))
    if key not in _SEEN:
        result = check_case({**base_answers(yes, follow_ups, version), **other})
        if len(yes) > 1:
            return result
        _SEEN[key] = result
    return _SEEN[key]


def scan_group(
    version: str, yes: tuple[str, ...], follow_ups: dict[str, Any], others: list[dict[str, Any]]
) -> int:
    """Check every case of one yes-set (I2-I11, I12 within it, I13 against its subsets)."""
    results = [checked(version, yes, follow_ups, other) for other in others]
    for other, after in zip(others, results, strict=True):
        for code in yes:  # I13: the same answers with this yes turned back to no
            smaller = tuple(c for c in yes if c != code)
            kept = {k: v for k, v in follow_ups.items() if PARENT[k] != code}
            assert_never_less_careful(checked(version, smaller, kept, other), after)
    darker_of = {str(o): i for i, o in enumerate(others)}
    for other, before in zip(others, results, strict=True):  # I12: one type darker
        if other["fitzpatrick"] == 6:
            continue
        darker = {**other, "fitzpatrick": other["fitzpatrick"] + 1}
        index = darker_of.get(str(darker))
        after = results[index] if index is not None else checked(version, yes, follow_ups, darker)
        assert_darker_is_never_less_careful(before, after)
    return len(others)


def assert_darker_is_never_less_careful(before: tuple[Any, ...], after: tuple[Any, ...]) -> None:
    excluded_b, tiers_b, defer_b, deferring_b, _, agents_b, ranks_b = before
    excluded_a, tiers_a, defer_a, deferring_a, _, agents_a, ranks_a = after
    assert deferring_b <= deferring_a and (defer_a or not defer_b)
    assert "laser" not in excluded_b or "laser" in excluded_a
    if "laser" in tiers_b and "laser" in tiers_a:
        assert tiers_a["laser"] >= tiers_b["laser"]
    both = {"laser", "chemical_peel"} <= set(ranks_a) & set(ranks_b)
    if both and ranks_a["laser"] < ranks_a["chemical_peel"]:
        assert ranks_b["laser"] < ranks_b["chemical_peel"]
    if agents_b is not None and agents_a is not None:
        assert agents_a <= agents_b


def sliced(index: int) -> list[dict[str, Any]]:
    """A deterministic, rotating sample of the other answers for one yes-set."""
    return [OTHERS[(index * 7919 + j * 433) % len(OTHERS)] for j in range(SLICE_PER_SET)]


@pytest.mark.parametrize("version", ["2026.2", "2026.1"])
def test_a_deterministic_slice_of_the_exhaustive_scan(version: str) -> None:
    cases = 0
    for index, (yes, follow_ups) in enumerate(groups(version)):
        cases += scan_group(version, yes, follow_ups, sliced(index))
    assert cases == len(groups(version)) * SLICE_PER_SET
    assert set(NEW_CODES) - set(PARENT) <= set(ALL_BOOLEANS)


def _scan_chunk(args: tuple[str, list[tuple[tuple[str, ...], dict[str, Any]]]]) -> int:
    version, chunk = args
    return sum(scan_group(version, yes, f, OTHERS) for yes, f in chunk)


def _chunks(version: str, size: int) -> Iterator[tuple[str, list[Any]]]:
    items = groups(version)
    for start in range(0, len(items), size):
        yield version, items[start : start + size]


@pytest.mark.exhaustive
@pytest.mark.skipif(not FULL, reason="the full scan runs with RULES_EXHAUSTIVE=1")
@pytest.mark.parametrize("version", ["2026.2", "2026.1"])
def test_the_full_exhaustive_scan(version: str) -> None:
    started = time.monotonic()
    workers = int(os.environ.get("RULES_EXHAUSTIVE_WORKERS", os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        cases = sum(pool.map(_scan_chunk, _chunks(version, 8)))
    assert cases == len(groups(version)) * len(OTHERS)
    print(f"\n{version}: {cases} cases in {time.monotonic() - started:.0f} s")
