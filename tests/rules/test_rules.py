"""Each rule of clinical-rules.md 4.2 (ruleset 2026.2): a case where it fires, and a near miss.

The baseline (tests/rules/helpers.py) is the I15 baseline: Fitzpatrick II confirmed by the
practitioner, normal sebum, texture only, 30, nothing to declare.
"""

from __future__ import annotations

import dataclasses

import pytest

from consultations.rules import DEFER, TREATMENTS, Answers, evaluate, table

from .helpers import answers, excluded, flags, order, rules_of, run, suggestion

ALL_AGENTS = ["salicylic", "mandelic", "lactic", "glycolic", "jessner", "tca"]


def agents(output: dict) -> list[str]:
    return suggestion(output, "chemical_peel")["agents"]


def removed(output: dict) -> dict[str, list[str]]:
    return {e["agent"]: e["rules"] for e in suggestion(output, "chemical_peel")["agents_excluded"]}


def texts(output: dict, treatment: str) -> dict[str, str]:
    return {r["rule"]: r["text"] for r in suggestion(output, treatment)["reasons"]}


# --- R01 active infection / cold sore -------------------------------------------------------


def test_it_defers_and_excludes_everything_with_an_active_cold_sore() -> None:
    output = run(active_infection_or_cold_sore=True)

    assert output["primary"] == DEFER
    assert excluded(output) == dict.fromkeys(TREATMENTS, {"R01"})
    assert output["suggestions"] == []
    assert flags(output)["ACTIVE_INFECTION"] == ("stop", "R01")
    assert output["defer_reason"] == (
        "R01: active infection or cold sore in the area; treat and reassess when healed."
    )


def test_a_past_cold_sore_history_does_not_trigger_the_active_infection_rule() -> None:
    output = run(hsv_history=True)

    assert output["primary"] != DEFER
    assert output["excluded"] == []
    assert "ACTIVE_INFECTION" not in flags(output)


# --- R02 suspicious lesion ------------------------------------------------------------------


def test_it_defers_and_excludes_everything_over_a_suspicious_lesion() -> None:
    output = run(suspicious_lesion=True)

    assert output["primary"] == DEFER
    assert excluded(output) == dict.fromkeys(TREATMENTS, {"R02"})
    assert flags(output)["SUSPICIOUS_LESION"] == ("stop", "R02")
    assert "R02" in output["defer_reason"]


# --- R03 dermatitis in the area -------------------------------------------------------------


def test_it_excludes_peel_and_microdermabrasion_and_defers_laser_with_dermatitis() -> None:
    output = run(dermatitis_in_area=True)

    assert excluded(output) == {"chemical_peel": {"R03"}, "microdermabrasion": {"R03"}}
    laser = suggestion(output, "laser")
    assert laser["status"] == "caution"
    assert laser["constraints"] == ["assess the dermatitis first"]
    assert output["primary"] == DEFER
    assert flags(output)["DERMATITIS_IN_AREA"] == ("stop", "R03")
    assert output["defer_reason"].startswith("R03:")


# --- R04 gold therapy -----------------------------------------------------------------------


def test_it_excludes_laser_after_gold_therapy() -> None:
    output = run(systemic_gold_therapy_ever=True, goals=["fine_lines"])

    assert excluded(output) == {"laser": {"R04"}}
    assert output["primary"] == "chemical_peel"
    assert flags(output)["GOLD_THERAPY"] == ("caution", "R04")


def test_r04_says_nothing_on_the_peel_or_microdermabrasion() -> None:
    output = run(systemic_gold_therapy_ever=True)

    assert not any("R04" in rules_of(s) for s in output["suggestions"])


def test_laser_leads_for_fine_lines_without_gold_therapy() -> None:
    assert run(goals=["fine_lines"])["primary"] == "laser"


# --- R05 pregnancy --------------------------------------------------------------------------


