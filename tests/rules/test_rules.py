"""Each rule of clinical-rules.md section 4: a case where it fires, and a near miss."""

from __future__ import annotations

from consultations.rules import DEFER, TREATMENTS

from .helpers import excluded, flags, order, rules_of, run, suggestion

# --- R01 active infection / cold sore -------------------------------------------------------


def test_it_defers_and_excludes_everything_with_an_active_cold_sore() -> None:
    output = run(active_infection_or_cold_sore=True)

    assert output["primary"] == DEFER
    assert excluded(output) == dict.fromkeys(TREATMENTS, {"R01"})
    assert output["suggestions"] == []
    assert flags(output)["ACTIVE_INFECTION"] == ("stop", "R01")
    assert output["defer_reason"].startswith("R01: active infection")


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


def test_diagnosed_melasma_is_not_treated_as_a_suspicious_lesion() -> None:
    output = run(melasma=True)

    assert "SUSPICIOUS_LESION" not in flags(output)
    assert output["excluded"] == []


# --- R03 dermatitis in the area -------------------------------------------------------------


def test_it_excludes_peel_and_microdermabrasion_and_defers_laser_with_dermatitis() -> None:
    output = run(dermatitis_in_area=True)

    assert excluded(output) == {"chemical_peel": {"R03"}, "microdermabrasion": {"R03"}}
    laser = suggestion(output, "laser")
    assert laser["status"] == "caution"
    assert "R03" in rules_of(laser)
    assert output["primary"] == DEFER
    assert flags(output)["DERMATITIS_IN_AREA"] == ("stop", "R03")
    assert output["defer_reason"].startswith("R03:")


def test_active_rosacea_is_not_handled_as_dermatitis() -> None:
    output = run(active_rosacea=True)

    assert "DERMATITIS_IN_AREA" not in flags(output)
    assert output["primary"] != DEFER


# --- R04 gold therapy -----------------------------------------------------------------------


def test_it_excludes_laser_after_gold_therapy() -> None:
    output = run(systemic_gold_therapy_ever=True, goals=["fine_lines"])

    assert excluded(output) == {"laser": {"R04"}}
    assert order(output) == ["chemical_peel", "microdermabrasion"]
    assert flags(output)["GOLD_THERAPY"] == ("caution", "R04")


def test_laser_leads_for_fine_lines_without_gold_therapy() -> None:
    output = run(goals=["fine_lines"])

    assert output["primary"] == "laser"
    assert "GOLD_THERAPY" not in flags(output)


# --- R05 pregnancy --------------------------------------------------------------------------


def test_it_excludes_laser_and_limits_peels_to_glycolic_or_lactic_acid_in_pregnancy() -> None:
    output = run(pregnant=True)

    assert excluded(output) == {"laser": {"R05"}}
    peel = suggestion(output, "chemical_peel")
    assert peel["status"] == "caution"
    assert {"glycolic or lactic acid only", "no salicylic acid", "no TCA"} <= set(
        peel["constraints"]
    )
    assert suggestion(output, "microdermabrasion")["status"] == "caution"
    assert flags(output)["PREGNANCY"] == ("caution", "R05")
    assert output["primary"] != DEFER


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


def test_the_safe_baseline_is_suitable_for_all_three_treatments() -> None:
    output = run()

    assert {s["status"] for s in output["suggestions"]} == {"suitable"}
    assert output["flags"] == []


# --- R07 isotretinoin -----------------------------------------------------------------------


def test_it_limits_every_treatment_after_recent_isotretinoin() -> None:
    output = run(isotretinoin_last_6_months=True)

    assert output["excluded"] == []
    assert "no fully ablative laser" in suggestion(output, "laser")["constraints"]
    assert "superficial peel only" in suggestion(output, "chemical_peel")["constraints"]
    assert "no mechanical dermabrasion" in suggestion(output, "microdermabrasion")["constraints"]
    assert flags(output)["ISOTRETINOIN_RECENT"] == ("caution", "R07")
    assert output["primary"] != DEFER


def test_a_topical_retinoid_is_not_treated_as_isotretinoin() -> None:
    output = run(topical_retinoid_last_7_days=True)

    assert "no fully ablative laser" not in suggestion(output, "laser")["constraints"]
    assert "ISOTRETINOIN_RECENT" not in flags(output)


# --- R08 keloid history ---------------------------------------------------------------------


