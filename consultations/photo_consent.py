"""What patients are told about their photos, and the two consents they give, versioned.

Change the wording only together with PHOTO_CONSENT_TEXT_VERSION: each PhotoConsent row stores
the version the patient saw (as consultations/consent.py does for the answers).
"""

from __future__ import annotations

# 2026.2: the patient may delete their photos, or withdraw this consent, themselves.
PHOTO_CONSENT_TEXT_VERSION = "2026.2"

PHOTO_STATEMENT_TITLE = "Who sees your photos, and why"

PHOTO_STATEMENT_PARAGRAPHS: tuple[str, ...] = (
    "Photos help the practitioner see your pores and skin before they meet you, and later "
    "compare how your skin changes over your treatment.",
    "Only the clinic's practitioners see your photos, and you, through your private link. "
    "They are kept with your health record, in private storage, never on a public web page.",
    "We remove the hidden details a phone adds to a photo, such as where and when it was "
    "taken and which phone took it.",
    "Adding photos is your choice. Your consultation works without them. You can delete a "
    "photo, or withdraw your consent and delete them all, at any time: here, or later "
    "through the private link we send you.",
)

CLINICAL_CONSENT_LABEL = (
    "I agree that the clinic may keep my photos and use them for my care, as described above."
)
OTHER_USE_CONSENT_LABEL = (
    "I also agree that the clinic may use my photos for other purposes, such as teaching "
    "or publication (optional)."
)
OTHER_USE_CONSENT_HELP = "Leave this unticked if you are not sure. It does not affect your care."

# Shown beside the three views (intake) and to practitioners.
PHOTO_GUIDANCE: tuple[str, ...] = (
    "Use daylight, for example near a window. Avoid a flash.",
    "No make-up, and tie your hair back.",
    "Hold the phone at arm's length, at the same distance for each photo.",
)

VIEW_HELP = {
    "front": "Look straight at the camera.",
    "left_45": "Turn your head to the right, so your left cheek faces the camera.",
    "right_45": "Turn your head to the left, so your right cheek faces the camera.",
}
