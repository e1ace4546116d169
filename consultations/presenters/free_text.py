"""Free text that names a medicine or treatment bearing on a yes/no answer ("doxycycline 100 mg
for acne" beside "Photosensitising medication: No"): surfaced for the practitioner to check
with the patient, never acted on. A name is a prompt, not a finding: "stopped doxycycline in
2019" is still worth a question, so the wording says what to check, not that the answer is
wrong.

Names are matched as whole words after folding case and punctuation ("St. John's Wort",
"Retin-A" and "retin a" all match), in the answers they bear on: a medicine in what the patient
takes or took, an allergy only in the allergies answer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from consultations import questionnaire
from consultations.models import Consultation
from consultations.presenters.answers import answer_text

# Generic and brand names patients in Singapore write, lower case, by the question they bear on.
KNOWN_NAMES: dict[str, tuple[str, ...]] = {
    "photosensitising_meds": (
        "doxycycline", "doxycyline", "doxy", "minocycline", "tetracycline", "lymecycline",
        "hydrochlorothiazide", "amiodarone", "st john's wort", "st johns wort", "psoralen",
        "methoxsalen", "griseofulvin", "voriconazole",
    ),
    "isotretinoin_last_6_months": (
        "isotretinoin", "roaccutane", "accutane", "oratane", "absorica", "claravis", "acnotin",
        "isotrex",
    ),
    "topical_retinoid_last_7_days": (
        "tretinoin", "retin a", "retinoid", "retinol", "adapalene", "differin",
        "epiduo", "tazarotene", "trifarotene", "aklief",
    ),
    "anticoagulant_or_bleeding_disorder": (
        "warfarin", "apixaban", "eliquis", "rivaroxaban", "xarelto", "dabigatran", "pradaxa",
        "edoxaban", "lixiana", "clopidogrel", "plavix", "ticagrelor", "brilinta", "aspirin",
        "cardiprin", "heparin", "enoxaparin", "clexane", "haemophilia", "hemophilia",
    ),
    "systemic_gold_therapy_ever": (
        "auranofin", "aurothiomalate", "myocrisin", "gold injection", "gold injections",
    ),
    "steroid_or_bleaching_cream_last_6_months": (
        "hydroquinone", "clobetasol", "betamethasone", "hydrocortisone", "mometasone",
        "elomet", "dermovate", "steroid cream", "whitening cream", "lightening cream",
        "bleaching cream",
    ),
    "immunosuppressed_or_poor_healing": (
        "methotrexate", "prednisolone", "prednisone", "ciclosporin", "cyclosporine",
        "tacrolimus", "azathioprine", "mycophenolate", "chemotherapy",
    ),
    "salicylate_allergy": ("salicylate", "salicylic", "aspirin", "cardiprin"),
}  # fmt: skip
FREE_TEXT = ("other_medicines", "allergies", "previous_treatments")
_READ_IN: dict[str, tuple[str, ...]] = {
    code: ("allergies",)
    if code == "salicylate_allergy"
    else ("other_medicines", "previous_treatments")
    for code in KNOWN_NAMES
}


def fold(text: str) -> str:
    """Lower case, accents and punctuation folded to spaces ("St. John’s-Wort" -> "st john s
    wort"), so that a name matches however it was typed."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def _found(name: str, folded_text: str) -> bool:
    return f" {fold(name)} " in f" {folded_text} "


@dataclass(frozen=True)
class FreeTextAlert:
    """A name in the patient's words that bears on a yes/no answer."""

    name: str
    field: str
    question: str
    answer: str

    @property
    def answered_yes(self) -> bool:
        return self.answer == "Yes"


def free_text_alerts(consultation: Consultation) -> list[FreeTextAlert]:
    """Known names in the free-text answers, each with the question it bears on and the answer
    given (one per question and answer field)."""
    alerts = []
    for field in FREE_TEXT:
        folded = fold(getattr(consultation, field) or "")
        if not folded:
            continue
        for code, names in KNOWN_NAMES.items():
            if field not in _READ_IN[code]:
                continue
            name = next((name for name in names if _found(name, folded)), None)
            if name is not None:
                alerts.append(
                    FreeTextAlert(
                        name=name,
                        field=questionnaire.question(field).term,
                        question=questionnaire.question(code).term,
                        answer=answer_text(code, getattr(consultation, code)),
                    )
                )
    return alerts


def highlight_names(consultation: Consultation) -> list[str]:
    """The names to mark in the answer table's free text."""
    return sorted({alert.name for alert in free_text_alerts(consultation)})


def mark_names(text: str, names: list[str]) -> list[tuple[str, bool]]:
    """The text in pieces, each flagged True where it is one of `names` (for <mark>), matched
    as `fold` matches them (any punctuation or spacing between the words of a name)."""
    if not names or not text:
        return [(text, False)]
    words = [re.split(r"[^a-z0-9]+", fold(name)) for name in names]
    pattern = re.compile(
        "|".join(
            r"(?<![A-Za-z0-9])" + r"[^A-Za-z0-9]+".join(map(re.escape, parts)) + r"(?![A-Za-z0-9])"
            for parts in words
        ),
        re.IGNORECASE,
    )
    pieces, at = [], 0
    for match in pattern.finditer(text):
        if match.start() > at:
            pieces.append((text[at : match.start()], False))
        pieces.append((match.group(0), True))
        at = match.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


__all__ = ["FreeTextAlert", "fold", "free_text_alerts", "highlight_names", "mark_names"]