def test_it_excludes_laser_and_keeps_peels_to_glycolic_or_lactic_acid_in_pregnancy() -> None:
    output = run(pregnant=True)

    assert excluded(output) == {"laser": {"R05"}}
    assert agents(output) == ["lactic", "glycolic"]
    assert removed(output) == {a: ["R05"] for a in ("salicylic", "mandelic", "jessner", "tca")}
    peel = suggestion(output, "chemical_peel")
    assert peel["status"] == "caution"
    assert peel["constraints"] == ["agents allowed: lactic acid, glycolic acid"]
    assert suggestion(output, "microdermabrasion")["status"] == "caution"
    assert flags(output)["PREGNANCY"] == ("caution", "R05")
    assert output["primary"] == "microdermabrasion"


def test_r05_speaks_about_each_treatment_in_its_own_words() -> None:
    output = run(pregnant=True)

    laser = output["excluded"][0]["reasons"][0]["text"]
    assert laser.startswith("Pregnant, trying to conceive or not sure: elective laser waits")
    assert texts(output, "microdermabrasion")["R05"].endswith("it is done with caution.")
    assert "only glycolic or lactic acid peels" in texts(output, "chemical_peel")["R05"]


def test_breastfeeding_alone_does_not_exclude_laser() -> None:
    output = run(breastfeeding=True)

    assert "laser" not in excluded(output)
    assert "PREGNANCY" not in flags(output)


# --- R06 breastfeeding ----------------------------------------------------------------------


def test_it_cautions_all_three_treatments_when_breastfeeding() -> None:
    output = run(breastfeeding=True)

    assert {s["status"] for s in output["suggestions"]} == {"caution"}
    assert all("R06" in rules_of(s) for s in output["suggestions"])
    assert flags(output)["BREASTFEEDING"] == ("caution", "R06")
    assert order(output) == ["microdermabrasion", "chemical_peel", "laser"]


def test_the_baseline_is_suitable_for_all_three_treatments_with_every_agent() -> None:
    output = run()

    assert order(output) == ["microdermabrasion", "chemical_peel", "laser"]
    assert {s["status"] for s in output["suggestions"]} == {"suitable"}
    assert output["flags"] == []
    assert agents(output) == ALL_AGENTS


# --- R07 isotretinoin -----------------------------------------------------------------------


@pytest.mark.parametrize("timing", ["current", "stopped_under_1_month", "not_sure"])
def test_microdermabrasion_is_not_first_line_during_or_just_after_isotretinoin(
    timing: str,
) -> None:
    output = run(isotretinoin_last_6_months=True, isotretinoin_timing=timing)

    assert output["primary"] == "chemical_peel"
    assert suggestion(output, "microdermabrasion")["constraints"] == [
        "wait until at least 1 month after the last isotretinoin dose",
        "standard microdermabrasion only; no dermabrasion",
    ]
    assert suggestion(output, "laser")["constraints"] == ["no fully ablative laser"]
    assert suggestion(output, "chemical_peel")["constraints"][1:] == ["superficial peel only"]
    assert flags(output)["ISOTRETINOIN_RECENT"] == ("caution", "R07")


def test_microdermabrasion_may_lead_1_to_6_months_after_isotretinoin() -> None:
    output = run(isotretinoin_last_6_months=True, isotretinoin_timing="stopped_1_to_6_months")

    assert output["primary"] == "microdermabrasion"
    mda = suggestion(output, "microdermabrasion")
    assert mda["status"] == "caution"
    assert mda["constraints"] == ["standard microdermabrasion only; no dermabrasion"]
    assert texts(output, "microdermabrasion")["R07"].startswith(
        "Isotretinoin stopped 1–6 months ago"
    )


def test_r07_uses_its_cautious_branch_when_the_timing_was_not_asked() -> None:
    data = answers(questionnaire_version="2026.1", isotretinoin_last_6_months=True)
    output = evaluate(Answers.from_mapping(data)).to_dict()

    mda = suggestion(output, "microdermabrasion")
    assert "wait until at least 1 month after the last isotretinoin dose" in mda["constraints"]
    assert texts(output, "microdermabrasion")["R07"].startswith(
        "Isotretinoin now, stopped under a month ago or timing unknown"
    )