def test_it_keeps_laser_off_first_place_with_a_keloid_history() -> None:
    output = run(keloid_history=True, goals=["fine_lines"])

    assert order(output)[0] != "laser"
    assert "no ablative resurfacing" in suggestion(output, "laser")["constraints"]
    assert "superficial peel only" in suggestion(output, "chemical_peel")["constraints"]
    assert flags(output)["KELOID_HISTORY"] == ("caution", "R08")
    assert output["primary"] == "chemical_peel"


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


def test_it_excludes_laser_and_postpones_peels_on_tanned_skin() -> None:
    output = run(recent_tan=True, fitzpatrick=2)

    assert excluded(output) == {"laser": {"R09"}}
    assert order(output) == ["microdermabrasion", "chemical_peel"]
    assert suggestion(output, "chemical_peel")["status"] == "caution"
    assert flags(output)["RECENT_TAN"] == ("caution", "R09")
    assert output["primary"] == "microdermabrasion"


def test_it_prefers_microdermabrasion_to_a_peel_on_tanned_skin_for_pores() -> None:
    output = run(recent_tan=True, fitzpatrick=2, goals=["pore_size"])

    assert output["primary"] == "microdermabrasion"


def test_it_defers_a_tanned_fitzpatrick_iv_patient() -> None:
    output = run(recent_tan=True, fitzpatrick=4)

    assert output["primary"] == DEFER
    assert flags(output)["RECENT_TAN"] == ("stop", "R09")
    assert output["defer_reason"].startswith("R09:")


def test_it_defers_a_tanned_patient_with_a_pigmentation_goal() -> None:
    output = run(recent_tan=True, fitzpatrick=2, goals=["texture", "tone_pigmentation"])

    assert output["primary"] == DEFER
    assert "R09" in output["defer_reason"]


def test_untanned_fitzpatrick_iv_skin_is_not_deferred() -> None:
    output = run(fitzpatrick=4)

    assert output["primary"] != DEFER
    assert "laser" not in excluded(output)


# --- R10 photosensitising medicines ---------------------------------------------------------


def test_it_excludes_peels_and_demotes_laser_with_photosensitising_medicine() -> None:
    output = run(photosensitising_meds=True, goals=["fine_lines"])

    assert excluded(output) == {"chemical_peel": {"R10"}}
    laser = suggestion(output, "laser")
    assert laser["status"] == "caution"
    assert "R10" in rules_of(laser)
    assert output["primary"] == "microdermabrasion"
    assert flags(output)["PHOTOSENSITISING_MEDS"] == ("caution", "R10")


def test_peels_stay_available_without_photosensitising_medicine() -> None:
    output = run(goals=["fine_lines"])

    assert "chemical_peel" not in excluded(output)


# --- R11 active inflamed acne ---------------------------------------------------------------


def test_it_prefers_a_salicylic_acid_peel_and_excludes_microdermabrasion_with_active_acne() -> None:
    output = run(active_inflamed_acne=True)

    assert excluded(output) == {"microdermabrasion": {"R11"}}
    assert output["primary"] == "chemical_peel"
    assert "salicylic acid peel" in suggestion(output, "chemical_peel")["constraints"]
    assert "treat the acne first" in suggestion(output, "laser")["constraints"]
    assert flags(output)["ACTIVE_INFLAMED_ACNE"] == ("caution", "R11")


def test_it_switches_the_acne_peel_to_glycolic_acid_with_a_salicylate_allergy() -> None:
    peel = suggestion(run(active_inflamed_acne=True, salicylate_allergy=True), "chemical_peel")

    assert "glycolic or mandelic acid peel instead of salicylic acid" in peel["constraints"]
    assert "salicylic acid peel" not in peel["constraints"]


def test_microdermabrasion_is_allowed_without_active_acne() -> None:
    output = run()

    assert "microdermabrasion" not in excluded(output)
    assert "R11" not in rules_of(suggestion(output, "chemical_peel"))


# --- R12 salicylate allergy -----------------------------------------------------------------


def test_it_removes_salicylic_acid_and_jessners_from_peels_with_a_salicylate_allergy() -> None:
    output = run(salicylate_allergy=True)

    peel = suggestion(output, "chemical_peel")
    assert {"no salicylic acid", "no Jessner's solution"} <= set(peel["constraints"])
    assert peel["status"] == "caution"
    assert suggestion(output, "laser")["status"] == "suitable"
    assert suggestion(output, "microdermabrasion")["status"] == "suitable"
    assert flags(output)["SALICYLATE_ALLERGY"] == ("caution", "R12")


