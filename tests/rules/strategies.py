"""Hypothesis strategies over the whole answer space: both questionnaire versions."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .spec_model import (
    ALL_BOOLEANS,
    NEW_BOOLEANS,
    OLD_BOOLEANS,
    PARENT,
    SEVERITIES,
    TIMINGS,
    unasked_codes,
)

GOALS = ("pore_size", "oiliness", "texture", "tone_pigmentation", "acne_scars", "fine_lines")
SOURCES = ("self_report", "questionnaire", "practitioner")
SEBUM = ("dry", "normal", "oily", "very_oily")
FOLLOW_UP_VALUES = {"isotretinoin_timing": TIMINGS, "inflamed_acne_severity": SEVERITIES}
VERSIONS = ("absent", "2026.2", "2026.1")


@st.composite
def answer_sets(draw: st.DrawFn, versions: tuple[str, ...] = VERSIONS) -> dict[str, Any]:
    """Any valid answers object; yes answers are rare in some draws, common in others.

    Under 2026.1 each new code is independently not asked (absent or null) or answered.
    """
    version = draw(st.sampled_from(versions))
    percent_yes = draw(st.sampled_from([3, 10, 30, 60]))
    data: dict[str, Any] = {
        "fitzpatrick": draw(st.integers(1, 6)),
        "fitzpatrick_source": draw(st.sampled_from(SOURCES)),
        "sebum": draw(st.sampled_from(SEBUM)),
        "goals": draw(st.lists(st.sampled_from(GOALS), min_size=1, max_size=6, unique=True)),
        "age": draw(st.integers(18, 120)),
    }
    for code in OLD_BOOLEANS:
        data[code] = draw(st.integers(0, 99)) < percent_yes
    old = version == "2026.1"
    percent_asked = draw(st.sampled_from([0, 50, 100])) if old else 100
    for code in NEW_BOOLEANS:
        if draw(st.integers(0, 99)) < percent_asked:
            data[code] = draw(st.integers(0, 99)) < percent_yes
        elif draw(st.booleans()):
            data[code] = None
    for code, parent in PARENT.items():
        if data[parent]:
            if draw(st.integers(0, 99)) < percent_asked:
                data[code] = draw(st.sampled_from(FOLLOW_UP_VALUES[code]))
            elif draw(st.booleans()):
                data[code] = None
        elif draw(st.booleans()):
            data[code] = None
    if version != "absent":
        data["questionnaire_version"] = version
    return data


def with_answer(
    data: dict[str, Any], code: str, value: Any, follow_up: str | None = None
) -> dict[str, Any]:
    """`data` with one answer changed, keeping follow-ups valid for the parent's new value."""
    changed = {**data, code: value}
    for child, parent in PARENT.items():
        if parent != code:
            continue
        if value is True:
            if follow_up is not None:
                changed[child] = follow_up
            elif changed.get(child) is None and changed.get("questionnaire_version") != "2026.1":
                changed[child] = FOLLOW_UP_VALUES[child][0]
        else:
            changed.pop(child, None)
    return changed


# The kinds of invalid answers of invariant I17.
INVALID_KINDS = (
    "missing_new_code",
    "missing_follow_up",
    "follow_up_without_parent",
    "bad_version",
    "age",
    "repeated_goal",
)


def invalid_answers(
    data: dict[str, Any], kind: str, draw: st.DataObject
) -> tuple[dict[str, Any], str]:
    """`data` made invalid in one field of the kind I17 lists; returns it and that field."""
    bad = dict(data)
    if kind == "missing_new_code":
        bad = complete_2026_2(data, draw)
        field = draw.draw(st.sampled_from(NEW_BOOLEANS))
        if draw.draw(st.booleans()):
            del bad[field]
        else:
            bad[field] = None
    elif kind == "missing_follow_up":
        field = draw.draw(st.sampled_from(sorted(PARENT)))
        bad = with_answer(complete_2026_2(data, draw), PARENT[field], True)
        bad[field] = None
    elif kind == "follow_up_without_parent":
        field = draw.draw(st.sampled_from(sorted(PARENT)))
        bad = with_answer(bad, PARENT[field], False)
        bad[field] = draw.draw(st.sampled_from(FOLLOW_UP_VALUES[field]))
    elif kind == "bad_version":
        field = "questionnaire_version"
        bad[field] = draw.draw(st.sampled_from([None, "2026.0", "2026.3", 2026.2, "", "2025.1"]))
    elif kind == "age":
        field = "age"
        bad[field] = draw.draw(st.one_of(st.integers(-5, 17), st.integers(121, 400)))
    else:
        field = "goals"
        goal = draw.draw(st.sampled_from(data["goals"]))
        bad[field] = [*data["goals"], goal]
    return bad, field


def complete_2026_2(data: dict[str, Any], draw: st.DataObject) -> dict[str, Any]:
    """The same answers with every unasked code answered, as a 2026.2 answers object (no key)."""
    complete = {k: v for k, v in data.items() if k != "questionnaire_version"}
    for code in unasked_codes(data):
        complete[code] = draw.draw(st.sampled_from(FOLLOW_UP_VALUES.get(code, (False, True))))
    return complete


__all__ = [
    "INVALID_KINDS",
    "complete_2026_2",
    "invalid_answers",
    "ALL_BOOLEANS",
    "FOLLOW_UP_VALUES",
    "GOALS",
    "SEBUM",
    "SOURCES",
    "answer_sets",
    "with_answer",
]