def test_a_topical_retinoid_is_not_treated_as_isotretinoin() -> None:
    output = run(topical_retinoid_last_7_days=True)

    assert "no fully ablative laser" not in suggestion(output, "laser")["constraints"]
    assert "ISOTRETINOIN_RECENT" not in flags(output)


# --- R08 keloid history ---------------------------------------------------------------------


def test_it_keeps_laser_off_first_place_and_tca_off_the_peel_with_a_keloid_history() -> None:
    output = run(keloid_history=True, goals=["fine_lines"])

    assert output["primary"] == "chemical_peel"
    assert order(output)[-1] == "laser"
    assert suggestion(output, "laser")["constraints"] == [
        "no ablative resurfacing, fully or fractional"
    ]
    assert "tca" not in agents(output)
    assert removed(output) == {"tca": ["R08"]}
    assert flags(output)["KELOID_HISTORY"] == ("caution", "R08")


def test_it_defers_acne_scar_resurfacing_with_a_keloid_history() -> None:
    output = run(keloid_history=True, goals=["texture", "acne_scars"])

    assert output["primary"] == DEFER
    assert flags(output)["KELOID_HISTORY"] == ("stop", "R08")
    assert output["defer_reason"].startswith("R08:")


def test_acne_scars_without_keloid_history_get_laser_first() -> None:
    output = run(goals=["acne_scars"])

    assert output["primary"] == "laser"
    assert "KELOID_HISTORY" not in flags(output)


# --- R09 recent tan -------------------------------------------------------------------------


def test_it_excludes_laser_and_postpones_peels_on_tanned_fitzpatrick_ii_skin() -> None:
    output = run(recent_tan=True)

    assert excluded(output) == {"laser": {"R09"}}
    assert order(output) == ["microdermabrasion", "chemical_peel"]
    assert suggestion(output, "chemical_peel")["constraints"][1:] == [
        "postpone until the tan has faded"
    ]
    assert suggestion(output, "microdermabrasion")["constraints"] == [
        "not on sunburnt or peeling skin",
        "gentle technique",
    ]
    assert flags(output)["RECENT_TAN"] == ("caution", "R09")
    assert output["primary"] == "microdermabrasion"


@pytest.mark.parametrize(
    "change",
    [
        {"fitzpatrick": 3},
        {"fitzpatrick": 6},
        {"melasma": True, "fitzpatrick": 1},
        {"goals": ["texture", "tone_pigmentation"]},
    ],
)
def test_it_defers_a_tan_with_fitzpatrick_iii_to_vi_melasma_or_a_pigmentation_goal(
    change: dict,
) -> None:
    output = run(recent_tan=True, **change)

    assert output["primary"] == DEFER
    assert flags(output)["RECENT_TAN"] == ("stop", "R09")
    assert output["defer_reason"].startswith("R09: recent tan or self-tan with Fitzpatrick")


def test_untanned_fitzpatrick_iv_skin_is_not_deferred() -> None:
    output = run(fitzpatrick=4)

    assert output["primary"] != DEFER
    assert "laser" not in excluded(output)


# --- R10 photosensitising medicines ---------------------------------------------------------


def test_it_excludes_peels_and_demotes_laser_with_photosensitising_medicine() -> None:
    output = run(photosensitising_meds=True, goals=["fine_lines"])

    assert excluded(output) == {"chemical_peel": {"R10"}}
    assert order(output) == ["microdermabrasion", "laser"]
    assert suggestion(output, "laser")["constraints"] == [
        "review the photosensitising medicine first"
    ]
    assert suggestion(output, "microdermabrasion")["constraints"] == [
        "strict sun protection for 2 weeks after each session"
    ]
    # Fine lines as the main goal: microdermabrasion never leads, laser is not first-line.
    assert output["primary"] == DEFER
    assert output["defer_reason"].startswith("R29: the best remaining option, microdermabrasion")
    assert flags(output)["PHOTOSENSITISING_MEDS"] == ("caution", "R10")


def test_microdermabrasion_leads_for_texture_with_photosensitising_medicine() -> None:
    output = run(photosensitising_meds=True)

    assert output["primary"] == "microdermabrasion"
    assert suggestion(output, "microdermabrasion")["status"] == "caution"


