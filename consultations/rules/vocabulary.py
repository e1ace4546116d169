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

# Boolean answer code -> the flag it raises when true (contract section 2, 1:1).
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
}
BOOLEAN_FIELDS: tuple[str, ...] = tuple(FLAG_FOR_FIELD)
ANSWER_FIELDS: tuple[str, ...] = (
    "fitzpatrick",
    "fitzpatrick_source",
    "sebum",
    "goals",
    "age",
    *BOOLEAN_FIELDS,
)

PIH_RISK = "PIH_RISK"
# Every flag code, in the contract's order.
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
)

SEVERITIES: tuple[str, ...] = ("stop", "caution", "info")
STOP, CAUTION, INFO = SEVERITIES

STATUSES: tuple[str, ...] = ("suitable", "caution")
SUITABLE = "suitable"