def test_peels_carry_no_salicylate_restriction_without_an_allergy() -> None:
    assert "no salicylic acid" not in suggestion(run(), "chemical_peel")["constraints"]


# --- R13 active rosacea ---------------------------------------------------------------------


def test_it_excludes_microdermabrasion_and_puts_laser_before_a_peel_with_rosacea() -> None:
    output = run(active_rosacea=True)

    assert excluded(output) == {"microdermabrasion": {"R13"}}
    assert order(output) == ["laser", "chemical_peel"]
    assert suggestion(output, "chemical_peel")["status"] == "caution"
    assert flags(output)["ACTIVE_ROSACEA"] == ("caution", "R13")


def test_microdermabrasion_is_first_for_texture_without_rosacea() -> None:
    assert run()["primary"] == "microdermabrasion"


# --- R14 melasma ----------------------------------------------------------------------------


def test_it_prefers_a_primed_superficial_peel_over_laser_with_melasma() -> None:
    output = run(melasma=True, goals=["tone_pigmentation"])

    assert output["primary"] == "chemical_peel"
    assert order(output)[-1] == "laser"
    assert (
        "prime the skin with topicals first" in suggestion(output, "chemical_peel")["constraints"]
    )
    assert "no low-fluence laser toning" in suggestion(output, "laser")["constraints"]
    assert flags(output)["MELASMA"] == ("caution", "R14")


def test_pigmentation_without_melasma_keeps_laser_first_line() -> None:
    output = run(goals=["tone_pigmentation"])

    assert suggestion(output, "laser")["status"] == "suitable"
    assert order(output)[:2] == ["chemical_peel", "laser"]


# --- R15 impaired healing -------------------------------------------------------------------


def test_it_defers_everything_with_impaired_wound_healing() -> None:
    output = run(immunosuppressed_or_poor_healing=True)

    assert output["primary"] == DEFER
    assert output["excluded"] == []
    assert {s["status"] for s in output["suggestions"]} == {"caution"}
    assert flags(output)["IMPAIRED_HEALING"] == ("stop", "R15")
    assert output["defer_reason"].startswith("R15:")


def test_normal_healing_gets_an_automatic_suggestion() -> None:
    output = run()

    assert output["primary"] != DEFER
    assert output["defer_reason"] is None


# --- R16 Fitzpatrick IV-VI ------------------------------------------------------------------


def test_it_raises_pih_risk_and_adapts_every_treatment_for_fitzpatrick_iv() -> None:
    output = run(fitzpatrick=4)

    assert flags(output)["PIH_RISK"] == ("caution", "R16")
    assert "test spot" in suggestion(output, "laser")["constraints"]
    peel = suggestion(output, "chemical_peel")["constraints"]
    assert "superficial peel only" in peel
    assert "no TCA or Jessner's" not in peel
    assert "gentle technique" in suggestion(output, "microdermabrasion")["constraints"]


def test_it_also_rules_out_tca_and_jessners_for_fitzpatrick_v() -> None:
    output = run(fitzpatrick=5)

    assert "no TCA or Jessner's" in suggestion(output, "chemical_peel")["constraints"]


def test_fitzpatrick_iii_has_no_pih_risk_flag() -> None:
    output = run(fitzpatrick=3)

    assert "PIH_RISK" not in flags(output)
    assert "test spot" not in suggestion(output, "laser")["constraints"]


# --- R17 Fitzpatrick V-VI with a pore, oiliness or pigmentation goal --------------------------


def test_it_prefers_a_peel_and_puts_laser_last_for_pores_in_fitzpatrick_v() -> None:
    output = run(fitzpatrick=5, goals=["pore_size"])

    assert order(output) == ["chemical_peel", "microdermabrasion", "laser"]
    assert "R17" in rules_of(suggestion(output, "chemical_peel"))
    assert "salicylic acid peel" in suggestion(output, "chemical_peel")["constraints"]


def test_fitzpatrick_iv_keeps_laser_first_line_for_pores() -> None:
    output = run(fitzpatrick=4, goals=["pore_size"])

    assert order(output) == ["chemical_peel", "laser", "microdermabrasion"]
    assert "R17" not in rules_of(suggestion(output, "chemical_peel"))


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


