"""The I15 baseline table of clinical-rules.md section 9: every new question's rule fires."""

from __future__ import annotations

from typing import Any

import pytest

from consultations.rules import DEFER, NEW_CODES_2026_2, suggest

from .helpers import answers, excluded, run, suggestion

ALL_AGENTS = ["salicylic", "mandelic", "lactic", "glycolic", "jessner", "tca"]
NEW_BOOLEANS = [
    "steroid_or_bleaching_cream_last_6_months",
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
]
ACNE = {"active_inflamed_acne": True}
ISOTRETINOIN = {"isotretinoin_last_6_months": True}

# (change to the baseline, flags with severities, expected primary, primary's status or None)
ROWS: list[tuple[dict[str, Any], dict[str, str], str, str | None]] = [
    (
        {"cosmetic_tattoo_in_area": True},
        {"COSMETIC_TATTOO": "caution"},
        "microdermabrasion",
        "suitable",
    ),
    (
        {"injectable_last_2_weeks": True},
        {"RECENT_INJECTABLE": "info"},
        "microdermabrasion",
        "suitable",
    ),
    ({"surgery_in_area_last_6_months": True}, {"RECENT_SURGERY": "stop"}, DEFER, None),
    (
        {"resurfacing_in_area_last_4_weeks": True},
        {"RECENT_PROCEDURE": "caution"},
        "microdermabrasion",
        "caution",
    ),
    (
        {"hair_removal_in_area_last_7_days": True},
        {"RECENT_HAIR_REMOVAL": "info"},
        "microdermabrasion",
        "suitable",
    ),
    ({"radiotherapy_to_area": True}, {"RADIOTHERAPY_IN_AREA": "stop"}, DEFER, None),
    ({"vitiligo": True}, {"VITILIGO": "stop"}, DEFER, None),
    ({"photosensitive_disorder": True}, {"PHOTOSENSITIVE_DISORDER": "stop"}, DEFER, None),
    ({"pih_after_procedure": True}, {"PIH_HISTORY": "stop"}, DEFER, None),
    (
        {"steroid_or_bleaching_cream_last_6_months": True},
        {"STEROID_OR_BLEACHING_CREAM": "stop"},
        DEFER,
        None,
    ),
    (
        {"sun_exposure_next_4_weeks": True},
        {"SUN_EXPOSURE_PLANNED": "caution"},
        "microdermabrasion",
        "caution",
    ),
    (
        {**ACNE, "inflamed_acne_severity": "papules_pustules"},
        {"ACTIVE_INFLAMED_ACNE": "caution"},
        "chemical_peel",
        None,
    ),
    (
        {**ACNE, "inflamed_acne_severity": "nodules_cysts"},
        {"ACTIVE_INFLAMED_ACNE": "caution", "NODULOCYSTIC_ACNE": "stop"},
        DEFER,
        None,
    ),
    (
        {**ACNE, "inflamed_acne_severity": "not_sure"},
        {"ACTIVE_INFLAMED_ACNE": "caution", "NODULOCYSTIC_ACNE": "stop"},
        DEFER,
        None,
    ),
    (
        {**ISOTRETINOIN, "isotretinoin_timing": "current"},
        {"ISOTRETINOIN_RECENT": "caution"},
        "chemical_peel",
        None,
    ),
    (
        {**ISOTRETINOIN, "isotretinoin_timing": "stopped_1_to_6_months"},
        {"ISOTRETINOIN_RECENT": "caution"},
        "microdermabrasion",
        "caution",
    ),
    *(
        (
            {"pregnant": True, **ISOTRETINOIN, "isotretinoin_timing": timing},
            {
                "PREGNANCY": "caution",
                "ISOTRETINOIN_RECENT": "caution",
                "ISOTRETINOIN_PREGNANCY": "stop",
            },
            DEFER,
            None,
        )
        for timing in ("current", "stopped_under_1_month", "stopped_1_to_6_months", "not_sure")
    ),
    ({"recent_tan": True}, {"RECENT_TAN": "caution"}, "microdermabrasion", "caution"),
    *(
        (
            {"recent_tan": True, "melasma": True, "fitzpatrick": fitzpatrick},
            {
                "RECENT_TAN": "stop",
                "MELASMA": "caution",
                **({"PIH_RISK": "caution"} if fitzpatrick >= 3 else {}),
            },
            DEFER,
            None,
        )
        for fitzpatrick in range(1, 7)
    ),
    (
        {"recent_tan": True, "fitzpatrick": 3},
        {"RECENT_TAN": "stop", "PIH_RISK": "caution"},
        DEFER,
        None,
    ),
    ({"fitzpatrick": 3}, {"PIH_RISK": "caution"}, "microdermabrasion", "caution"),
    (
        {"fitzpatrick_source": "self_report", "goals": ["tone_pigmentation"]},
        {"PIGMENT_NOT_EXAMINED": "caution"},
        "chemical_peel",
        None,
    ),
    (
        {"goals": ["acne_scars"], "photosensitising_meds": True},
        {"PHOTOSENSITISING_MEDS": "caution"},
        DEFER,
        None,
    ),
]


