"""Worked examples a practitioner would recognise, checked end to end."""

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


def test_dark_oily_skin_with_pores_gets_a_salicylic_acid_peel_first() -> None:
    output = run(fitzpatrick=5, sebum="oily", goals=["pore_size", "oiliness"])

    assert_contract_shape(output)
    assert output["ruleset_version"] == RULESET_VERSION
    assert output["primary"] == "chemical_peel"
    assert summary(output) == [
        (
            "chemical_peel",
            1,
            "caution",
            ["R16", "R17", "R19", "R19a"],
            ["superficial peel only", "no TCA or Jessner's", "salicylic acid peel"],
        ),
        ("microdermabrasion", 2, "caution", ["R16", "R19a"], ["gentle technique"]),
        (
            "laser",
            3,
            "caution",
            ["R16", "R17", "R19a"],
            ["1064 nm, picosecond or low-density fractional", "test spot"],
        ),
    ]
    assert output["excluded"] == []
    assert [(f["code"], f["severity"], f["rule"]) for f in output["flags"]] == [
        ("PIH_RISK", "caution", "R16")
    ]
    assert output["defer_reason"] is None


def test_fitzpatrick_vi_oily_skin_with_pores_also_gets_the_peel_first() -> None:
    output = run(fitzpatrick=6, sebum="very_oily", goals=["pore_size"])

    assert order(output) == ["chemical_peel", "microdermabrasion", "laser"]
    assert "PIH_RISK" in flags(output)


def test_pregnancy_excludes_laser_and_keeps_peels_to_glycolic_or_lactic_acid() -> None:
    output = run(pregnant=True, sebum="oily", goals=["pore_size"])

    assert excluded(output) == {"laser": {"R05"}}
    assert output["primary"] == "chemical_peel"
    peel = suggestion(output, "chemical_peel")
    assert "glycolic or lactic acid only" in peel["constraints"]
    assert "glycolic acid peel instead of salicylic acid" in peel["constraints"]
    assert "salicylic acid peel" not in peel["constraints"]
    assert flags(output)["PREGNANCY"] == ("caution", "R05")


def test_recent_isotretinoin_allows_superficial_treatments_with_cautions() -> None:
    output = run(isotretinoin_last_6_months=True, goals=["acne_scars"])

    assert output["primary"] == "laser"
    laser = suggestion(output, "laser")
    assert laser["status"] == "caution"
    assert laser["constraints"][:2] == [
        "non-ablative or fractional laser only",
        "no fully ablative laser",
    ]
    assert "superficial peel only" in suggestion(output, "chemical_peel")["constraints"]
    assert flags(output) == {"ISOTRETINOIN_RECENT": ("caution", "R07")}


def test_a_salicylate_allergy_with_very_oily_skin_gets_a_glycolic_acid_peel() -> None:
    output = run(salicylate_allergy=True, sebum="very_oily", goals=["oiliness"])

    assert output["primary"] == "chemical_peel"
    peel = suggestion(output, "chemical_peel")
    assert peel["constraints"] == [
        "no salicylic acid",
        "no Jessner's solution",
        "glycolic, mandelic or lactic acid instead",
        "glycolic acid peel instead of salicylic acid",
    ]
    assert not any("salicylic acid peel" in c for c in peel["constraints"])
    assert flags(output) == {"SALICYLATE_ALLERGY": ("caution", "R12")}


def test_an_active_cold_sore_defers_and_excludes_every_treatment() -> None:
    output = run(active_infection_or_cold_sore=True, hsv_history=True, goals=["pore_size"])

    assert_contract_shape(output)
    assert output["primary"] == DEFER
    assert [e["treatment"] for e in output["excluded"]] == list(TREATMENTS)
    assert output["defer_reason"] == (
        "R01: active infection or cold sore in the area; treat and re-assess when healed."
    )
    assert [f["code"] for f in output["flags"]] == ["ACTIVE_INFECTION", "HSV_HISTORY"]


def test_a_suspicious_lesion_is_referred_for_diagnosis() -> None:
    output = run(suspicious_lesion=True, goals=["tone_pigmentation"])

    assert output["primary"] == DEFER
    assert "diagnosis" in output["defer_reason"]
    assert flags(output)["SUSPICIOUS_LESION"] == ("stop", "R02")


def test_gold_therapy_excludes_laser_even_when_it_would_lead() -> None:
    output = run(systemic_gold_therapy_ever=True, goals=["acne_scars"], age=60)

    assert excluded(output) == {"laser": {"R04"}}
    assert output["primary"] == "chemical_peel"
    assert "laser" not in order(output)


def test_nothing_suitable_defers_to_the_practitioner() -> None:
    output = run(
        fitzpatrick=2,
        systemic_gold_therapy_ever=True,
        photosensitising_meds=True,
        active_rosacea=True,
    )

    assert_contract_shape(output)
    assert output["primary"] == DEFER
    assert output["suggestions"] == []
    assert excluded(output) == {
        "laser": {"R04"},
        "chemical_peel": {"R10"},
        "microdermabrasion": {"R13"},
    }
    assert output["defer_reason"].startswith("R29: every treatment is contraindicated")