def test_it_prefers_a_salicylic_acid_peel_for_oily_skin_with_pores() -> None:
    output = run(fitzpatrick=2, sebum="oily", goals=["pore_size"], age=50)

    assert output["primary"] == "chemical_peel"
    peel = suggestion(output, "chemical_peel")
    assert "R19" in rules_of(peel)
    assert "salicylic acid peel" in peel["constraints"]


def test_normal_sebum_does_not_trigger_the_oily_pores_rule() -> None:
    output = run(fitzpatrick=2, sebum="normal", goals=["pore_size"], age=50)

    assert "R19" not in rules_of(suggestion(output, "chemical_peel"))
    assert output["primary"] == "laser"


# --- R19a pores as the primary goal ---------------------------------------------------------


def test_it_keeps_microdermabrasion_off_first_place_when_pores_are_the_main_goal() -> None:
    output = run(goals=["pore_size"])

    assert order(output)[-1] == "microdermabrasion"
    assert "R19a" in rules_of(suggestion(output, "microdermabrasion"))
    assert suggestion(output, "microdermabrasion")["status"] == "suitable"


def test_it_suggests_microdermabrasion_for_pores_when_laser_and_peel_are_excluded() -> None:
    output = run(goals=["oiliness"], systemic_gold_therapy_ever=True, photosensitising_meds=True)

    assert output["primary"] == "microdermabrasion"


def test_pores_as_a_secondary_goal_do_not_demote_microdermabrasion() -> None:
    output = run(goals=["texture", "pore_size"])

    assert output["primary"] == "microdermabrasion"
    assert "R19a" not in rules_of(suggestion(output, "microdermabrasion"))


# --- R20 dry skin ---------------------------------------------------------------------------


def test_it_steers_peels_away_from_salicylic_acid_for_dry_skin() -> None:
    output = run(sebum="dry")

    peel = suggestion(output, "chemical_peel")
    assert "no drying salicylic acid series" in peel["constraints"]
    assert peel["status"] == "caution"
    assert suggestion(output, "laser")["status"] == "suitable"


def test_normal_skin_has_no_dry_skin_peel_restriction() -> None:
    assert "R20" not in rules_of(suggestion(run(sebum="normal"), "chemical_peel"))


# --- R21 acne scars -------------------------------------------------------------------------


def test_it_prefers_fractional_or_picosecond_laser_for_acne_scars() -> None:
    output = run(goals=["acne_scars"])

    assert order(output) == ["laser", "chemical_peel", "microdermabrasion"]
    assert "fractional or picosecond laser" in suggestion(output, "laser")["constraints"]


def test_acne_scars_as_a_secondary_goal_do_not_reorder_the_treatments() -> None:
    output = run(goals=["texture", "acne_scars"])

    assert "R21" not in rules_of(suggestion(output, "laser"))
    assert output["primary"] == "microdermabrasion"


# --- R22 fine lines -------------------------------------------------------------------------


def test_it_prefers_laser_and_puts_microdermabrasion_last_for_fine_lines() -> None:
    output = run(goals=["fine_lines"])

    assert order(output) == ["laser", "chemical_peel", "microdermabrasion"]
    assert "R22" in rules_of(suggestion(output, "laser"))


def test_fine_lines_as_a_secondary_goal_do_not_prefer_laser() -> None:
    output = run(goals=["texture", "fine_lines"])

    assert "R22" not in rules_of(suggestion(output, "laser"))


# --- R23 pores at 45 or over ----------------------------------------------------------------


def test_it_prefers_laser_for_pores_at_45() -> None:
    output = run(goals=["pore_size"], age=45)

    assert output["primary"] == "laser"
    assert "R23" in rules_of(suggestion(output, "laser"))


def test_it_does_not_prefer_laser_for_pores_at_44() -> None:
    output = run(goals=["pore_size"], age=44)

    assert output["primary"] == "chemical_peel"
    assert "R23" not in rules_of(suggestion(output, "laser"))


# --- R24 texture only -----------------------------------------------------------------------


def test_it_accepts_microdermabrasion_first_when_texture_is_the_only_goal() -> None:
    output = run(goals=["texture"])

    assert order(output) == ["microdermabrasion", "chemical_peel", "laser"]
    assert all("R24" in rules_of(s) for s in output["suggestions"])