# --- R11 active inflamed acne ---------------------------------------------------------------


def test_it_prefers_a_peel_and_excludes_microdermabrasion_with_active_acne() -> None:
    output = run(active_inflamed_acne=True, inflamed_acne_severity="papules_pustules")

    assert excluded(output) == {"microdermabrasion": {"R11"}}
    assert output["primary"] == "chemical_peel"
    assert suggestion(output, "laser")["constraints"] == ["treat the acne first"]
    assert "salicylic acid peels treat" in texts(output, "chemical_peel")["R11"]
    assert flags(output)["ACTIVE_INFLAMED_ACNE"] == ("caution", "R11")


def test_the_acne_peel_names_no_salicylic_acid_when_salicylic_acid_is_not_allowed() -> None:
    output = run(active_inflamed_acne=True, inflamed_acne_severity="papules_pustules", sebum="dry")

    assert texts(output, "chemical_peel")["R11"] == (
        "Active inflamed acne: a superficial peel with one of the allowed agents can help treat it."
    )
    assert agents(output) == ["mandelic", "lactic", "glycolic", "tca"]


def test_microdermabrasion_is_allowed_without_active_acne() -> None:
    output = run()

    assert "microdermabrasion" not in excluded(output)
    assert "R11" not in rules_of(suggestion(output, "chemical_peel"))


# --- R12 salicylate allergy -----------------------------------------------------------------


def test_it_removes_salicylic_acid_and_jessners_from_peels_with_a_salicylate_allergy() -> None:
    output = run(salicylate_allergy=True)

    peel = suggestion(output, "chemical_peel")
    assert peel["agents"] == ["mandelic", "lactic", "glycolic", "tca"]
    assert peel["constraints"] == [
        "agents allowed: mandelic acid, lactic acid, glycolic acid, TCA 10–30%",
        "check that no product used contains salicylates",
    ]
    assert peel["status"] == "caution"
    assert suggestion(output, "laser")["status"] == "suitable"
    assert "R12" not in rules_of(suggestion(output, "laser"))
    assert flags(output)["SALICYLATE_ALLERGY"] == ("caution", "R12")


# --- R13 active rosacea ---------------------------------------------------------------------


def test_active_rosacea_always_defers() -> None:
    output = run(active_rosacea=True)

    assert excluded(output) == {"microdermabrasion": {"R13"}}
    assert order(output) == ["chemical_peel", "laser"]
    for treatment in ("chemical_peel", "laser"):
        assert "treat the rosacea first" in suggestion(output, treatment)["constraints"]
    assert flags(output)["ACTIVE_ROSACEA"] == ("stop", "R13")
    assert output["defer_reason"] == "R13: active rosacea; treat it and reassess."


# --- R14 melasma ----------------------------------------------------------------------------


def test_it_prefers_a_primed_superficial_peel_and_keeps_laser_last_with_melasma() -> None:
    output = run(melasma=True, goals=["tone_pigmentation"])

    assert output["primary"] == "chemical_peel"
    assert order(output)[-1] == "laser"
    assert suggestion(output, "chemical_peel")["constraints"][1:] == [
        "superficial peel only",
        "prime the skin with topicals first",
    ]
    assert "no low-fluence laser toning" in suggestion(output, "laser")["constraints"]
    assert flags(output)["MELASMA"] == ("caution", "R14")


@pytest.mark.parametrize("change", [{"pregnant": True}, {"breastfeeding": True}])
def test_melasma_priming_in_pregnancy_or_breastfeeding_names_only_safe_topicals(
    change: dict,
) -> None:
    peel = suggestion(run(melasma=True, **change), "chemical_peel")

    assert "prime the skin with topicals first" not in peel["constraints"]
    assert peel["constraints"][-1].startswith(
        "prime the skin first with topicals safe in pregnancy and breastfeeding only"
    )


# --- R15 impaired healing -------------------------------------------------------------------


