"""The consent and declaration a patient accepts before submitting, versioned.

Change the wording only together with CONSENT_TEXT_VERSION: each Consent row stores the version
the patient saw, so the clinic can always show which text was accepted.
"""

from __future__ import annotations

CONSENT_TEXT_VERSION = "2026.1"

CONSENT_TITLE = "How we use your answers"

# Shown in full on the "check your answers" page, paragraph by paragraph.
CONSENT_PARAGRAPHS: tuple[str, ...] = (
    "The clinic keeps your answers and contact details so that a practitioner can check "
    "which treatment may be safe and suitable for you, and to contact you about it.",
    "Only the clinic's practitioners and staff who run the service can see your answers. "
    "We do not sell them or share them with anyone else unless the law requires it.",
    "A computer program makes a first suggestion from your answers. A practitioner always "
    "checks it, and your skin, before any treatment.",
    "We handle your personal data under Singapore's Personal Data Protection Act 2012. You can "
    "ask to see your data, correct it, or withdraw your consent and have it deleted, by "
    "contacting the clinic.",
)

CONSENT_LABEL = (
    "I agree that the clinic may keep and use my answers and contact details as described above."
)
DECLARATION_LABEL = "My answers are true and complete, as far as I know."
