"""The Fitzpatrick skin phototype: the six descriptions and the 10-item self-test.

The self-test follows the commonly circulated 10-item version (clinical-rules.md 1.1, [S2]):
four items on genetic disposition, four on the reaction to sun, two on tanning habits, each
scored 0-4, total 0-40. The wording is our own plain-English paraphrase. The items are part of
the questionnaire, so models.QUESTIONNAIRE_VERSION stamps which wording a patient answered.
Pure Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# (type, plain description) for the patient's own pick; wording after clinical-rules.md 1.1.
PHOTOTYPES: tuple[tuple[int, str], ...] = (
    (1, "Type I: very pale skin, often with freckles or red or fair hair. "
        "I always burn and never tan."),
    (2, "Type II: fair skin. I usually burn and tan only a little."),
    (3, "Type III: light or olive skin. I sometimes burn and tan slowly to a light brown."),
    (4, "Type IV: light brown skin. I rarely burn and tan easily."),
    (5, "Type V: brown skin. I very rarely burn and tan to a dark brown."),
    (6, "Type VI: dark brown or black skin. I never burn."),
)  # fmt: skip

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}


@dataclass(frozen=True)
class Item:
    """One self-test question: five answers, scored 0 to 4 in the order given."""

    code: str
    question: str
    answers: tuple[str, str, str, str, str]
    help_text: str = ""


ITEMS: tuple[Item, ...] = (
    # Genetic disposition
    Item(
        "eye_colour",
        "What colour are your eyes?",
        (
            "Light blue, light grey or light green",
            "Blue, grey or green",
            "Hazel or light brown",
            "Dark brown",
            "Brownish black",
        ),
    ),
    Item(
        "hair_colour",
        "What is your natural hair colour?",
        ("Red", "Blonde", "Chestnut or dark blonde", "Dark brown", "Black"),
        "Your hair colour before any dye or greying.",
    ),
    Item(
        "skin_colour",
        "What colour is your skin where the sun does not reach?",
        (
            "Reddish",
            "Very pale",
            "Pale with a beige tint",
            "Light brown",
            "Dark brown",
        ),
        "For example, the inside of your upper arm.",
    ),
    Item(
        "freckles",
        "Do you have freckles on skin that is usually covered from the sun?",
        ("Many", "Several", "A few", "Very few", "None"),
    ),
    # Reaction to sun
    Item(
        "sun_reaction",
        "What happens to your skin if you stay in strong sun too long without sunscreen?",
        (
            "It goes painfully red, blisters and peels",
            "It blisters, then peels",
            "It sometimes burns, then peels",
            "It rarely burns",
            "It never burns",
        ),
    ),
    Item(
        "turns_brown",
        "Does your skin go darker (tan) after time in the sun?",
        ("Never: I only burn", "Hardly ever", "Sometimes", "Often", "Always"),
    ),
    Item(
        "how_brown",
        "How dark does your skin get after a few days in the sun?",
        (
            "Not darker at all, or only very slightly",
            "A little darker",
            "Quite a bit darker",
            "Much darker",
            "Very much darker",
        ),
    ),
    Item(
        "face_sensitivity",
        "How does the skin on your face react to the sun?",
        (
            "Very sensitive: it burns quickly",
            "Sensitive",
            "Usually fine",
            "Rarely bothered",
            "Never bothered",
        ),
    ),
    # Tanning habits
    Item(
        "tanning_frequency",
        "How often does your skin tan?",
        ("Never", "Seldom", "Sometimes", "Often", "Always"),
    ),
    Item(
        "last_exposure",
        "When did you last spend a long time in strong sun, use a sunbed or use fake tan "
        "on the area you want treated?",
        (
            "More than 3 months ago",
            "2 to 3 months ago",
            "1 to 2 months ago",
            "Less than a month ago",
            "Less than 2 weeks ago",
        ),
    ),
)

ITEM_CODES: tuple[str, ...] = tuple(item.code for item in ITEMS)
MAX_SCORE = 4 * len(ITEMS)

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