def test_it_defers_everything_with_impaired_wound_healing() -> None:
    output = run(immunosuppressed_or_poor_healing=True)

    assert output["primary"] == DEFER
    assert output["excluded"] == []
    assert {s["status"] for s in output["suggestions"]} == {"caution"}
    assert flags(output)["IMPAIRED_HEALING"] == ("stop", "R15")
    assert output["defer_reason"].startswith("R15:")


# --- R16 Fitzpatrick III-VI -----------------------------------------------------------------


def test_it_raises_pih_risk_from_fitzpatrick_iii_without_agent_limits() -> None:
    output = run(fitzpatrick=3)

    assert flags(output)["PIH_RISK"] == ("caution", "R16")
    assert suggestion(output, "laser")["constraints"] == [
        "test spot",
        "settings for pigmented skin: longer wavelength where possible, low density, "
        "conservative fluence, cooling",
    ]
    assert agents(output) == ALL_AGENTS
    assert texts(output, "chemical_peel")["R16"] == (
        "Fitzpatrick III: PIH risk; superficial peels only."
    )
    assert suggestion(output, "microdermabrasion")["constraints"] == ["gentle technique"]


def test_an_unconfirmed_phototype_asks_to_confirm_it_at_examination() -> None:
    output = run(fitzpatrick=3, fitzpatrick_source="self_report")

    assert suggestion(output, "laser")["constraints"][-1] == "confirm the phototype at examination"


def test_fitzpatrick_iv_removes_tca_and_v_also_glycolic_and_jessners() -> None:
    assert removed(run(fitzpatrick=4)) == {"tca": ["R16"]}
    assert agents(run(fitzpatrick=5)) == ["salicylic", "mandelic", "lactic"]


def test_fitzpatrick_ii_has_no_pih_risk_flag() -> None:
    output = run(fitzpatrick=2)

    assert "PIH_RISK" not in flags(output)
    assert "test spot" not in suggestion(output, "laser")["constraints"]


# --- R17 Fitzpatrick V-VI with a pore, oiliness or pigmentation primary goal ------------------


def test_it_prefers_a_peel_and_puts_laser_last_for_pores_in_fitzpatrick_v() -> None:
    output = run(fitzpatrick=5, goals=["pore_size"])

    assert order(output) == ["chemical_peel", "microdermabrasion", "laser"]
    assert "R17" in rules_of(suggestion(output, "chemical_peel"))
    assert "salicylic acid peels were well tolerated" in texts(output, "chemical_peel")["R17"]


def test_r17_reads_the_primary_goal_only() -> None:
    output = run(fitzpatrick=5, goals=["fine_lines", "pore_size"])

    assert "R17" not in rules_of(suggestion(output, "chemical_peel"))
    assert "R17" not in rules_of(suggestion(output, "laser"))


# --- R18 Fitzpatrick VI ---------------------------------------------------------------------


def test_it_keeps_laser_off_first_place_for_fitzpatrick_vi() -> None:
    output = run(fitzpatrick=6, goals=["fine_lines"])

    assert output["primary"] == "chemical_peel"
    assert order(output)[-1] == "laser"
    assert "R18" in rules_of(suggestion(output, "laser"))


def test_fitzpatrick_v_keeps_laser_first_for_fine_lines() -> None:
    output = run(fitzpatrick=5, goals=["fine_lines"])

    assert output["primary"] == "laser"
    assert "R18" not in rules_of(suggestion(output, "laser"))


# --- R19 oily skin with a pore goal ---------------------------------------------------------


def test_it_prefers_a_peel_for_oily_skin_with_pores() -> None:
    output = run(sebum="oily", goals=["pore_size"], age=50)

    assert output["primary"] == "chemical_peel"
    assert "salicylic acid peel targets sebum" in texts(output, "chemical_peel")["R19"]


def test_normal_sebum_does_not_trigger_the_oily_pores_rule() -> None:
    output = run(sebum="normal", goals=["pore_size"], age=50)

    assert "R19" not in rules_of(suggestion(output, "chemical_peel"))
    assert output["primary"] == "laser"


# --- R19a pores as the primary goal ---------------------------------------------------------


