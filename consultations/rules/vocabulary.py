"""The contract's codes (intake-contract.md): stable identifiers shared by every layer."""

from __future__ import annotations

TREATMENTS: tuple[str, ...] = ("laser", "chemical_peel", "microdermabrasion")
LASER, CHEMICAL_PEEL, MICRODERMABRASION = TREATMENTS
DEFER = "defer_to_practitioner"

GOALS: tuple[str, ...] = (
    "pore_size",
    "oiliness",
    "texture",
    "tone_pigmentation",
    "acne_scars",
    "fine_lines",
)
SEBUM_LEVELS: tuple[str, ...] = ("dry", "normal", "oily", "very_oily")
FITZPATRICK_SOURCES: tuple[str, ...] = ("self_report", "questionnaire", "practitioner")
# Only a practitioner's phototype counts as verified (rules R16 and R32).
VERIFIED_SOURCE = "practitioner"
UNVERIFIED_SOURCES: tuple[str, ...] = ("self_report", "questionnaire")

# Questionnaire versions a consultation may have been answered under (contract 1.2): answers
# without `questionnaire_version` are read as the current one.
QUESTIONNAIRE_VERSIONS: tuple[str, ...] = ("2026.1", "2026.2")
QUESTIONNAIRE_2026_1, QUESTIONNAIRE_2026_2 = QUESTIONNAIRE_VERSIONS
QUESTIONNAIRE_VERSION = QUESTIONNAIRE_2026_2

# Follow-up answer values (contract 1.1), each asked only after "yes" to its parent question.
ISOTRETINOIN_TIMINGS: tuple[str, ...] = (
    "current",
    "stopped_under_1_month",
    "stopped_1_to_6_months",
    "not_sure",
)
INFLAMED_ACNE_SEVERITIES: tuple[str, ...] = ("papules_pustules", "nodules_cysts", "not_sure")
# Follow-up code -> (parent yes/no code, allowed values).
FOLLOW_UPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "isotretinoin_timing": ("isotretinoin_last_6_months", ISOTRETINOIN_TIMINGS),
    "inflamed_acne_severity": ("active_inflamed_acne", INFLAMED_ACNE_SEVERITIES),
}

# Yes/no answer code -> the flag it raises when true (contract section 2, 1:1). Section 1 codes
# first, then the questions added in 2026.2 in the order of contract table 1.1.
FLAG_FOR_FIELD: dict[str, str] = {
    "pregnant": "PREGNANCY",
    "breastfeeding": "BREASTFEEDING",
    "isotretinoin_last_6_months": "ISOTRETINOIN_RECENT",
    "active_infection_or_cold_sore": "ACTIVE_INFECTION",
    "hsv_history": "HSV_HISTORY",
    "keloid_history": "KELOID_HISTORY",
    "photosensitising_meds": "PHOTOSENSITISING_MEDS",
    "recent_tan": "RECENT_TAN",
    "active_inflamed_acne": "ACTIVE_INFLAMED_ACNE",
    "salicylate_allergy": "SALICYLATE_ALLERGY",
    "topical_retinoid_last_7_days": "RECENT_RETINOID",
    "active_rosacea": "ACTIVE_ROSACEA",
    "dermatitis_in_area": "DERMATITIS_IN_AREA",
    "anticoagulant_or_bleeding_disorder": "BLEEDING_RISK",
    "systemic_gold_therapy_ever": "GOLD_THERAPY",
    "melasma": "MELASMA",
    "immunosuppressed_or_poor_healing": "IMPAIRED_HEALING",
    "suspicious_lesion": "SUSPICIOUS_LESION",
    "steroid_or_bleaching_cream_last_6_months": "STEROID_OR_BLEACHING_CREAM",
    "cosmetic_tattoo_in_area": "COSMETIC_TATTOO",
    "sun_exposure_next_4_weeks": "SUN_EXPOSURE_PLANNED",
    "injectable_last_2_weeks": "RECENT_INJECTABLE",
    "resurfacing_in_area_last_4_weeks": "RECENT_PROCEDURE",
    "surgery_in_area_last_6_months": "RECENT_SURGERY",
    "hair_removal_in_area_last_7_days": "RECENT_HAIR_REMOVAL",
    "pih_after_procedure": "PIH_HISTORY",
    "radiotherapy_to_area": "RADIOTHERAPY_IN_AREA",
    "vitiligo": "VITILIGO",
    "photosensitive_disorder": "PHOTOSENSITIVE_DISORDER",
}
# Every yes/no code (29), in contract order: section 1, then table 1.1.
BOOLEAN_FIELDS: tuple[str, ...] = tuple(FLAG_FOR_FIELD)

