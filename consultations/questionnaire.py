"""The intake questionnaire, defined once: steps, questions, wording, options and clinical terms.

Shaped like `rules/table.py`: read it as a table. Every page and export that asks or shows a
question takes its words from here: the intake's step forms, the "check your answers" page, the
patient's copy, the practitioner's answer table, the printable summary, the admin and the FHIR
`Questionnaire`. Codes are the intake contract's (intake-contract.md): a code here, a model
field, a form field, a JSON key and a FHIR linkId are one name.

Each question carries its words for two audiences:

- `text`: the question as the patient reads it (the form label, and the FHIR item text);
- `summary`: the short label on "check your answers" and the patient's copy ("" = `text`);
- `term`: the clinical term practitioners and admins read.

`QUESTIONNAIRE_VERSION` names the wording a patient answered (each consultation stores it), so it
is bound to `questionnaire_fingerprint()`, a hash of everything below. Changing any wording, help
text, option or order without a new version fails tests/records/test_questionnaire.py; a released
version's fingerprint is never edited. Pure Python: no Django import.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

QUESTIONNAIRE_VERSION = "2026.2"

QUESTIONNAIRE_FINGERPRINTS: dict[str, str] = {
    "2026.1": "6e8aacac482f0b3b687ad1e71f85280a19460aba17c84815466727e1a8fa0014",
    # 2026.2: thirteen new answers (clinical-rules.md 5.1), keloid wording, the health
    # questions on four pages by topic.
    "2026.2": "c1cd194931f1542b9b9e1bef357c994d013c3e83785e5fbc30b25e7935694e9f",
}

# Who reads the words: the patient who answered, or the clinic's staff.
PATIENT = "patient"
CLINICIAN = "clinician"

# What the patient's pages say where there is no answer yet, and what staff pages say.
NOT_ANSWERED = "Not answered yet"
NOT_ANSWERED_TERM = "Not answered"

# FHIR R4 item types (Questionnaire.item.type).
BOOLEAN = "boolean"
CHOICE = "choice"
INTEGER = "integer"
STRING = "string"
TEXT = "text"
DATE = "date"


@dataclass(frozen=True)
class Step:
    """A page of the intake, and the numbered step it belongs to (product.md's five steps; the
    health questions are step 4, split into short pages by topic)."""

    slug: str
    title: str
    number: int


@dataclass(frozen=True)
class Group:
    """A heading within a step (the health step's topics)."""

    slug: str
    step: str
    title: str
    intro: str = ""


@dataclass(frozen=True)
class Option:
    """One answer a patient can choose: its stored value, their words, and the clinical term."""

    value: str | int
    label: str
    term: str = ""

    @property
    def clinical(self) -> str:
        return self.term or self.label


@dataclass(frozen=True)
class Question:
    """One question: where it is asked, its words for each audience, and its answers.

    `follows`: the yes/no question it follows up; it is asked (and kept) only after "yes".
    `part_of`: the stored answer this form question fills in (the other goals are stored in
    `goals` after the main goal). `derived`: worked out, not asked (age, the phototype used).
    `empty`/`term_empty`: what the patient's and the staff pages say for an optional question
    left blank (or a follow-up after "no").
    """

    code: str
    step: str
    text: str
    term: str
    kind: str
    summary: str = ""
    help: str = ""
    required_message: str = ""
    options: tuple[Option, ...] = ()
    yes_label: str = "Yes"
    group: str = ""
    follows: str = ""
    part_of: str = ""
    required: bool = True
    repeats: bool = False
    derived: bool = False
    empty: str = ""
    term_empty: str = ""

    @property
    def label(self) -> str:
        """The label on "check your answers" and the patient's copy."""
        return self.summary or self.text

    def words(self, audience: str) -> str:
        """The question's label for an audience."""
        return self.term if audience == CLINICIAN else self.label

    def option_label(self, value: object, audience: str = PATIENT) -> str:
        """One option's words for an audience ("" when the value is not one of the options)."""
        for option in self.options:
            if option.value == value:
                return option.clinical if audience == CLINICIAN else option.label
        return ""

    @property
    def values(self) -> tuple[str | int, ...]:
        return tuple(option.value for option in self.options)


@dataclass(frozen=True)
class SelfTestItem:
    """One question of the 10-item skin-type self-test: five answers, scored 0 to 4 in order."""

    code: str
    question: str
    answers: tuple[str, str, str, str, str]
    help: str = ""


# --- Steps --------------------------------------------------------------------------------------

STEPS: tuple[Step, ...] = (
    Step("about", "About you", 1),
    Step("skin", "Your skin", 2),
    Step("goals", "Your goals", 3),
    Step("health", "Pregnancy and medicines", 4),
    Step("skin-now", "Your skin now", 4),
    Step("treatments", "Previous treatments", 4),
    Step("history", "Your health", 4),
    Step("check", "Check your answers", 5),
)
STEP_COUNT = 5
# A numbered step split into pages has a name of its own ("Step 4 of 5: Health and medicines").
STEP_NAMES: dict[int, str] = {4: "Health and medicines"}
STEP_SLUGS: tuple[str, ...] = tuple(step.slug for step in STEPS)
STEP_TITLES: dict[str, str] = {step.slug: step.title for step in STEPS}
STEP_BY_SLUG: dict[str, Step] = {step.slug: step for step in STEPS}
# The pages that ask questions (the check page only shows them), and the health pages.
QUESTION_STEPS: tuple[str, ...] = STEP_SLUGS[:-1]
HEALTH_STEPS: tuple[str, ...] = tuple(step.slug for step in STEPS if step.number == 4)

# What the practitioner's answer table and the printable summary call each page's answers.
STEP_TERMS: dict[str, str] = {
    "about": "About the patient",
    "skin": "Skin",
    "goals": "Goals",
    "health": "Pregnancy and medicines",
    "skin-now": "Skin now (treatment area)",
    "treatments": "Previous treatments",
    "history": "Medical history and allergies",
}

GROUPS: tuple[Group, ...] = (
    Group("pregnancy", "health", "Pregnancy and breastfeeding", "We ask everyone these questions."),
    Group("medicines", "health", "Medicines"),
    Group("other_medicines", "health", "Other medicines"),
    Group(
        "skin_now",
        "skin-now",
        "Your skin now",
        "These questions are about the area of skin you would like treated.",
    ),
    Group(
        "previous_treatments",
        "treatments",
        "Previous treatments",
        "These questions are about treatments on or near the area you would like treated, "
        "unless they say otherwise.",
    ),
    Group("health", "history", "Your health"),
    Group("allergies", "history", "Allergies"),
)


# --- Skin phototype words -----------------------------------------------------------------------

ROMAN: dict[int, str] = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}