def test_it_keeps_microdermabrasion_off_first_place_when_pores_are_the_main_goal() -> None:
    output = run(goals=["pore_size"])

    assert order(output)[-1] == "microdermabrasion"
    assert suggestion(output, "microdermabrasion")["status"] == "suitable"


def test_it_suggests_microdermabrasion_for_pores_when_laser_and_peel_are_excluded() -> None:
    output = run(goals=["oiliness"], systemic_gold_therapy_ever=True, photosensitising_meds=True)

    assert output["primary"] == "microdermabrasion"


# --- R20 dry skin ---------------------------------------------------------------------------


def test_dry_skin_removes_salicylic_acid_and_jessners_as_a_note_only() -> None:
    output = run(sebum="dry")

    peel = suggestion(output, "chemical_peel")
    assert peel["agents"] == ["mandelic", "lactic", "glycolic", "tca"]
    assert peel["status"] == "suitable"
    assert "R20" in rules_of(peel)
    assert "R20" not in rules_of(suggestion(output, "laser"))


# --- R21 acne scars -------------------------------------------------------------------------


def test_it_prefers_picosecond_or_non_ablative_fractional_laser_for_acne_scars() -> None:
    output = run(goals=["acne_scars"])

    assert order(output) == ["laser", "chemical_peel", "microdermabrasion"]
    assert suggestion(output, "laser")["constraints"] == [
        "picosecond or non-ablative fractional laser"
    ]


def test_microdermabrasion_never_leads_for_acne_scars() -> None:
    output = run(goals=["acne_scars"], systemic_gold_therapy_ever=True, photosensitising_meds=True)

    assert order(output) == ["microdermabrasion"]
    assert output["primary"] == DEFER
    assert output["defer_reason"] == (
        "R29: the best remaining option, microdermabrasion, does not lead for this main goal "
        "(R21); the practitioner decides."
    )


# --- R22 fine lines -------------------------------------------------------------------------


def test_it_prefers_laser_and_puts_microdermabrasion_last_for_fine_lines() -> None:
    output = run(goals=["fine_lines"])

    assert order(output) == ["laser", "chemical_peel", "microdermabrasion"]
    assert "R22" in rules_of(suggestion(output, "laser"))


# --- R23 pores at 45 or over ----------------------------------------------------------------


def test_it_prefers_laser_for_pores_at_45_but_not_at_44() -> None:
    assert run(goals=["pore_size"], age=45)["primary"] == "laser"
    assert run(goals=["pore_size"], age=44)["primary"] == "chemical_peel"


# --- R24 texture only -----------------------------------------------------------------------


def test_texture_with_another_goal_is_not_texture_only() -> None:
    output = run(goals=["texture", "oiliness"])

    assert not any("R24" in rules_of(s) for s in output["suggestions"])


# --- R25 tone and pigmentation --------------------------------------------------------------


def test_it_prefers_peel_and_picosecond_laser_for_pigmentation_in_fitzpatrick_ii() -> None:
    output = run(goals=["tone_pigmentation"])

    assert order(output) == ["chemical_peel", "laser", "microdermabrasion"]
    assert suggestion(output, "laser")["constraints"] == ["picosecond laser"]
    assert output["primary"] == "chemical_peel"


def test_r25_says_nothing_on_laser_in_fitzpatrick_v() -> None:
    output = run(goals=["tone_pigmentation"], fitzpatrick=5)

    assert "picosecond laser" not in suggestion(output, "laser")["constraints"]
    assert "R25" not in rules_of(suggestion(output, "laser"))


# --- R26 cold sore history ------------------------------------------------------------------


def test_it_asks_about_antivirals_for_laser_and_peel_with_a_cold_sore_history() -> None:
    output = run(hsv_history=True)

    assert {s["status"] for s in output["suggestions"]} == {"caution"}
    for treatment in ("laser", "chemical_peel"):
        assert (
            "antiviral prophylaxis per practitioner" in suggestion(output, treatment)["constraints"]
        )
    assert flags(output)["HSV_HISTORY"] == ("caution", "R26")


# --- R27 recent topical retinoid ------------------------------------------------------------


