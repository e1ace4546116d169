"""Worked examples of the spec (intake-contract.md section 2, clinical-rules.md 4.3), end to end."""

from __future__ import annotations

from typing import Any

from consultations.rules import DEFER, RULESET_VERSION, TREATMENTS

from .helpers import assert_contract_shape, excluded, flags, order, run, suggestion


def summary(output: dict[str, Any]) -> list[tuple[str, int, str, list[str], list[str]]]:
    """Each suggestion as (treatment, rank, status, rule ids, constraints)."""
    return [
        (
            s["treatment"],
            s["rank"],
            s["status"],
            [r["rule"] for r in s["reasons"]],
            s["constraints"],
        )
        for s in output["suggestions"]
    ]


PIGMENTED_SKIN_SETTINGS = (
    "settings for pigmented skin: longer wavelength where possible, low density, conservative "
    "fluence, cooling"
)


def test_the_contracts_example_fitzpatrick_v_oily_pores_salicylate_allergy() -> None:
    output = run(
        fitzpatrick=5,
        fitzpatrick_source="self_report",
        sebum="oily",
        goals=["pore_size"],
        salicylate_allergy=True,
    )

    assert_contract_shape(output)
    assert output["ruleset_version"] == RULESET_VERSION == "2026.2"
    assert output["primary"] == "chemical_peel"
    peel = output["suggestions"][0]
    assert list(peel) == [
        "treatment",
        "rank",
        "status",
        "agents",
        "agents_excluded",
        "reasons",
        "constraints",
    ]
    assert peel["agents"] == ["mandelic", "lactic"]
    assert peel["agents_excluded"] == [
        {"agent": "salicylic", "rules": ["R12"]},
        {"agent": "glycolic", "rules": ["R16"]},
        {"agent": "jessner", "rules": ["R12", "R16"]},
        {"agent": "tca", "rules": ["R16"]},
    ]
    assert summary(output) == [
        (
            "chemical_peel",
            1,
            "caution",
            ["R12", "R16", "R17", "R19", "R19a"],
            [
                "agents allowed: mandelic acid, lactic acid",
                "superficial peel only",
                "check that no product used contains salicylates",
            ],
        ),
        ("microdermabrasion", 2, "caution", ["R16", "R19a"], ["gentle technique"]),
        (
            "laser",
            3,
            "caution",
            ["R16", "R17", "R19a"],
            ["test spot", PIGMENTED_SKIN_SETTINGS, "confirm the phototype at examination"],
        ),
    ]
    reasons = {r["rule"]: r["text"] for r in peel["reasons"]}
    assert reasons["R12"].startswith("Salicylate or aspirin allergy: ")
    assert reasons["R16"].startswith("Fitzpatrick V–VI: PIH risk; ")
    assert "salicylic" not in reasons["R17"] and "salicylic" not in reasons["R19"]
    assert output["excluded"] == []
    assert [(f["code"], f["severity"], f["rule"]) for f in output["flags"]] == [
        ("SALICYLATE_ALLERGY", "caution", "R12"),
        ("PIH_RISK", "caution", "R16"),
    ]
    assert output["defer_reason"] is None


def test_fitzpatrick_vi_oily_skin_with_pores_gets_the_peel_first() -> None:
    output = run(fitzpatrick=6, sebum="very_oily", goals=["pore_size"])

    assert order(output) == ["chemical_peel", "microdermabrasion", "laser"]
    assert suggestion(output, "chemical_peel")["agents"] == ["salicylic", "mandelic", "lactic"]
    assert "PIH_RISK" in flags(output)


def test_pregnancy_with_oily_pores_gets_a_glycolic_or_lactic_peel_first() -> None:
    output = run(pregnant=True, sebum="oily", goals=["pore_size"])

    assert excluded(output) == {"laser": {"R05"}}
    assert output["primary"] == "chemical_peel"
    peel = suggestion(output, "chemical_peel")
    assert peel["constraints"] == ["agents allowed: lactic acid, glycolic acid"]
    assert "salicylic" not in {r["rule"]: r["text"] for r in peel["reasons"]}["R19"]


def test_recent_isotretinoin_with_acne_scars_allows_non_ablative_laser_first() -> None:
    output = run(
        isotretinoin_last_6_months=True, isotretinoin_timing="current", goals=["acne_scars"]
    )

    assert output["primary"] == "laser"
    assert suggestion(output, "laser")["constraints"] == [
        "no fully ablative laser",
        "picosecond or non-ablative fractional laser",
    ]
    assert flags(output) == {"ISOTRETINOIN_RECENT": ("caution", "R07")}


def test_an_active_cold_sore_defers_and_excludes_every_treatment() -> None:
    output = run(active_infection_or_cold_sore=True, hsv_history=True, goals=["pore_size"])

    assert_contract_shape(output)
    assert output["primary"] == DEFER
    assert [e["treatment"] for e in output["excluded"]] == list(TREATMENTS)
    assert [f["code"] for f in output["flags"]] == ["ACTIVE_INFECTION", "HSV_HISTORY"]


def test_nothing_suitable_defers_to_the_practitioner() -> None:
    output = run(
        systemic_gold_therapy_ever=True,
        photosensitising_meds=True,
        active_inflamed_acne=True,
        inflamed_acne_severity="papules_pustules",
    )

    assert_contract_shape(output)
    assert output["primary"] == DEFER
    assert excluded(output) == {
        "laser": {"R04"},
        "chemical_peel": {"R10"},
        "microdermabrasion": {"R11"},
    }
    assert output["defer_reason"].startswith("R29: every treatment is contraindicated")


def test_several_deferring_rules_are_named_in_table_order() -> None:
    output = run(
        vitiligo=True,
        active_rosacea=True,
        pregnant=True,
        isotretinoin_last_6_months=True,
        isotretinoin_timing="stopped_1_to_6_months",
    )

    assert [part.split(":")[0] for part in output["defer_reason"].split(". R")] == [
        "R13",
        "30",
        "40",
    ]
