"""A rule change without a new ruleset version fails here."""

from __future__ import annotations

import dataclasses
import re

import pytest

from consultations.rules import (
    RULES,
    RULESET_FINGERPRINTS,
    RULESET_VERSION,
    ruleset_fingerprint,
    table,
)


def test_the_ruleset_version_names_the_current_rule_table() -> None:
    current = ruleset_fingerprint()

    assert RULESET_FINGERPRINTS.get(RULESET_VERSION) == current, (
        "The rule table changed but RULESET_VERSION did not. In consultations/rules/version.py, "
        f"bump RULESET_VERSION (now {RULESET_VERSION!r}) and add the new version to "
        f"RULESET_FINGERPRINTS with the fingerprint {current!r}; then regenerate docs/rules.md "
        "with `python manage.py rules_table > docs/rules.md`."
    )


def test_the_current_version_is_the_latest_recorded_one() -> None:
    assert list(RULESET_FINGERPRINTS)[-1] == RULESET_VERSION
    assert re.fullmatch(r"\d{4}\.\d+", RULESET_VERSION)


def test_the_released_2026_1_fingerprint_is_kept() -> None:
    assert RULESET_FINGERPRINTS["2026.1"] == (
        "566b7b53d139a14583547b45fb3e3342428adb1383a77e4d3e3708b1607db990"
    )
    assert RULESET_VERSION == "2026.2"


def test_every_recorded_version_has_its_own_fingerprint() -> None:
    fingerprints = list(RULESET_FINGERPRINTS.values())

    assert len(set(fingerprints)) == len(fingerprints)


@pytest.mark.parametrize(
    "change",
    [
        {"reason": "Edited reason."},
        {"sources": ("S1",)},
        {"severity": "info"},
        {"when": table.Answered("melasma")},
        {"actions": {"laser": (table.caution("test spot"),)}},
        {"defer_reason": "edited deferral."},
    ],
)
def test_any_rule_edit_changes_the_fingerprint(
    monkeypatch: pytest.MonkeyPatch, change: dict[str, object]
) -> None:
    original = ruleset_fingerprint()
    edited = dataclasses.replace(RULES[4], **change)
    monkeypatch.setattr(table, "RULES", (*RULES[:4], edited, *RULES[5:]))

    assert ruleset_fingerprint() != original