def test_a_recent_retinoid_is_a_hold_note_without_caution_weight() -> None:
    output = run(topical_retinoid_last_7_days=True)

    assert suggestion(output, "chemical_peel")["constraints"][1:] == [
        "hold the retinoid 3–7 days before the peel"
    ]
    assert suggestion(output, "microdermabrasion")["constraints"] == [
        "hold the retinoid about 3 days before and after"
    ]
    assert {s["status"] for s in output["suggestions"]} == {"suitable"}
    assert flags(output)["RECENT_RETINOID"] == ("info", "R27")


# --- R28 bleeding risk ----------------------------------------------------------------------


def test_it_keeps_microdermabrasion_off_first_place_with_a_bleeding_risk() -> None:
    output = run(anticoagulant_or_bleeding_disorder=True)

    assert order(output) == ["chemical_peel", "laser", "microdermabrasion"]
    assert suggestion(output, "laser")["status"] == "caution"
    assert suggestion(output, "microdermabrasion")["constraints"] == ["short suction dwell time"]
    assert flags(output)["BLEEDING_RISK"] == ("caution", "R28")


# --- R29 no automatic suggestion ------------------------------------------------------------


def test_it_defers_when_every_treatment_is_excluded() -> None:
    output = run(
        systemic_gold_therapy_ever=True,
        photosensitising_meds=True,
        active_inflamed_acne=True,
        inflamed_acne_severity="papules_pustules",
    )

    assert output["primary"] == DEFER
    assert output["suggestions"] == []
    assert output["defer_reason"] == (
        "R29: every treatment is contraindicated (see excluded); no automatic suggestion."
    )


def test_it_defers_when_only_options_limited_for_safety_remain() -> None:
    output = run(
        systemic_gold_therapy_ever=True, recent_tan=True, anticoagulant_or_bleeding_disorder=True
    )

    assert output["primary"] == DEFER
    assert order(output) == ["chemical_peel", "microdermabrasion"]
    assert output["defer_reason"] == (
        "R29: every remaining option is not first-line for safety reasons (chemical peel: R09; "
        "microdermabrasion: R28); the practitioner decides."
    )


# --- R30 isotretinoin with pregnancy --------------------------------------------------------


def test_isotretinoin_with_pregnancy_stops_and_refers_to_the_prescriber() -> None:
    output = run(pregnant=True, isotretinoin_last_6_months=True, isotretinoin_timing="current")

    assert flags(output)["ISOTRETINOIN_PREGNANCY"] == ("stop", "R30")
    assert output["primary"] == DEFER
    assert output["defer_reason"] == (
        "R30: isotretinoin with pregnancy, trying to conceive or possible pregnancy; urgent "
        "referral to the prescriber."
    )
    assert excluded(output) == {"laser": {"R05"}}
    for entry in output["suggestions"]:
        assert "no procedure until the prescriber has been contacted" in entry["constraints"]


# --- R31 peel agents ------------------------------------------------------------------------


def test_the_reviews_agent_cases_resolve_as_the_spec_says() -> None:
    acne = {"active_inflamed_acne": True, "inflamed_acne_severity": "papules_pustules"}
    v1 = run(fitzpatrick=3, sebum="dry", **acne)
    v2 = run(fitzpatrick=5, sebum="oily", salicylate_allergy=True)
    v3 = run(fitzpatrick=3, sebum="oily", pregnant=True, **acne)
    v4 = run(fitzpatrick=6, salicylate_allergy=True, goals=["fine_lines"])

    assert agents(v1) == ["mandelic", "lactic", "glycolic", "tca"]
    assert agents(v2) == ["mandelic", "lactic"]
    assert agents(v3) == ["lactic", "glycolic"]
    assert agents(v4) == ["mandelic", "lactic"]


