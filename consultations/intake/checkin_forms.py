"""The patient's check-in forms: validation and cleaning only (services.checkins writes).

- `PreSessionForm`: the answers that drive stop and caution rules, asked again before every
  session, in the questionnaire's words (a few say "now" or "apart from your sessions with
  us"). Never pre-filled: every answer is given afresh, none carried over from months ago.
- `FollowUpForm`: how the skin is doing 2 and 14 days after a session.
"""

from __future__ import annotations

from typing import Any

from django import forms

from consultations.intake.fields import choice_field, question_field
from consultations.intake.forms import IntakeForm
from consultations.models import CheckInKind, DarkPatches, PoresNow, Redness
from consultations.services.checkins import PRE_SESSION_CODES

# Where the questionnaire's words need to say "now", or that the clinic's own sessions do not
# count as "a treatment in the area".
PRE_SESSION_WORDING = {
    "active_infection_or_cold_sore": (
        "Do you have a cold sore, skin infection, warts or an open wound on the area we treat, now?"
    ),
    "photosensitising_meds": (
        "Are you taking any medicine now that makes your skin more sensitive to the sun?"
    ),
    "resurfacing_in_area_last_4_weeks": (
        "In the last 4 weeks, apart from your sessions with us, have you had a resurfacing "
        "treatment in the area we treat?"
    ),
    "surgery_in_area_last_6_months": (
        "In the last 6 months, have you had surgery or a thread lift in the area we treat?"
    ),
    "hair_removal_in_area_last_7_days": (
        "In the last 7 days, have you had waxing, threading or epilation in the area we treat, "
        "or used a hair-removal cream there?"
    ),
}

# The page's headings, each with its questions.
PRE_SESSION_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Pregnancy and breastfeeding", ("pregnant", "breastfeeding")),
    (
        "Medicines and skin creams",
        (
            "isotretinoin_last_6_months",
            "isotretinoin_timing",
            "photosensitising_meds",
            "topical_retinoid_last_7_days",
        ),
    ),
    ("Sun", ("recent_tan", "sun_exposure_next_4_weeks")),
    ("Your skin now", ("active_infection_or_cold_sore",)),
    (
        "Other treatments",
        (
            "injectable_last_2_weeks",
            "resurfacing_in_area_last_4_weeks",
            "hair_removal_in_area_last_7_days",
            "surgery_in_area_last_6_months",
        ),
    ),
)
FOLLOWS = {"isotretinoin_timing": "isotretinoin_last_6_months"}


class CheckInForm(IntakeForm):
    """A check-in's questions under their headings: (field, the question it follows up)."""

    group_fields: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def groups(self) -> list[tuple[str, list[tuple[forms.BoundField, str]]]]:
        return [
            (title, [(self[code], FOLLOWS.get(code, "")) for code in codes])
            for title, codes in self.group_fields
        ]


class PreSessionForm(CheckInForm):
    """The safety questions before a session, every one answered now."""

    group_fields = PRE_SESSION_GROUPS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code in PRE_SESSION_CODES:
            field = question_field(code)
            if code in PRE_SESSION_WORDING:
                field.label = PRE_SESSION_WORDING[code]
            field.required = code not in FOLLOWS
            self.fields[code] = field

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for code, parent in FOLLOWS.items():
            if data.get(parent) is False:
                data[code] = ""  # "no": the follow-up does not apply, nothing is kept
            elif data.get(parent) and not data.get(code) and code not in self.errors:
                self.add_error(code, self.fields[code].error_messages["required"])
        return data


def _yes_no(label: str, required_message: str, help_text: str = "") -> forms.TypedChoiceField:
    field = choice_field(
        label=label,
        help_text=help_text,
        choices=[("yes", "Yes"), ("no", "No")],
        required_message=required_message,
        coerce=lambda value: value == "yes",
        empty_value=None,
    )
    field.widget.attrs["class"] = "yes-no"
    return field


REDNESS_CHOICES = [
    (Redness.NONE, "No, my skin was not red"),
    (Redness.UNDER_1_DAY, "Yes, for less than a day"),
    (Redness.DAYS_1_TO_3, "Yes, for 1 to 3 days"),
    (Redness.OVER_3_DAYS, "Yes, for more than 3 days, or it is still red"),
]
DARK_PATCHES_CHOICES = [
    (DarkPatches.NONE, "No"),
    (DarkPatches.SOME, "Yes, a few, and they are not growing"),
    (DarkPatches.SPREADING, "Yes, and they are spreading or getting darker"),
]
PORES_CHOICES = [
    (PoresNow.BETTER, "Better"),
    (PoresNow.SAME, "About the same"),
    (PoresNow.WORSE, "Worse"),
]


class FollowUpForm(CheckInForm):
    """How the skin is doing after a session (day 2 and day 14)."""

    group_fields = (
        ("Your skin since the session", ("redness", "swelling", "breakouts", "dark_patches")),
        ("Warning signs", ("blisters_or_crusts", "infection_signs")),
        ("What you think", ("satisfaction", "pores_now")),
    )

    redness = choice_field(
        label="Has your skin been red since the session? If so, for how long?",
        choices=REDNESS_CHOICES,
        required_message="Tell us if your skin has been red, and for how long",
    )
    swelling = _yes_no(
        "Has the treated area been swollen (puffy)?",
        "Tell us if the treated area has been swollen",
    )
    breakouts = _yes_no(
        "Have you had new spots or breakouts in the treated area?",
        "Tell us if you have had new spots in the treated area",
    )
    dark_patches = choice_field(
        label="Have dark patches appeared on the treated skin?",
        help_text="Darker marks that were not there before the session.",
        choices=DARK_PATCHES_CHOICES,
        required_message="Tell us if dark patches have appeared",
    )
    blisters_or_crusts = _yes_no(
        "Do you have blisters, or crusts or scabs, on the treated skin?",
        "Tell us if you have blisters or crusts",
    )
    infection_signs = _yes_no(
        "Do you have signs of infection in the treated area?",
        "Tell us if you have signs of infection",
        "For example yellow fluid (pus), yellow crusts, or skin that is getting more red, "
        "hot, swollen or painful instead of better.",
    )
    satisfaction = choice_field(
        label="How happy are you with this session, from 0 (not at all) to 10 (very happy)?",
        choices=[(n, str(n)) for n in range(11)],
        required_message="Choose a number from 0 to 10",
        coerce=int,
        empty_value=None,
    )
    pores_now = choice_field(
        label="How do your pores look now, compared with before the session?",
        choices=PORES_CHOICES,
        required_message="Tell us how your pores look now",
    )


def check_in_form_class(kind: str) -> type[CheckInForm]:
    """The form a check-in of this kind asks."""
    return PreSessionForm if kind == CheckInKind.PRE_SESSION else FollowUpForm
