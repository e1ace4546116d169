"""The Fitzpatrick skin phototype: scoring the 10-item self-test and choosing the type to use.

The self-test's wording is part of the questionnaire (questionnaire.SELF_TEST), so
QUESTIONNAIRE_VERSION stamps which wording a patient answered; the bands and the scoring follow
clinical-rules.md 1.1, [S2]. Pure Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Mapping

from consultations.questionnaire import SELF_TEST, SELF_TEST_MAX_SCORE

ITEMS = SELF_TEST
ITEM_CODES: tuple[str, ...] = tuple(item.code for item in ITEMS)
MAX_SCORE = SELF_TEST_MAX_SCORE

# The last item doubles as the "recent tan" screen (clinical-rules.md 1.1, R09): its answers
# scored 3 and 4 ("less than a month ago", "less than 2 weeks ago") fall within the 4 weeks
# the health question `recent_tan` asks about.
SUN_EXPOSURE_ITEM = "last_exposure"
RECENT_SUN_EXPOSURE_MIN_SCORE = 3

# Upper bound of each type's score band (clinical-rules.md 1.1): 0-6 I, 7-13 II, ... >=35 VI.
_BANDS: tuple[tuple[int, int], ...] = ((6, 1), (13, 2), (20, 3), (27, 4), (34, 5), (MAX_SCORE, 6))


def score(answers: Mapping[str, int]) -> int:
    """The self-test total, 0-40; raises ValueError unless every item has a score 0-4."""
    if set(answers) != set(ITEM_CODES):
        raise ValueError("the self-test needs exactly one answer to each of its 10 items")
    if any(not isinstance(value, int) or not 0 <= value <= 4 for value in answers.values()):
        raise ValueError("each self-test answer is scored 0 to 4")
    return sum(answers.values())


def phototype_for_score(total: int) -> int:
    """The Fitzpatrick type (1-6) for a self-test total (0-40)."""
    if not 0 <= total <= MAX_SCORE:
        raise ValueError(f"a self-test total is 0 to {MAX_SCORE}; got {total}")
    return next(phototype for upper, phototype in _BANDS if total <= upper)


def recent_sun_exposure(answers: Mapping[str, int]) -> bool:
    """True when the self-test says the area saw strong sun, a sunbed or fake tan in the last
    month: the health step then pre-answers "recent tan" yes (R09)."""
    value = answers.get(SUN_EXPOSURE_ITEM)
    return isinstance(value, int) and value >= RECENT_SUN_EXPOSURE_MIN_SCORE


def reconcile(self_report: int | None, tested: int | None) -> int | None:
    """The type the safety rules use: the darker (higher) of the two when both are known.

    Self-report is unreliable and pigment raises the risk of dark marks after treatment
    (clinical-rules.md 1.1, "design consequence"), so a disagreement errs on the safe side.
    """
    known = [value for value in (self_report, tested) if value is not None]
    return max(known) if known else None