def test_an_empty_intersection_excludes_the_peel_with_r31_and_nothing_else() -> None:
    """No 2026.2 restriction removes lactic acid, so a synthetic one is added to the table."""
    dry = next(r for r in table.RULES if r.id == "R20")
    all_removed = dataclasses.replace(
        dry, actions={"chemical_peel": (table.note(removes=table.PEEL_AGENTS),)}
    )
    rules = tuple(all_removed if r.id == "R20" else r for r in table.RULES)

    output = evaluate(Answers.from_mapping(answers(sebum="dry", pregnant=True)), rules=rules)
    result = output.to_dict()

    assert excluded(result) == {"laser": {"R05"}, "chemical_peel": {"R31"}}
    assert result["excluded"][1]["reasons"][0]["text"] == (
        "No superficial peel agent satisfies every restriction that applies (R05, R20), so no "
        "peel is suggested automatically."
    )
    assert result["primary"] == "microdermabrasion"
    assert result["defer_reason"] is None


def test_r31_does_nothing_when_another_rule_already_excludes_the_peel() -> None:
    output = run(photosensitising_meds=True, pregnant=True, sebum="dry")

    assert excluded(output)["chemical_peel"] == {"R10"}


# --- R32 phototype not confirmed with a pigment question -------------------------------------


def test_an_unconfirmed_phototype_with_a_pigmentation_goal_keeps_laser_from_leading() -> None:
    output = run(fitzpatrick_source="self_report", goals=["tone_pigmentation"])

    assert flags(output)["PIGMENT_NOT_EXAMINED"] == ("caution", "R32")
    assert order(output) == ["chemical_peel", "microdermabrasion", "laser"]
    assert suggestion(output, "laser")["constraints"] == [
        "picosecond laser",
        "confirm the phototype and the pigment diagnosis at examination before any laser",
    ]
    assert output["primary"] == "chemical_peel"


def test_r32_flags_even_when_laser_is_already_excluded() -> None:
    output = run(fitzpatrick_source="questionnaire", melasma=True, pregnant=True)

    assert flags(output)["PIGMENT_NOT_EXAMINED"] == ("caution", "R32")
    assert excluded(output)["laser"] == {"R05"}


def test_the_practitioners_phototype_lifts_r32() -> None:
    output = run(goals=["tone_pigmentation"])

    assert "PIGMENT_NOT_EXAMINED" not in flags(output)
    assert order(output) == ["chemical_peel", "laser", "microdermabrasion"]


# --- R33 nodules or cysts -------------------------------------------------------------------


@pytest.mark.parametrize("severity", ["nodules_cysts", "not_sure"])
def test_nodules_cysts_or_not_sure_defer_for_medical_acne_treatment(severity: str) -> None:
    output = run(active_inflamed_acne=True, inflamed_acne_severity=severity)

    assert flags(output)["NODULOCYSTIC_ACNE"] == ("stop", "R33")
    assert flags(output)["ACTIVE_INFLAMED_ACNE"] == ("caution", "R11")
    assert output["defer_reason"] == (
        "R33: nodules or cysts (or not sure); refer for medical acne treatment."
    )


# --- R34-R44 the questions added in 2026.2 (the I15 table is in test_baseline_2026_2.py) ----


def test_planned_sun_asks_laser_and_peel_for_4_weeks_and_microdermabrasion_for_2() -> None:
    output = run(sun_exposure_next_4_weeks=True)

    four = "strict sun protection for 4 weeks after each session, or postpone"
    assert suggestion(output, "laser")["constraints"] == [four]
    assert suggestion(output, "chemical_peel")["constraints"][1:] == [four]
    assert suggestion(output, "microdermabrasion")["constraints"] == [
        "strict sun protection for 2 weeks after each session"
    ]


def test_one_sun_constraint_on_microdermabrasion_for_photosensitising_medicine_and_sun() -> None:
    output = run(sun_exposure_next_4_weeks=True, photosensitising_meds=True)

    assert suggestion(output, "microdermabrasion")["constraints"] == [
        "strict sun protection for 2 weeks after each session"
    ]


# --- R45 questions not asked ----------------------------------------------------------------


def test_a_2026_1_consultation_with_every_new_code_answered_is_evaluated_as_2026_2() -> None:
    data = answers(questionnaire_version="2026.1", vitiligo=True)
    output = evaluate(Answers.from_mapping(data)).to_dict()

    assert "ANSWERS_MISSING" not in flags(output)
    assert output == run(vitiligo=True)
