"""Patient instructions before and after each treatment: versioned text, kept in code.

A decision stores the AFTERCARE_VERSION it was made with, so the patient keeps seeing the text
their practitioner agreed to even after the wording here changes. To change the wording, add a
new version (do not edit a published one) and bump AFTERCARE_VERSION.

Plain British English, short sentences: patients read this on a phone. The clinic is in
Singapore, where the sun is strong all year.

The `aftercare` template filter (templatetags/aftercare.py) shows it on the patient's status
page. Pure Python: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass

AFTERCARE_VERSION = "2026.1"


@dataclass(frozen=True)
class Aftercare:
    """What a patient should do before and after one treatment, and when to call the clinic."""

    treatment: str
    before: tuple[str, ...]
    normal: tuple[str, ...]
    after: tuple[str, ...]
    call_us: tuple[str, ...]
    emergency: str = "If you feel very unwell or have a high fever, see a doctor or go to A&E."


_SUN = (
    "Use a broad-spectrum sunscreen, SPF 50, every morning, even when it is cloudy. "
    "Put it on again every 2 hours when you are outdoors."
)
_SHADE = "Wear a hat and stay in the shade, especially between 11 am and 4 pm."

_TEXTS: dict[str, dict[str, Aftercare]] = {
    "2026.1": {
        "laser": Aftercare(
            treatment="laser",
            before=(
                "Keep out of strong sun for 2 weeks before each session. " + _SUN,
                "Do not use sunbeds or fake tan for 4 weeks before.",
                "Stop retinol, tretinoin, adapalene and exfoliating acids 5 days before.",
                "Come with clean skin and no make-up.",
                "Tell us before your session if you have a cold sore, start a new medicine "
                "or could be pregnant.",
            ),
            normal=(
                "Your skin may be red, warm and a little swollen for a few hours.",
                "Tiny red dots or a rough, sandpaper feel can last 2 to 3 days.",
            ),
            after=(
                "Wash your face gently with lukewarm water and a mild cleanser. Pat it dry.",
                "Use a plain, fragrance-free moisturiser.",
                "Wait 24 hours before wearing make-up.",
                "For 2 days, avoid hot showers, saunas, swimming and hard exercise.",
                "Do not use scrubs, retinol or acids for 5 days.",
                _SUN,
                _SHADE,
            ),
            call_us=(
                "Blisters, crusts or open sores.",
                "Redness, swelling or pain that gets worse after the second day.",
                "Signs of infection: pus, spreading heat or redness, or a fever.",
                "A cold sore in the treated area.",
                "Dark or pale patches in the weeks after a session.",
            ),
        ),
        "chemical_peel": Aftercare(
            treatment="chemical_peel",
            before=(
                "Keep out of strong sun for 2 weeks before each peel. " + _SUN,
                "Do not use sunbeds or fake tan for 4 weeks before.",
                "Stop retinol, tretinoin, adapalene and exfoliating acids 7 days before.",
                "Do not wax, thread or use hair-removal cream on your face for 5 days before.",
                "Tell us before your peel if you have a cold sore, start a new medicine "
                "or could be pregnant.",
            ),
            normal=(
                "Stinging or warmth during the peel. This settles within an hour.",
                "Redness and a tight, dry feeling for 1 to 2 days.",
                "Light flaking or peeling from about day 2. This can last up to a week.",
            ),
            after=(
                "Do not pick or pull flaking skin. Let it come off by itself.",
                "Wash your face gently with lukewarm water and a mild cleanser. Pat it dry.",
                "Use a plain, fragrance-free moisturiser, more often if your skin feels tight.",
                "Wait 24 hours before wearing make-up.",
                "For 2 days, avoid hot showers, saunas, swimming and hard exercise.",
                "Do not use scrubs, retinol or acids for 7 days.",
                _SUN,
                _SHADE,
            ),
            call_us=(
                "Blisters, crusts, weeping or open skin.",
                "Burning or pain that gets worse instead of better.",
                "Redness that lasts more than 3 days.",
                "Signs of infection: pus, spreading heat or redness, or a fever.",
                "A cold sore in the treated area.",
                "Dark or pale patches in the weeks after a peel.",
            ),
        ),
        "microdermabrasion": Aftercare(
            treatment="microdermabrasion",
            before=(
                "Keep out of strong sun for 2 weeks before each session. " + _SUN,
                "Stop retinol, tretinoin, adapalene and exfoliating acids 3 days before.",
                "Come with clean skin and no make-up.",
                "Tell us before your session if you have a cold sore, a skin infection or "
                "inflamed spots in the area.",
            ),
            normal=(
                "Your skin may be pink and feel tight or sensitive, like mild windburn. "
                "This usually settles within a day.",
                "Small red or purple dots can appear where the suction was used. "
                "They fade within a few days.",
            ),
            after=(
                "Wash your face gently with lukewarm water and a mild cleanser. Pat it dry.",
                "Use a plain, fragrance-free moisturiser.",
                "Wait until the next day before wearing make-up.",
                "Do not use scrubs, retinol or acids for 3 days.",
                _SUN,
                _SHADE,
            ),
            call_us=(
                "Broken skin, crusts or weeping.",
                "Spots that flare up badly after a session.",
                "Signs of infection: pus, spreading heat or redness, or a fever.",
                "Dark patches in the weeks after a session.",
            ),
        ),
    },
}


def aftercare_for(treatment: str, version: str = AFTERCARE_VERSION) -> Aftercare:
    """The instructions for a treatment, in the given version (the current one if unknown)."""
    texts = _TEXTS.get(version) or _TEXTS[AFTERCARE_VERSION]
    return texts[treatment]


# What a patient reads when their practitioner declines or refers (the status page). The
# practitioner starts from the message for their reason and may change it before saving.
DECLINE_MESSAGES: dict[str, str] = {
    "refer_to_doctor": (
        "Your practitioner would like a doctor to look at your skin before any of these "
        "treatments. Please see your GP or a dermatologist (a skin specialist) and show them "
        "this page. We would be glad to see you again afterwards."
    ),
    "contraindication_on_examination": (
        "Your practitioner found something when they examined your skin that makes these "
        "treatments unsafe for you at the moment. Please see your GP or a dermatologist about "
        "it. Once it has been looked after, you are welcome to ask us again."
    ),
    "skin_type_corrected": (
        "After examining your skin, your practitioner does not recommend these treatments for "
        "your skin type. They can talk you through other ways to care for your pores."
    ),
    "patient_preference": (
        "As you discussed with your practitioner, we will not start a treatment for now. You "
        "are welcome to ask us again at any time."
    ),
}
DECLINE_MESSAGE_DEFAULT = (
    "Your practitioner does not recommend starting one of these treatments for now. If you "
    "have any questions, or your skin changes, please contact us. For a skin problem that "
    "worries you, see your GP or a dermatologist."
)


def decline_message(reason_code: str) -> str:
    """The message a declined or referred patient reads, before the practitioner edits it."""
    return DECLINE_MESSAGES.get(reason_code, DECLINE_MESSAGE_DEFAULT)