def test_the_baseline_suggests_microdermabrasion_then_peel_then_laser_with_every_agent() -> None:
    output = run()

    assert output["primary"] == "microdermabrasion"
    assert [s["treatment"] for s in output["suggestions"]] == [
        "microdermabrasion",
        "chemical_peel",
        "laser",
    ]
    assert suggestion(output, "microdermabrasion")["status"] == "suitable"
    assert output["flags"] == []
    assert suggestion(output, "chemical_peel")["agents"] == ALL_AGENTS


@pytest.mark.parametrize(("change", "expected_flags", "primary", "status"), ROWS)
def test_each_row_of_the_i15_table(
    change: dict[str, Any], expected_flags: dict[str, str], primary: str, status: str | None
) -> None:
    output = run(**change)

    assert {f["code"]: f["severity"] for f in output["flags"]} == expected_flags
    assert output["primary"] == primary
    if status:
        assert suggestion(output, primary)["status"] == status


def test_cosmetic_tattoo_checks() -> None:
    output = run(cosmetic_tattoo_in_area=True)

    assert suggestion(output, "microdermabrasion")["constraints"] == ["avoid the tattooed area"]
    laser = suggestion(output, "laser")
    assert laser["status"] == "caution"
    assert laser["constraints"] == ["keep the laser off cosmetic tattoos: shield or skip them"]


def test_injectable_checks() -> None:
    output = run(injectable_last_2_weeks=True)

    note = "schedule at least 2 weeks after filler, skin booster or botulinum toxin"
    for entry in output["suggestions"]:
        assert note in entry["constraints"]
        assert entry["status"] == "suitable"


def test_hair_removal_checks() -> None:
    output = run(hair_removal_in_area_last_7_days=True)

    assert suggestion(output, "microdermabrasion")["constraints"] == [
        "no microdermabrasion within 7 days of waxing, threading, epilation or hair-removal "
        "cream in the area"
    ]
    laser = suggestion(output, "laser")
    assert laser["constraints"] == []
    assert "R38" not in [r["rule"] for r in laser["reasons"]]


def test_planned_sun_checks() -> None:
    output = run(sun_exposure_next_4_weeks=True)

    assert suggestion(output, "microdermabrasion")["constraints"] == [
        "strict sun protection for 2 weeks after each session"
    ]


def test_papules_and_pustules_checks() -> None:
    output = run(active_inflamed_acne=True, inflamed_acne_severity="papules_pustules")

    assert excluded(output) == {"microdermabrasion": {"R11"}}
    assert suggestion(output, "laser")["status"] == "caution"
    assert [s["treatment"] for s in output["suggestions"]] == ["chemical_peel", "laser"]


def test_current_isotretinoin_checks() -> None:
    output = run(isotretinoin_last_6_months=True, isotretinoin_timing="current")

    assert [s["treatment"] for s in output["suggestions"]][-1] == "microdermabrasion"


def test_isotretinoin_with_pregnancy_excludes_laser() -> None:
    output = run(pregnant=True, isotretinoin_last_6_months=True, isotretinoin_timing="not_sure")

    assert excluded(output) == {"laser": {"R05"}}


def test_recent_tan_checks() -> None:
    output = run(recent_tan=True)

    assert excluded(output) == {"laser": {"R09"}}
    assert [s["treatment"] for s in output["suggestions"]] == ["microdermabrasion", "chemical_peel"]


def test_fitzpatrick_iii_does_not_ask_to_confirm_a_practitioners_phototype() -> None:
    laser = suggestion(run(fitzpatrick=3), "laser")

    assert "confirm the phototype at examination" not in laser["constraints"]


def test_an_unconfirmed_phototype_with_a_pigmentation_goal_checks() -> None:
    output = run(fitzpatrick_source="self_report", goals=["tone_pigmentation"])

    assert [s["treatment"] for s in output["suggestions"]] == [
        "chemical_peel",
        "microdermabrasion",
        "laser",
    ]
    assert "R32" in [r["rule"] for r in suggestion(output, "laser")["reasons"]]
    assert "R25" in [r["rule"] for r in suggestion(output, "microdermabrasion")["reasons"]]


def test_acne_scars_with_photosensitising_medicine_defers_under_r29_d() -> None:
    output = run(goals=["acne_scars"], photosensitising_meds=True)

    assert excluded(output) == {"chemical_peel": {"R10"}}
    assert [s["treatment"] for s in output["suggestions"]] == ["microdermabrasion", "laser"]
    assert output["defer_reason"] == (
        "R29: the best remaining option, microdermabrasion, does not lead for this main goal "
        "(R21); the practitioner decides."
    )


def test_a_2026_1_consultation_asks_for_the_eleven_new_questions_on_every_suggestion() -> None:
    data = {k: v for k, v in answers().items() if k not in NEW_CODES_2026_2}
    data["questionnaire_version"] = "2026.1"

    output = suggest(data)

    assert [(f["code"], f["severity"]) for f in output["flags"]] == [("ANSWERS_MISSING", "stop")]
    assert output["primary"] == DEFER
    ask = "ask the patient first: " + ", ".join(NEW_BOOLEANS)
    for entry in output["suggestions"]:
        assert entry["constraints"][-1] == ask
    assert (
        output["defer_reason"] == "R45: questions added in 2026.2 not asked; ask the patient first."
    )