# The 13 codes added in questionnaire 2026.2, in the order of contract table 1.1 (the order
# R45 lists unasked codes in).
NEW_CODES_2026_2: tuple[str, ...] = (
    "isotretinoin_timing",
    "steroid_or_bleaching_cream_last_6_months",
    "inflamed_acne_severity",
    "cosmetic_tattoo_in_area",
    "sun_exposure_next_4_weeks",
    "injectable_last_2_weeks",
    "resurfacing_in_area_last_4_weeks",
    "surgery_in_area_last_6_months",
    "hair_removal_in_area_last_7_days",
    "pih_after_procedure",
    "radiotherapy_to_area",
    "vitiligo",
    "photosensitive_disorder",
)
# The 11 yes/no questions among them.
NEW_BOOLEAN_FIELDS_2026_2: tuple[str, ...] = tuple(
    code for code in NEW_CODES_2026_2 if code not in FOLLOW_UPS
)

# Every answer code the rules read, in contract order: section 1, then table 1.1. The
# optional input key `questionnaire_version` is not an answer and is not listed here.
ANSWER_FIELDS: tuple[str, ...] = (
    "fitzpatrick",
    "fitzpatrick_source",
    "sebum",
    "goals",
    "age",
    *(code for code in BOOLEAN_FIELDS if code not in NEW_CODES_2026_2),
    *NEW_CODES_2026_2,
)
QUESTIONNAIRE_VERSION_KEY = "questionnaire_version"
# Every key of the rules' input mapping and of `Answers.to_dict()`: the answer codes, then the
# questionnaire version the consultation was answered under.
INPUT_FIELDS: tuple[str, ...] = (*ANSWER_FIELDS, QUESTIONNAIRE_VERSION_KEY)

# Peel agents (clinical-rules.md 4.3), in their fixed output order, with the labels used in text.
PEEL_AGENT_LABELS: dict[str, str] = {
    "salicylic": "salicylic acid",
    "mandelic": "mandelic acid",
    "lactic": "lactic acid",
    "glycolic": "glycolic acid",
    "jessner": "Jessner's solution",
    "tca": "TCA 10–30%",
}
PEEL_AGENTS: tuple[str, ...] = tuple(PEEL_AGENT_LABELS)

PIH_RISK = "PIH_RISK"
# Every flag code, in the contract's order (section 2).
FLAG_CODES: tuple[str, ...] = (
    "ACTIVE_INFECTION",
    "HSV_HISTORY",
    "PREGNANCY",
    "BREASTFEEDING",
    "ISOTRETINOIN_RECENT",
    "KELOID_HISTORY",
    "PHOTOSENSITISING_MEDS",
    "RECENT_TAN",
    "ACTIVE_INFLAMED_ACNE",
    "SALICYLATE_ALLERGY",
    PIH_RISK,
    "RECENT_RETINOID",
    "ACTIVE_ROSACEA",
    "DERMATITIS_IN_AREA",
    "BLEEDING_RISK",
    "GOLD_THERAPY",
    "MELASMA",
    "IMPAIRED_HEALING",
    "SUSPICIOUS_LESION",
    "ISOTRETINOIN_PREGNANCY",
    "PIGMENT_NOT_EXAMINED",
    "NODULOCYSTIC_ACNE",
    "COSMETIC_TATTOO",
    "RECENT_INJECTABLE",
    "RECENT_SURGERY",
    "RECENT_PROCEDURE",
    "RECENT_HAIR_REMOVAL",
    "RADIOTHERAPY_IN_AREA",
    "VITILIGO",
    "PHOTOSENSITIVE_DISORDER",
    "PIH_HISTORY",
    "STEROID_OR_BLEACHING_CREAM",
    "SUN_EXPOSURE_PLANNED",
    "ANSWERS_MISSING",
)

SEVERITIES: tuple[str, ...] = ("stop", "caution", "info")
STOP, CAUTION, INFO = SEVERITIES

STATUSES: tuple[str, ...] = ("suitable", "caution")
SUITABLE = "suitable"