# The patient's own pick (wording after clinical-rules.md 1.1), with the practitioners' terms.
PHOTOTYPES: tuple[Option, ...] = (
    Option(
        1,
        "Type I: very pale skin, often with freckles or red or fair hair. "
        "I always burn and never tan.",
        "I: always burns, never tans",
    ),
    Option(
        2,
        "Type II: fair skin. I usually burn and tan only a little.",
        "II: usually burns, tans minimally",
    ),
    Option(
        3,
        "Type III: light or olive skin. I sometimes burn and tan slowly to a light brown.",
        "III: sometimes burns, tans gradually",
    ),
    Option(
        4,
        "Type IV: light brown skin. I rarely burn and tan easily.",
        "IV: rarely burns, tans easily",
    ),
    Option(
        5,
        "Type V: brown skin. I very rarely burn and tan to a dark brown.",
        "V: very rarely burns, tans darkly",
    ),
    Option(
        6, "Type VI: dark brown or black skin. I never burn.", "VI: never burns, deeply pigmented"
    ),
)


def phototype_name(value: int) -> str:
    """ "Type IV": how both audiences name a phototype in running text."""
    return f"Type {ROMAN.get(value, value)}"


# The 10-item self-test (clinical-rules.md 1.1, [S2]): four items on genetic disposition, four
# on the reaction to sun, two on tanning habits, each scored 0-4, total 0-40. The wording is our
# own plain-English paraphrase. consultations/fitzpatrick.py scores it.
SELF_TEST: tuple[SelfTestItem, ...] = (
    # Genetic disposition
    SelfTestItem(
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
    SelfTestItem(
        "hair_colour",
        "What is your natural hair colour?",
        ("Red", "Blonde", "Chestnut or dark blonde", "Dark brown", "Black"),
        "Your hair colour before any dye or greying.",
    ),
    SelfTestItem(
        "skin_colour",
        "What colour is your skin where the sun does not reach?",
        ("Reddish", "Very pale", "Pale with a beige tint", "Light brown", "Dark brown"),
        "For example, the inside of your upper arm.",
    ),
    SelfTestItem(
        "freckles",
        "Do you have freckles on skin that is usually covered from the sun?",
        ("Many", "Several", "A few", "Very few", "None"),
    ),
    # Reaction to sun
    SelfTestItem(
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
    SelfTestItem(
        "turns_brown",
        "Does your skin go darker (tan) after time in the sun?",
        ("Never: I only burn", "Hardly ever", "Sometimes", "Often", "Always"),
    ),
    SelfTestItem(
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
    SelfTestItem(
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
    SelfTestItem(
        "tanning_frequency",
        "How often does your skin tan?",
        ("Never", "Seldom", "Sometimes", "Often", "Always"),
    ),
    SelfTestItem(
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
SELF_TEST_MAX_SCORE = 4 * len(SELF_TEST)
SELF_TEST_TOGGLE = "Use my answers to these 10 questions to work out my skin type"
SELF_TEST_TOGGLE_HELP = "Untick this to use only the description you chose above."
SELF_TEST_REQUIRED = (
    "Answer question {number} of the self-test, or untick “Use my answers to these 10 questions”"
)
SELF_TEST_RESULT = "{phototype} (score {score} out of {max_score})"
SELF_TEST_RESULT_TERM = "self-test score {score}/{max_score}"
SELF_TEST_UNFINISHED = "Not finished"
PHOTOTYPE_USED = (
    "{phototype}: when your choice and the self-test differ, we use the darker type to keep you "
    "safe. A practitioner will check your skin."
)
PHOTOTYPE_PICKED_TERM = "patient picked type {roman}"
# "Recent tan" pre-answered from the self-test's last question (R09).
RECENT_TAN_FROM_SELF_TEST = (
    "We have chosen “Yes” for you because in the skin type questions you said this area had "
    "strong sun, a sunbed or fake tan less than a month ago. Change it if that is not right."
)


# --- Questions ----------------------------------------------------------------------------------

GOAL_OPTIONS: tuple[Option, ...] = (
    Option("pore_size", "Smaller-looking pores", "Enlarged pores"),
    Option("oiliness", "Less oily skin", "Oiliness (sebum)"),
    Option("texture", "Smoother skin texture", "Texture / roughness"),
    Option("tone_pigmentation", "More even skin tone or dark patches", "Tone / pigmentation"),
    Option("acne_scars", "Acne scars"),
    Option("fine_lines", "Fine lines"),
)


GROUP_STEP: dict[str, str] = {group.slug: group.step for group in GROUPS}


def _yes_no(
    code: str,
    group: str,
    text: str,
    term: str,
    required_message: str,
    help_text: str = "",
    yes_label: str = "Yes",
) -> Question:
    return Question(
        code=code,
        step=GROUP_STEP[group],
        group=group,
        text=text,
        term=term,
        kind=BOOLEAN,
        help=help_text,
        required_message=required_message,
        yes_label=yes_label,
    )


QUESTIONS: tuple[Question, ...] = (
    # --- Step 1: about you (the patient's details: FHIR Patient, not Questionnaire items)
    Question(
        "first_name",
        "about",
        "First name",
        "First name",
        STRING,
        required_message="Enter your first name",
    ),
    Question(
        "last_name",
        "about",
        "Last name",
        "Last name",
        STRING,
        required_message="Enter your last name",
    ),
    Question(
        "date_of_birth",
        "about",
        "Date of birth",
        "Date of birth",
        DATE,
        help="For example, 27 3 1990. This form is for adults (18+).",
        required_message="Enter your date of birth",
    ),
    Question(
        "email",
        "about",
        "Email address",
        "Email",
        STRING,
        help="We only use it to send you links to your consultation. We never email your answers.",
        required_message="Enter your email address",
    ),
    Question(
        "phone",
        "about",
        "Phone number (optional)",
        "Phone",
        STRING,
        summary="Phone number",
        help="So that the clinic can call you about an appointment. Example: +65 9123 4567.",
        required=False,
        empty="Not given",
        term_empty="Not given",
    ),
    Question(
        "age",
        "about",
        "Age when you sent your answers (from your date of birth)",
        "Age at submission",
        INTEGER,
        derived=True,
    ),
    # --- Step 2: your skin
    Question(
        "fitzpatrick_self_report",
        "skin",
        "Which description fits your skin best?",
        "Phototype the patient picked",
        CHOICE,
        help="Think of how your skin reacts to strong sun without sunscreen. "
        "Not sure? Use “Help me work it out” below.",
        required_message="Choose the description that fits your skin best, "
        "or answer the 10 questions under “Help me work it out”",
        options=PHOTOTYPES,
        required=False,
        empty="Not chosen",
    ),
    Question(
        "fitzpatrick_score",
        "skin",
        "Result of the 10-question self-test",
        "Self-test score (0 to 40)",
        INTEGER,
        required=False,
        derived=True,
    ),
    Question(
        "fitzpatrick",
        "skin",
        "Skin type we will use",
        "Fitzpatrick phototype",
        CHOICE,
        options=PHOTOTYPES,
        derived=True,
    ),
    Question(
        "fitzpatrick_source",
        "skin",
        "How the skin type was set",
        "Phototype source",
        CHOICE,
        options=(
            Option("self_report", "Your own choice", "Patient's own choice"),
            Option("questionnaire", "The self-test", "Self-test questionnaire"),
            Option("practitioner", "A practitioner", "Practitioner"),
        ),
        derived=True,
    ),
    Question(
        "sebum",
        "skin",
        "How does your face look and feel 2 to 3 hours after washing it, with nothing on it?",
        "Sebum (oiliness)",
        CHOICE,
        summary="How your skin feels after washing",
        required_message="Choose how your face looks and feels a few hours after washing",
        options=(
            Option("dry", "Dry: it feels tight or flaky and never looks shiny", "Dry"),
            Option("normal", "Normal: it is rarely shiny", "Normal"),
            Option(
                "oily",
                "Oily: my forehead, nose and chin look shiny within a few hours, and I can see "
                "my pores",
                "Oily",
            ),
            Option(
                "very_oily",
                "Very oily: my whole face is shiny within 1 to 2 hours, I blot it several times "
                "a day and my pores often get blocked",
                "Very oily",
            ),
        ),
    ),
    # --- Step 3: your goals
    Question(
        "goals",
        "goals",
        "What would you most like to improve?",
        "Primary goal",
        CHOICE,
        summary="Main goal",
        required_message="Choose the main thing you would like to improve",
        options=GOAL_OPTIONS,
        repeats=True,
    ),
    Question(
        "other_goals",
        "goals",
        "Is there anything else you would like to improve? (optional)",
        "Other goals",
        CHOICE,
        summary="Anything else",
        help="Choose all that apply. You do not need to choose your main goal again.",
        required_message="Choose only from the goals listed",
        options=GOAL_OPTIONS,
        part_of="goals",
        required=False,
        repeats=True,
        empty="Nothing else",
        term_empty="None",
    ),
    Question(
        "downtime_tolerance",
        "goals",
        "After a treatment, how much downtime would be acceptable to you?",
        "Downtime tolerance",
        CHOICE,
        summary="Downtime you can accept",
        help="Downtime is the time your skin may look red, dry or flaky afterwards.",
        required_message="Choose how much downtime would be acceptable to you",
        options=(
            Option("none", "None: I need to look normal straight away"),
            Option("few_days", "A few days of redness or flaking is fine"),
            Option("week_or_more", "A week or more is fine"),
        ),
    ),
    Question(
        "previous_treatments",
        "goals",
        "Have you had any skin treatments before? (optional)",
        "Previous treatments",
        TEXT,
        summary="Previous treatments",
        help="For example laser, chemical peels, microdermabrasion or injections, "
        "and roughly when.",
        required=False,
        empty="None given",
        term_empty="None given",
    ),
    # --- Step 4, page 1: pregnancy and medicines
    _yes_no(
        "pregnant",
        "pregnancy",
        "Are you pregnant, or trying to get pregnant?",
        "Pregnant or trying to conceive",
        "Tell us if you are pregnant or trying to get pregnant",
        "If you are not sure, choose “Yes, or not sure”: we treat it as a yes to keep you safe.",
        yes_label="Yes, or not sure",
    ),
    _yes_no(
        "breastfeeding",
        "pregnancy",
        "Are you breastfeeding?",
        "Breastfeeding",
        "Tell us if you are breastfeeding",
    ),
    _yes_no(
        "isotretinoin_last_6_months",
        "medicines",
        "Are you taking isotretinoin tablets, or have you taken them in the last 6 months?",
        "Oral isotretinoin within 6 months",
        "Tell us if you have taken isotretinoin tablets in the last 6 months",
        "Isotretinoin is a strong acne medicine taken by mouth. It is sold as Roaccutane, "
        "Accutane or Oratane, among other names.",
    ),
    Question(
        "isotretinoin_timing",
        "health",
        "Are you taking isotretinoin now, or when did you stop?",
        "Isotretinoin: current use or when stopped",
        CHOICE,
        group="medicines",
        required_message="Tell us if you are taking isotretinoin now, or when you stopped",
        options=(
            Option("current", "I am taking it now", "Current"),
            Option("stopped_under_1_month", "I stopped less than 1 month ago", "Stopped < 1 month"),
            Option("stopped_1_to_6_months", "I stopped 1 to 6 months ago", "Stopped 1–6 months"),
            Option("not_sure", "I am not sure", "Not sure"),
        ),
        follows="isotretinoin_last_6_months",
    ),
    _yes_no(
        "photosensitising_meds",
        "medicines",
        "Are you taking any medicine that makes your skin more sensitive to the sun?",
        "Photosensitising medication",
        "Tell us if you take a medicine that makes your skin sensitive to the sun",
        "For example doxycycline or minocycline (antibiotics), hydrochlorothiazide (a water "
        "tablet), amiodarone (for the heart), St John’s wort, or psoralen tablets used with light "
        "treatment. The leaflet often says to avoid sunlight. If you are not sure, answer yes and "
        "name the medicine below.",
    ),
    _yes_no(
        "topical_retinoid_last_7_days",
        "medicines",
        "Have you used a retinoid cream, gel or serum on your face in the last 7 days?",
        "Topical retinoid within 7 days",
        "Tell us if you have used a retinoid on your face in the last 7 days",
        "For example retinol, tretinoin (Retin-A), adapalene (Differin) or tazarotene.",
    ),
    _yes_no(
        "steroid_or_bleaching_cream_last_6_months",
        "medicines",
        "In the last 6 months, have you used a steroid cream or a skin-lightening cream on "
        "your face?",
        "Topical steroid on the face (over 2 weeks) or unregulated bleaching cream, 6 months",
        "Tell us if you have used a steroid cream or a skin-lightening cream on your face",
        "Answer yes for a steroid cream used for more than 2 weeks in total, such as "
        "hydrocortisone, betamethasone, clobetasol or some creams prescribed for melasma. "
        "Answer yes for a whitening or lightening cream that a doctor did not prescribe for "
        "you, that was bought online or overseas, or whose ingredients you do not know. Please "
        "name the cream in the box for other medicines below.",
        yes_label="Yes, or not sure",
    ),
    _yes_no(
        "anticoagulant_or_bleeding_disorder",
        "medicines",
        "Do you take blood thinners, or do you have a bleeding disorder?",
        "Anticoagulant or bleeding disorder",
        "Tell us if you take blood thinners or have a bleeding disorder",
        "Blood thinners include warfarin, apixaban, rivaroxaban, clopidogrel and daily aspirin. "
        "A bleeding disorder means you bleed or bruise very easily, for example haemophilia.",
    ),
    _yes_no(
        "systemic_gold_therapy_ever",
        "medicines",
        "Have you ever had gold injections or gold tablets?",
        "Systemic gold therapy (ever)",
        "Tell us if you have ever had gold injections or tablets",
        "Gold was used to treat rheumatoid arthritis. Answer yes even if it was many years ago.",
    ),
    _yes_no(
        "takes_other_medicines",
        "other_medicines",
        "Do you take any other medicines, vitamins or supplements?",
        "Takes other medicines",
        "Tell us if you take any other medicines, vitamins or supplements",
    ),
    Question(
        "other_medicines",
        "health",
        "Which medicines, vitamins or supplements do you take?",
        "Other medicines",
        TEXT,
        summary="Other medicines, vitamins or supplements",
        group="other_medicines",
        help="Include tablets, creams, injections and herbal remedies.",
        required_message="Tell us which medicines, vitamins or supplements you take",
        follows="takes_other_medicines",
        empty="None",
        term_empty="None given",
    ),
    # --- Step 4, page 2: your skin now
    _yes_no(
        "active_infection_or_cold_sore",
        "skin_now",
        "Do you have a cold sore, skin infection, warts or an open wound there now?",
        "Active infection, HSV lesion or open wound in area",
        "Tell us if you have a cold sore, infection, warts or a wound there now",
    ),
    _yes_no(
        "active_inflamed_acne",
        "skin_now",
        "Do you have red, swollen or painful spots or lumps there now?",
        "Active inflammatory acne",
        "Tell us if you have red, swollen or painful spots there now",
    ),
    Question(
        "inflamed_acne_severity",
        "skin-now",
        "Are any of the spots large, deep, painful lumps or cysts under the skin?",
        "Inflammatory acne: lesion type",
        CHOICE,
        group="skin_now",
        required_message="Tell us if any of the spots are deep, painful lumps or cysts",
        options=(
            Option(
                "papules_pustules", "No, they are red spots or spots with pus", "Papules, pustules"
            ),
            Option("nodules_cysts", "Yes, some are deep lumps or cysts", "Nodules or cysts"),
            Option("not_sure", "I am not sure", "Not sure"),
        ),
        follows="active_inflamed_acne",
    ),
    _yes_no(
        "active_rosacea",
        "skin_now",
        "Do you have rosacea that is active now?",
        "Active rosacea",
        "Tell us if you have active rosacea",
        "Rosacea causes redness and flushing on the cheeks and nose, sometimes with small spots "
        "or tiny visible blood vessels.",
    ),
    _yes_no(
        "dermatitis_in_area",
        "skin_now",
        "Do you have eczema, psoriasis or dermatitis there?",
        "Eczema, psoriasis or dermatitis in area",
        "Tell us if you have eczema, psoriasis or dermatitis there",
    ),
    _yes_no(
        "melasma",
        "skin_now",
        "Do you have melasma, or think you might?",
        "Melasma",
        "Tell us if you have or might have melasma",
        "Melasma is patches of brown or grey-brown skin, usually on the cheeks, forehead or upper "
        "lip. It is common in pregnancy or with hormone medicines.",
    ),
    _yes_no(
        "suspicious_lesion",
        "skin_now",
        "Is there a mole or dark patch there that is new, changing, or that a doctor has not "
        "checked?",
        "Undiagnosed or changing pigmented lesion in area",
        "Tell us if there is a new, changing or unchecked mole or dark patch there",
    ),
    _yes_no(
        "cosmetic_tattoo_in_area",
        "skin_now",
        "Do you have any cosmetic tattooing on or near the area?",
        "Cosmetic tattoo in or near area",
        "Tell us if you have cosmetic tattooing on or near the area",
        "For example eyebrow embroidery or microblading, tattooed eyeliner, lip blush or a "
        "tattooed beauty spot. Semi-permanent make-up counts. Some lasers can turn it "
        "permanently dark.",
    ),
    _yes_no(
        "recent_tan",
        "skin_now",
        "In the last 4 weeks, have you had a suntan or sunburn, used a sunbed or used fake tan?",
        "Tan, sunburn, sunbed or self-tan within 4 weeks",
        "Tell us if you have had a tan, sunburn, sunbed or fake tan in the last 4 weeks",
        "This includes a tan from a beach holiday or outdoor sport.",
    ),
    _yes_no(
        "sun_exposure_next_4_weeks",
        "skin_now",
        "In the next 4 weeks, do you expect to spend a lot of time in strong sun?",
        "Significant sun exposure planned within 4 weeks",
        "Tell us if you expect to spend a lot of time in strong sun in the next 4 weeks",
        "For example more than about an hour a day outdoors between 10 am and 4 pm: outdoor "
        "work, outdoor sport, or a beach or island holiday. Sun on freshly treated skin can "
        "leave dark marks, so we may plan the dates around it.",
    ),
    # --- Step 4, page 3: previous treatments
    _yes_no(
        "injectable_last_2_weeks",
        "previous_treatments",
        "In the last 2 weeks, have you had fillers, skin boosters or anti-wrinkle injections "
        "(such as Botox) in your face?",
        "Filler, skin booster or botulinum toxin within 2 weeks",
        "Tell us if you have had injections in your face in the last 2 weeks",
    ),
    _yes_no(
        "resurfacing_in_area_last_4_weeks",
        "previous_treatments",
        "In the last 4 weeks, have you had a resurfacing treatment in the area?",
        "Resurfacing procedure in area within 4 weeks",
        "Tell us if you have had a resurfacing treatment in the area in the last 4 weeks",
        "Resurfacing means a treatment that works on the top layers of the skin: a laser or "
        "light treatment (including IPL or laser hair removal), a chemical peel, microneedling, "
        "radiofrequency or microdermabrasion.",
    ),
    _yes_no(
        "surgery_in_area_last_6_months",
        "previous_treatments",
        "In the last 6 months, have you had surgery or a thread lift in the area?",
        "Surgery or thread lift in area within 6 months",
        "Tell us if you have had surgery or a thread lift in the area in the last 6 months",
        "For example eyelid or nose surgery, a face lift, or a mole removed.",
    ),
    _yes_no(
        "hair_removal_in_area_last_7_days",
        "previous_treatments",
        "In the last 7 days, have you had waxing, threading or epilation in the area, or used "
        "a hair-removal cream there?",
        "Waxing, threading, epilation or depilatory cream in area within 7 days",
        "Tell us if you have removed hair from the area in the last 7 days",
        "Shaving does not count.",
    ),
    _yes_no(
        "pih_after_procedure",
        "previous_treatments",
        "After a skin treatment in the past, have you had dark patches that lasted more than a "
        "month?",
        "Post-inflammatory hyperpigmentation after a previous procedure",
        "Tell us if you have had dark patches after a skin treatment",
        "For example after a laser or IPL treatment, a chemical peel, microdermabrasion or a "
        "facial.",
        yes_label="Yes, or not sure",
    ),
    # --- Step 4, page 4: your health
    _yes_no(
        "hsv_history",
        "health",
        "Have you ever had cold sores?",
        "History of HSV (none active)",
        "Tell us if you have ever had cold sores",
        "Cold sores are small blisters on or near the lips, caused by a virus (herpes simplex). "
        "Answer yes even if you do not have one now.",
    ),
    _yes_no(
        "keloid_history",
        "health",
        "Do you get keloids, or raised, thick scars?",
        "Keloid or hypertrophic scarring (incl. after a procedure)",
        "Tell us if you get keloids or raised scars",
        "A keloid is a scar that grows bigger than the wound that caused it. Answer yes if it "
        "has happened after a piercing, an injury, acne or a skin treatment.",
    ),
    _yes_no(
        "immunosuppressed_or_poor_healing",
        "health",
        "Do you have a weakened immune system, or does your skin heal slowly?",
        "Immunosuppression or impaired wound healing",
        "Tell us if you have a weakened immune system or your skin heals slowly",
        "For example you take medicines that damp down the immune system (such as steroid "
        "tablets, methotrexate or medicines after a transplant), your diabetes is not well "
        "controlled, or cuts take a long time to heal.",
    ),
    _yes_no(
        "radiotherapy_to_area",
        "health",
        "Have you ever had radiotherapy to your face or the area?",
        "Radiotherapy to area (ever)",
        "Tell us if you have ever had radiotherapy to your face or the area",
        "Radiotherapy is radiation treatment, for example for cancer.",
    ),
    _yes_no(
        "vitiligo",
        "health",
        "Do you have vitiligo, or have you ever had it?",
        "Vitiligo (any site, ever)",
        "Tell us if you have or have ever had vitiligo",
        "Vitiligo causes patches where the skin loses its colour and turns white. Answer yes if "
        "you have had it anywhere on your body.",
        yes_label="Yes, or not sure",
    ),
    _yes_no(
        "photosensitive_disorder",
        "health",
        "Do you have a condition in which sunlight gives you a rash or makes you unwell?",
        "Photosensitive disorder (e.g. lupus, polymorphic light eruption, porphyria)",
        "Tell us if sunlight gives you a rash or makes you unwell",
        "For example lupus, polymorphic light eruption (a sun rash that keeps coming back) or "
        "porphyria.",
        yes_label="Yes, or not sure",
    ),
    _yes_no(
        "salicylate_allergy",
        "allergies",
        "Are you allergic to aspirin or salicylates?",
        "Salicylate or aspirin allergy",
        "Tell us if you are allergic to aspirin or salicylates",
        "Salicylic acid is used in some peels and acne products.",
    ),
    _yes_no(
        "has_allergies",
        "allergies",
        "Do you have any other allergies?",
        "Has allergies",
        "Tell us if you have any other allergies",
    ),
    Question(
        "allergies",
        "history",
        "What are you allergic to, and what happens?",
        "Allergies",
        TEXT,
        summary="Allergies",
        group="allergies",
        required_message="Tell us what you are allergic to",
        follows="has_allergies",
        empty="None",
        term_empty="None given",
    ),
)

BY_CODE: dict[str, Question] = {question.code: question for question in QUESTIONS}

# Composite rows: one label for answers shown together ("Name" is the first and last name).
NAME_LABEL = "Name"

# The practitioner's consent record, the printable summary's header and the like name the
# questionnaire's wording by this version; the FHIR Questionnaire's canonical name.
FHIR_NAME = "pore-treatment-intake"
FHIR_TITLE = "Pore treatment consultation intake"


def question(code: str) -> Question:
    """The question with this code (KeyError for an unknown code)."""
    return BY_CODE[code]


def questions_in(step: str, *, group: str | None = None) -> tuple[Question, ...]:
    """The questions of a step (and group), in the order they are asked."""
    return tuple(q for q in QUESTIONS if q.step == step and (group is None or q.group == group))


def groups_in(step: str) -> tuple[Group, ...]:
    return tuple(group for group in GROUPS if group.step == step)


def choices(code: str, audience: str = PATIENT) -> list[tuple[str | int, str]]:
    """(value, words) for a question's options, for a form or a model field."""
    return [
        (option.value, option.clinical if audience == CLINICIAN else option.label)
        for option in BY_CODE[code].options
    ]


def term(code: str, value: str | int) -> str:
    """The clinical term for one option of a question (model TextChoices labels)."""
    return BY_CODE[code].option_label(value, CLINICIAN)


def follow_ups() -> dict[str, str]:
    """Yes/no question -> the question that follows it up (asked only after "yes")."""
    return {q.follows: q.code for q in QUESTIONS if q.follows}


# The yes/no health questions the rules read, and their follow-ups, in the order the patient
# meets them (not the contract's order).
# (takes_other_medicines and has_allergies only open a text box: the rules do not read them.)
_OPENS_A_TEXT_BOX = {q.follows for q in QUESTIONS if q.follows and q.kind == TEXT}
HEALTH_QUESTION_CODES: tuple[str, ...] = tuple(
    q.code
    for q in QUESTIONS
    if q.step in HEALTH_STEPS and q.kind == BOOLEAN and q.code not in _OPENS_A_TEXT_BOX
)
RULES_FOLLOW_UP_CODES: tuple[str, ...] = tuple(
    q.code for q in QUESTIONS if q.step in HEALTH_STEPS and q.follows and q.kind == CHOICE
)


def questionnaire_fingerprint() -> str:
    """A hash of every step, group, question, option and self-test item, in order."""
    data = {
        "steps": [asdict(step) for step in STEPS],
        "step_terms": STEP_TERMS,
        "groups": [asdict(group) for group in GROUPS],
        "questions": [asdict(q) for q in QUESTIONS],
        "self_test": [asdict(item) for item in SELF_TEST],
        "texts": [
            NOT_ANSWERED,
            NOT_ANSWERED_TERM,
            SELF_TEST_TOGGLE,
            SELF_TEST_TOGGLE_HELP,
            SELF_TEST_REQUIRED,
            SELF_TEST_RESULT,
            SELF_TEST_RESULT_TERM,
            SELF_TEST_UNFINISHED,
            PHOTOTYPE_USED,
            PHOTOTYPE_PICKED_TERM,
            RECENT_TAN_FROM_SELF_TEST,
            NAME_LABEL,
            FHIR_TITLE,
        ],
    }
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


__all__ = [
    "CLINICIAN",
    "GROUPS",
    "PATIENT",
    "PHOTOTYPES",
    "QUESTIONNAIRE_FINGERPRINTS",
    "QUESTIONNAIRE_VERSION",
    "QUESTIONS",
    "ROMAN",
    "SELF_TEST",
    "STEPS",
    "Group",
    "Option",
    "Question",
    "SelfTestItem",
    "Step",
    "choices",
    "follow_ups",
    "question",
    "questionnaire_fingerprint",
    "questions_in",
]