def test_texture_with_another_goal_is_not_texture_only() -> None:
    output = run(goals=["texture", "oiliness"])

    assert not any("R24" in rules_of(s) for s in output["suggestions"])


# --- R25 tone and pigmentation --------------------------------------------------------------


def test_it_prefers_peel_and_picosecond_laser_for_pigmentation_in_fitzpatrick_iii() -> None:
    output = run(goals=["tone_pigmentation"])

    assert order(output) == ["chemical_peel", "laser", "microdermabrasion"]
    assert "picosecond laser" in suggestion(output, "laser")["constraints"]


def test_it_does_not_prefer_picosecond_laser_for_pigmentation_in_fitzpatrick_v() -> None:
    output = run(goals=["tone_pigmentation"], fitzpatrick=5)

    assert "picosecond laser" not in suggestion(output, "laser")["constraints"]
    assert order(output) == ["chemical_peel", "microdermabrasion", "laser"]


def test_pigmentation_as_a_secondary_goal_does_not_prefer_a_peel() -> None:
    output = run(goals=["texture", "tone_pigmentation"])

    assert "R25" not in rules_of(suggestion(output, "chemical_peel"))


# --- R26 cold sore history ------------------------------------------------------------------


def test_it_cautions_every_treatment_and_asks_about_antivirals_with_a_cold_sore_history() -> None:
    output = run(hsv_history=True)

    assert {s["status"] for s in output["suggestions"]} == {"caution"}
    assert "antiviral prophylaxis per practitioner" in suggestion(output, "laser")["constraints"]
    assert flags(output)["HSV_HISTORY"] == ("caution", "R26")


def test_no_cold_sore_history_means_no_antiviral_constraint() -> None:
    assert "antiviral prophylaxis per practitioner" not in suggestion(run(), "laser")["constraints"]


# --- R27 recent topical retinoid ------------------------------------------------------------


def test_it_holds_the_retinoid_before_a_peel_or_microdermabrasion() -> None:
    output = run(topical_retinoid_last_7_days=True)

    assert (
        "hold the retinoid 3-7 days before the peel"
        in suggestion(output, "chemical_peel")["constraints"]
    )
    assert suggestion(output, "microdermabrasion")["status"] == "caution"
    assert suggestion(output, "laser")["status"] == "suitable"
    assert flags(output)["RECENT_RETINOID"] == ("caution", "R27")


def test_no_recent_retinoid_means_no_hold() -> None:
    assert "RECENT_RETINOID" not in flags(run())


# --- R28 bleeding risk ----------------------------------------------------------------------


def test_it_keeps_microdermabrasion_off_first_place_with_a_bleeding_risk() -> None:
    output = run(anticoagulant_or_bleeding_disorder=True)

    assert order(output) == ["chemical_peel", "laser", "microdermabrasion"]
    assert suggestion(output, "laser")["status"] == "caution"
    assert "short suction dwell time" in suggestion(output, "microdermabrasion")["constraints"]
    assert flags(output)["BLEEDING_RISK"] == ("caution", "R28")


def test_without_a_bleeding_risk_microdermabrasion_leads_for_texture() -> None:
    assert order(run())[0] == "microdermabrasion"


# --- R29 no automatic suggestion ------------------------------------------------------------


def test_it_defers_when_every_treatment_is_excluded() -> None:
    output = run(
        systemic_gold_therapy_ever=True, photosensitising_meds=True, active_inflamed_acne=True
    )

    assert output["primary"] == DEFER
    assert output["suggestions"] == []
    assert output["defer_reason"].startswith("R29:")
    assert not any(severity == "stop" for severity, _ in flags(output).values())


def test_it_defers_when_only_options_limited_for_safety_remain() -> None:
    output = run(
        fitzpatrick=2,
        systemic_gold_therapy_ever=True,
        recent_tan=True,
        anticoagulant_or_bleeding_disorder=True,
    )

    assert output["primary"] == DEFER
    assert order(output) == ["chemical_peel", "microdermabrasion"]
    assert output["defer_reason"].startswith("R29:")
    assert "R09" in output["defer_reason"] and "R28" in output["defer_reason"]


def test_it_makes_a_suggestion_while_one_option_is_only_limited_by_efficacy() -> None:
    output = run(fitzpatrick=2, systemic_gold_therapy_ever=True, recent_tan=True)

    assert output["primary"] == "microdermabrasion"
    assert output["defer_reason"] is None
