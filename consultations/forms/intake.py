"""The patient intake's step forms: validation and cleaning only (services write).

Field names are the contract's codes where a field holds a contract answer. Every form takes
`partial=True` for "back" and "save and continue later": then nothing is required, but what
was typed must still be valid. Messages are plain and say how to fix the answer.

Follow-up questions, and what happens to their answers when they stop applying:

- The 10-question skin-type self-test applies only while "Use my answers to these 10
  questions" is ticked. Unticked, its answers and score are cleared, the type is the patient's
  own pick and its source `self_report` (the radio buttons cannot be unticked without
  JavaScript, so the box, not the buttons, decides).
- "Which medicines?" applies only after "yes" to "Do you take any other medicines?", and
  "What are you allergic to?" only after "yes" to "Do you have any allergies?". Answering "no"
  clears the text. The yes/no itself has no column: a text means yes, and an empty text means
  no once the health step is complete. On a partial save ("back", "save and continue later")
  a "yes" whose box is still empty is remembered by the view in the browser's session (see
  views/intake.py) and passed to `initial_for`, so it comes back as "yes", not "no".
- The main goal is never kept among the "anything else" goals as well. Without a main goal
  (a partial save) no goals are stored: another goal would otherwise become the main one.
- The self-test's last question doubles as the "recent tan" screen (R09): an exposure in the
  last month pre-answers the health step's `recent_tan` "yes", with a note saying why.

Pregnancy has no follow-up: "Yes, or not sure" is one answer, stored as yes (the contract).
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, MaxLengthValidator
from django.utils import timezone

from consultations import fitzpatrick
from consultations.consent import CONSENT_LABEL, DECLARATION_LABEL
from consultations.models import (
    FREE_TEXT_MAX_LENGTH,
    HEALTH_FIELDS,
    NAME_MAX_LENGTH,
    Consultation,
    DowntimeTolerance,
    Goal,
    Patient,
    Sebum,
)
from consultations.rules.answers import MAX_AGE, MIN_AGE

EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 30
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

CONTROL_CHARACTERS_MESSAGE = (
    "%(what)s contains characters we cannot accept, such as hidden control characters. "
    "Please type it again."
)


# --- Shared fields ------------------------------------------------------------------------------


class PlainTextValidator:
    """Refuse NUL and other control characters (line breaks only where `multiline`)."""

    def __init__(self, what: str, *, multiline: bool) -> None:
        self.what = what
        self.allowed = {"\n", "\r", "\t"} if multiline else set()

    def __call__(self, value: str) -> None:
        if any(unicodedata.category(char) == "Cc" and char not in self.allowed for char in value):
            raise ValidationError(
                CONTROL_CHARACTERS_MESSAGE, code="control_characters", params={"what": self.what}
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainTextValidator) and vars(self) == vars(other)


class OneMessageMixin:
    """Run the validators in order and report only the first problem: one clear message."""

    validators: list[Any]

    def run_validators(self, value: Any) -> None:
        if value in self.empty_values:
            return
        for validator in self.validators:
            validator(value)


class TextAnswerField(OneMessageMixin, forms.CharField):
    """A typed answer: length-limited, with a plain message for each problem."""

    def __init__(
        self,
        *,
        what: str,
        max_length: int,
        required_message: str = "",
        multiline: bool = False,
        **kwargs: Any,
    ) -> None:
        if multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(
            max_length=max_length,
            error_messages={
                "required": required_message or f"Enter {what.lower()}",
                "max_length": f"{what} must be {max_length} characters or fewer "
                "(you entered %(show_value)d)",
            },
            **kwargs,
        )
        # Our validator also covers NUL, with a message a patient understands.
        self.validators = [
            PlainTextValidator(what, multiline=multiline),
            MaxLengthValidator(max_length, message=self.error_messages["max_length"]),
        ]


class EmailAnswerField(OneMessageMixin, forms.EmailField):
    """An email address; control characters get their own message before the format check."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [
            PlainTextValidator("Email address", multiline=False),
            MaxLengthValidator(EMAIL_MAX_LENGTH, message=self.error_messages["max_length"]),
            EmailValidator(message=self.error_messages["invalid"]),
        ]


def choice_field(
    *,
    label: str,
    choices: Any,
    required_message: str,
    help_text: str = "",
    coerce: Any = str,
    empty_value: Any = "",
) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=choices,
        coerce=coerce,
        empty_value=empty_value,
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


def _yes(value: str) -> bool:
    return value == "yes"


def yes_no_field(
    *, label: str, required_message: str, help_text: str = "", yes: str = "Yes"
) -> forms.TypedChoiceField:
    """A yes/no question as two radio buttons; the cleaned value is True, False or None."""
    field = choice_field(
        label=label,
        help_text=help_text,
        choices=[("yes", yes), ("no", "No")],
        required_message=required_message,
        coerce=_yes,
        empty_value=None,
    )
    field.widget.attrs["class"] = "yes-no"
    return field


def yes_no_initial(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


class DateOfBirthWidget(forms.MultiWidget):
    """Day, month and year as three boxes, so that any date (even 31 February) can be typed."""

    template_name = "consultations/intake/widgets/date_of_birth.html"
    use_fieldset = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        def part(size: int, autocomplete: str) -> forms.TextInput:
            return forms.TextInput(
                attrs={"inputmode": "numeric", "maxlength": size, "autocomplete": autocomplete}
            )

        super().__init__(
            {
                "day": part(2, "bday-day"),
                "month": part(2, "bday-month"),
                "year": part(4, "bday-year"),
            },
            attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        for subwidget, label, css in zip(
            context["widget"]["subwidgets"],
            ("Day", "Month", "Year"),
            ("intake-date-day", "intake-date-month", "intake-date-year"),
            strict=True,
        ):
            subwidget["label"] = label
            subwidget["css"] = css
        return context


class DateOfBirthField(forms.Field):
    """A date of birth from three boxes, with its own message for each way it can be wrong."""

    widget = DateOfBirthWidget
    default_error_messages = {
        "required": "Enter your date of birth",
        "incomplete": "Date of birth must include a day, a month and a year",
        "not_numbers": "Enter your date of birth using numbers only, for example 27 3 1990",
        "year": "Enter the year of your birth as 4 numbers, for example 1990",
        "month": "The month must be a number from 1 to 12",
        "day": "The day must be a number from 1 to 31",
        "impossible": "Date of birth must be a real date: there is no %(day)s %(month)s %(year)s",
        "future": "Date of birth must be in the past",
        "too_old": "Check the year of your birth: it makes you older than %(max)s",
        "under_18": (
            "You must be 18 or over to use this online form. If you are under 18, please book "
            "an appointment in person at the clinic."
        ),
    }

    def clean(self, value: Any) -> datetime.date | None:
        parts = list(value) if isinstance(value, list | tuple) else [value, None, None]
        parts = [str(part).strip() if part is not None else "" for part in (parts + [""] * 3)[:3]]
        if not any(parts):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        if not all(parts):
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        if not all(part.isascii() and part.isdigit() for part in parts):
            raise ValidationError(self.error_messages["not_numbers"], code="not_numbers")
        day, month, year = (int(part) for part in parts)
        if len(parts[2]) != 4:
            raise ValidationError(self.error_messages["year"], code="year")
        if not 1 <= month <= 12:
            raise ValidationError(self.error_messages["month"], code="month")
        if not 1 <= day <= 31:
            raise ValidationError(self.error_messages["day"], code="day")
        try:
            born = datetime.date(year, month, day)
        except ValueError:
            raise ValidationError(
                self.error_messages["impossible"],
                code="impossible",
                params={"day": day, "month": MONTHS[month - 1], "year": year},
            ) from None
        today = timezone.localdate()
        if born >= today:
            raise ValidationError(self.error_messages["future"], code="future")
        age = Patient(date_of_birth=born).age_on(today)
        if age > MAX_AGE:
            raise ValidationError(
                self.error_messages["too_old"], code="too_old", params={"max": MAX_AGE}
            )
        if age < MIN_AGE:
            raise ValidationError(self.error_messages["under_18"], code="under_18")
        return born


class StepForm(forms.Form):
    """A step of the intake. `partial`: nothing is required (back, save and continue later)."""

    template_name = "consultations/intake/_fields.html"

    def __init__(self, *args: Any, partial: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partial = partial
        if partial:
            for field in self.fields.values():
                field.required = False

    def error_links(self) -> list[tuple[str, str]]:
        """(element id, message) for the error summary, in the order the fields appear."""
        links = []
        for name, errors in self.errors.items():
            bound = self[name] if name in self.fields else None
            if bound is None:
                continue
            target = bound.auto_id
            widget = bound.field.widget
            if isinstance(
                widget, forms.MultiWidget | forms.RadioSelect | forms.CheckboxSelectMultiple
            ):
                target = f"{target}_0"
            links.extend((target, message) for message in errors)
        return links


# --- Step 1: about you --------------------------------------------------------------------------


class AboutForm(StepForm):
    """Who the patient is and how to reach them."""

    first_name = TextAnswerField(
        what="First name",
        max_length=NAME_MAX_LENGTH,
        required_message="Enter your first name",
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "spellcheck": "false"}),
    )
    last_name = TextAnswerField(
        what="Last name",
        max_length=NAME_MAX_LENGTH,
        required_message="Enter your last name",
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
    )
    date_of_birth = DateOfBirthField(
        label="Date of birth", help_text="For example, 27 3 1990. This form is for adults (18+)."
    )
    email = EmailAnswerField(
        label="Email address",
        max_length=EMAIL_MAX_LENGTH,
        help_text="We only use it to send you links to your consultation. "
        "We never email your answers.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the right format, like name@example.com",
            "max_length": f"Email address must be {EMAIL_MAX_LENGTH} characters or fewer",
        },
    )
    phone = TextAnswerField(
        what="Phone number",
        label="Phone number (optional)",
        max_length=PHONE_MAX_LENGTH,
        required=False,
        help_text="So that the clinic can call you about an appointment. Example: +65 9123 4567.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )

    def __init__(self, *args: Any, partial: bool = False, **kwargs: Any) -> None:
        # The first step creates the draft: it is always complete, even to save for later.
        super().__init__(*args, partial=False, **kwargs)

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        if phone and not (
            all(char.isascii() and (char.isdigit() or char in "+-() ") for char in phone)
            and sum(char.isdigit() for char in phone) >= 6
        ):
            raise ValidationError(
                "Enter a phone number using numbers, spaces and + only, like +65 9123 4567",
                code="phone",
            )
        return phone


# --- Step 2: your skin --------------------------------------------------------------------------


def _test_field_name(code: str) -> str:
    return f"test_{code}"


class SkinForm(StepForm):
    """Skin phototype (own pick and/or the self-test) and oiliness."""

    fitzpatrick_self_report = choice_field(
        label="Which description fits your skin best?",
        help_text="Think of how your skin reacts to strong sun without sunscreen. "
        "Not sure? Use “Help me work it out” below.",
        choices=fitzpatrick.PHOTOTYPES,
        coerce=int,
        empty_value=None,
        required_message="Choose the description that fits your skin best, "
        "or answer the 10 questions under “Help me work it out”",
    )
    self_test = forms.BooleanField(
        label="Use my answers to these 10 questions to work out my skin type",
        required=False,
        help_text="Untick this to use only the description you chose above.",
    )
    sebum = choice_field(
        label="How does your face look and feel 2 to 3 hours after washing it, with nothing on it?",
        choices=[
            (Sebum.DRY, "Dry: it feels tight or flaky and never looks shiny"),
            (Sebum.NORMAL, "Normal: it is rarely shiny"),
            (
                Sebum.OILY,
                "Oily: my forehead, nose and chin look shiny within a few hours, "
                "and I can see my pores",
            ),
            (
                Sebum.VERY_OILY,
                "Very oily: my whole face is shiny within 1 to 2 hours, I blot it several "
                "times a day and my pores often get blocked",
            ),
        ],
        required_message="Choose how your face looks and feels a few hours after washing",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, item in enumerate(fitzpatrick.ITEMS, start=1):
            self.fields[_test_field_name(item.code)] = choice_field(
                label=f"{number}. {item.question}",
                help_text=item.help_text,
                choices=list(enumerate(item.answers)),
                coerce=int,
                empty_value=None,
                required_message=f"Answer question {number} of the self-test, or untick "
                "“Use my answers to these 10 questions”",
            )
            self.fields[_test_field_name(item.code)].required = False
        # Oiliness before the self-test in the data, after it on the page: keep the order.
        self.order_fields(["fitzpatrick_self_report", "self_test", *self.test_fields(), "sebum"])
        if not self.partial:
            self.fields["fitzpatrick_self_report"].required = False

    @staticmethod
    def test_fields() -> list[str]:
        return [_test_field_name(code) for code in fitzpatrick.ITEM_CODES]

    def test_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.test_fields()]

    @property
    def self_test_open(self) -> bool:
        """Show the self-test unfolded: it is in use, or one of its answers has an error."""
        return bool(self["self_test"].value()) or any(
            name in self.errors for name in self.test_fields()
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        test_answers = {
            code: data.get(_test_field_name(code))
            for code in fitzpatrick.ITEM_CODES
            if data.get(_test_field_name(code)) is not None
        }
        data["test_answers"] = test_answers if data.get("self_test") else {}
        if self.partial:
            return data
        if data.get("self_test"):
            for code in fitzpatrick.ITEM_CODES:
                name = _test_field_name(code)
                if code not in test_answers and name not in self.errors:
                    self.add_error(name, self.fields[name].error_messages["required"])
        elif (
            data.get("fitzpatrick_self_report") is None
            and "fitzpatrick_self_report" not in self.errors
        ):
            self.add_error(
                "fitzpatrick_self_report",
                self.fields["fitzpatrick_self_report"].error_messages["required"],
            )
        return data


# --- Step 3: your goals -------------------------------------------------------------------------


class GoalsForm(StepForm):
    """The main goal, other goals, downtime and earlier treatments."""

    main_goal = choice_field(
        label="What would you most like to improve?",
        choices=Goal.choices,
        required_message="Choose the main thing you would like to improve",
    )
    other_goals = forms.MultipleChoiceField(
        label="Is there anything else you would like to improve? (optional)",
        help_text="Choose all that apply. You do not need to choose your main goal again.",
        choices=Goal.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose only from the goals listed"},
    )
    downtime_tolerance = choice_field(
        label="After a treatment, how much downtime would be acceptable to you?",
        help_text="Downtime is the time your skin may look red, dry or flaky afterwards.",
        choices=DowntimeTolerance.choices,
        required_message="Choose how much downtime would be acceptable to you",
    )
    previous_treatments = TextAnswerField(
        what="Previous treatments",
        label="Have you had any skin treatments before? (optional)",
        help_text="For example laser, chemical peels, microdermabrasion or injections, "
        "and roughly when.",
        max_length=FREE_TEXT_MAX_LENGTH,
        multiline=True,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        main = data.get("main_goal") or ""
        others = [
            goal for goal in Goal.values if goal in data.get("other_goals", []) and goal != main
        ]
        # The contract's ordered list: the main goal first, then the others, no repeats. No
        # main goal (a partial save): nothing to store, see services.intake._goals_values.
        data["goals"] = [main, *others] if main else []
        return data


# --- Step 4: health and medicines ---------------------------------------------------------------

# (code, question, help text, message when unanswered, label of "yes"), grouped as on the page.
HEALTH_GROUPS: tuple[tuple[str, str, tuple[tuple[str, str, str, str, str], ...]], ...] = (
    (
        "Pregnancy and breastfeeding",
        "We ask everyone these questions.",
        (
            (
                "pregnant",
                "Are you pregnant, or trying to get pregnant?",
                "If you are not sure, choose “Yes, or not sure”: we treat it as a yes to keep "
                "you safe.",
                "Tell us if you are pregnant or trying to get pregnant",
                "Yes, or not sure",
            ),
            (
                "breastfeeding",
                "Are you breastfeeding?",
                "",
                "Tell us if you are breastfeeding",
                "Yes",
            ),
        ),
    ),
    (
        "Medicines",
        "",
        (
            (
                "isotretinoin_last_6_months",
                "Are you taking isotretinoin tablets, or have you taken them in the last 6 months?",
                "Isotretinoin is a strong acne medicine taken by mouth. It is sold as "
                "Roaccutane, Accutane or Oratane, among other names.",
                "Tell us if you have taken isotretinoin tablets in the last 6 months",
                "Yes",
            ),
            (
                "photosensitising_meds",
                "Are you taking any medicine that makes your skin more sensitive to the sun?",
                "For example doxycycline or minocycline (antibiotics), hydrochlorothiazide "
                "(a water tablet), amiodarone (for the heart), St John’s wort, or psoralen "
                "tablets used with light treatment. The leaflet often says to avoid sunlight. "
                "If you are not sure, answer yes and name the medicine below.",
                "Tell us if you take a medicine that makes your skin sensitive to the sun",
                "Yes",
            ),
            (
                "topical_retinoid_last_7_days",
                "Have you used a retinoid cream, gel or serum on your face in the last 7 days?",
                "For example retinol, tretinoin (Retin-A), adapalene (Differin) or tazarotene.",
                "Tell us if you have used a retinoid on your face in the last 7 days",
                "Yes",
            ),
            (
                "anticoagulant_or_bleeding_disorder",
                "Do you take blood thinners, or do you have a bleeding disorder?",
                "Blood thinners include warfarin, apixaban, rivaroxaban, clopidogrel and daily "
                "aspirin. A bleeding disorder means you bleed or bruise very easily, for "
                "example haemophilia.",
                "Tell us if you take blood thinners or have a bleeding disorder",
                "Yes",
            ),
            (
                "systemic_gold_therapy_ever",
                "Have you ever had gold injections or gold tablets?",
                "Gold was used to treat rheumatoid arthritis. Answer yes even if it was many "
                "years ago.",
                "Tell us if you have ever had gold injections or tablets",
                "Yes",
            ),
            (
                "salicylate_allergy",
                "Are you allergic to aspirin or salicylates?",
                "Salicylic acid is used in some peels and acne products.",
                "Tell us if you are allergic to aspirin or salicylates",
                "Yes",
            ),
        ),
    ),
    (
        "Your skin now",
        "These questions are about the area of skin you would like treated.",
        (
            (
                "active_infection_or_cold_sore",
                "Do you have a cold sore, skin infection, warts or an open wound there now?",
                "",
                "Tell us if you have a cold sore, infection, warts or a wound there now",
                "Yes",
            ),
            (
                "active_inflamed_acne",
                "Do you have red, swollen or painful spots or lumps there now?",
                "",
                "Tell us if you have red, swollen or painful spots there now",
                "Yes",
            ),
            (
                "active_rosacea",
                "Do you have rosacea that is active now?",
                "Rosacea causes redness and flushing on the cheeks and nose, sometimes with "
                "small spots or tiny visible blood vessels.",
                "Tell us if you have active rosacea",
                "Yes",
            ),
            (
                "dermatitis_in_area",
                "Do you have eczema, psoriasis or dermatitis there?",
                "",
                "Tell us if you have eczema, psoriasis or dermatitis there",
                "Yes",
            ),
            (
                "melasma",
                "Do you have melasma, or think you might?",
                "Melasma is patches of brown or grey-brown skin, usually on the cheeks, forehead "
                "or upper lip. It is common in pregnancy or with hormone medicines.",
                "Tell us if you have or might have melasma",
                "Yes",
            ),
            (
                "suspicious_lesion",
                "Is there a mole or dark patch there that is new, changing, or that a doctor "
                "has not checked?",
                "",
                "Tell us if there is a new, changing or unchecked mole or dark patch there",
                "Yes",
            ),
            (
                "recent_tan",
                "In the last 4 weeks, have you had a suntan or sunburn, used a sunbed or used "
                "fake tan?",
                "This includes a tan from a beach holiday or outdoor sport.",
                "Tell us if you have had a tan, sunburn, sunbed or fake tan in the last 4 weeks",
                "Yes",
            ),
        ),
    ),
    (
        "Your health",
        "",
        (
            (
                "hsv_history",
                "Have you ever had cold sores?",
                "Cold sores are small blisters on or near the lips, caused by a virus (herpes "
                "simplex). Answer yes even if you do not have one now.",
                "Tell us if you have ever had cold sores",
                "Yes",
            ),
            (
                "keloid_history",
                "Do you get keloids, or raised, thick scars?",
                "A keloid is a scar that grows bigger than the wound that caused it.",
                "Tell us if you get keloids or raised scars",
                "Yes",
            ),
            (
                "immunosuppressed_or_poor_healing",
                "Do you have a weakened immune system, or does your skin heal slowly?",
                "For example you take medicines that damp down the immune system (such as "
                "steroid tablets, methotrexate or medicines after a transplant), your diabetes "
                "is not well controlled, or cuts take a long time to heal.",
                "Tell us if you have a weakened immune system or your skin heals slowly",
                "Yes",
            ),
        ),
    ),
)

# Follow-up questions: the text box applies only when its yes/no question is answered yes.
FOLLOW_UPS: dict[str, str] = {
    "takes_other_medicines": "other_medicines",
    "has_allergies": "allergies",
}

# A key of a health form's `initial`: "recent tan" was pre-answered from the self-test.
RECENT_TAN_FROM_SELF_TEST = "recent_tan_from_self_test"
RECENT_TAN_FROM_SELF_TEST_HELP = (
    "We have chosen “Yes” for you because in the skin type questions you said this area had "
    "strong sun, a sunbed or fake tan less than a month ago. Change it if that is not right."
)


class HealthForm(StepForm):
    """The 18 health answers of the contract, plus other medicines and allergies."""

    takes_other_medicines = yes_no_field(
        label="Do you take any other medicines, vitamins or supplements?",
        required_message="Tell us if you take any other medicines, vitamins or supplements",
    )
    other_medicines = TextAnswerField(
        what="Other medicines",
        label="Which medicines, vitamins or supplements do you take?",
        help_text="Include tablets, creams, injections and herbal remedies.",
        max_length=FREE_TEXT_MAX_LENGTH,
        multiline=True,
        required=False,
        required_message="Tell us which medicines, vitamins or supplements you take",
    )
    has_allergies = yes_no_field(
        label="Do you have any allergies?",
        required_message="Tell us if you have any allergies",
    )
    allergies = TextAnswerField(
        what="Allergies",
        label="What are you allergic to, and what happens?",
        max_length=FREE_TEXT_MAX_LENGTH,
        multiline=True,
        required=False,
        required_message="Tell us what you are allergic to",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        questions = {}
        for _title, _intro, group in HEALTH_GROUPS:
            for code, question, help_text, message, yes in group:
                questions[code] = yes_no_field(
                    label=question, help_text=help_text, required_message=message, yes=yes
                )
                questions[code].required = not self.partial
        self.fields = {**questions, **self.fields}
        assert set(questions) == set(HEALTH_FIELDS)
        if self.initial.get(RECENT_TAN_FROM_SELF_TEST):
            field = self.fields["recent_tan"]
            field.help_text = f"{field.help_text} {RECENT_TAN_FROM_SELF_TEST_HELP}".strip()

    def groups(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        return [
            (title, intro, [self[code] for code, *_ in group])
            for title, intro, group in HEALTH_GROUPS
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for question, text in FOLLOW_UPS.items():
            answer = data.get(question)
            if answer is False:
                # "No": the follow-up no longer applies, so its answer is not kept.
                data[text] = ""
            elif answer and not data.get(text) and not self.partial and text not in self.errors:
                self.add_error(text, self.fields[text].error_messages["required"])
        return data


# --- Step 5: check your answers and consent -----------------------------------------------------


class ConsentForm(forms.Form):
    """The privacy consent and the declaration; both are needed to submit."""

    consent = forms.BooleanField(
        label=CONSENT_LABEL,
        error_messages={"required": "Tick the box to agree to how we use your answers"},
    )
    declaration = forms.BooleanField(
        label=DECLARATION_LABEL,
        error_messages={"required": "Tick the box to confirm that your answers are true"},
    )

    error_links = StepForm.error_links


STEP_FORMS: dict[str, type[StepForm]] = {
    "about": AboutForm,
    "skin": SkinForm,
    "goals": GoalsForm,
    "health": HealthForm,
}


# --- Showing stored answers ---------------------------------------------------------------------


def initial_for(
    step: str,
    consultation: Consultation | None,
    *,
    follow_ups: Mapping[str, bool] | None = None,
) -> dict[str, Any]:
    """A step form's initial values from the draft, so that going back shows what was given.

    `follow_ups`: the yes/no answers to FOLLOW_UPS questions that this browser gave on a
    partial save of the health step (the draft cannot tell "yes, not typed yet" from "no").
    """
    if consultation is None:
        return {}
    if step == "about":
        patient = consultation.patient
        return {name: getattr(patient, name) for name in ABOUT_FIELDS}
    if step == "skin":
        test_answers = consultation.fitzpatrick_test_answers or {}
        return {
            "fitzpatrick_self_report": consultation.fitzpatrick_self_report,
            "self_test": bool(test_answers),
            "sebum": consultation.sebum,
            **{_test_field_name(code): value for code, value in test_answers.items()},
        }
    if step == "goals":
        goals = list(consultation.goals or [])
        return {
            "main_goal": goals[0] if goals else None,
            "other_goals": goals[1:],
            "downtime_tolerance": consultation.downtime_tolerance,
            "previous_treatments": consultation.previous_treatments,
        }
    initial: dict[str, Any] = {
        code: yes_no_initial(getattr(consultation, code)) for code in HEALTH_FIELDS
    }
    # Only a complete step's empty box means "no"; part-way through it may be a "yes" given in
    # another browser (a resume link), so the question is shown unanswered rather than "no".
    complete = all(getattr(consultation, code) is not None for code in HEALTH_FIELDS)
    remembered = follow_ups or {}
    for question, text in FOLLOW_UPS.items():
        value = getattr(consultation, text)
        if value:
            initial[question] = "yes"
        elif question in remembered:
            initial[question] = yes_no_initial(remembered[question])
        else:
            initial[question] = "no" if complete else None
        initial[text] = value
    if consultation.recent_tan is None and fitzpatrick.recent_sun_exposure(
        consultation.fitzpatrick_test_answers or {}
    ):
        initial["recent_tan"] = "yes"
        initial[RECENT_TAN_FROM_SELF_TEST] = True
    return initial


ABOUT_FIELDS = ("first_name", "last_name", "date_of_birth", "email", "phone")
NOT_ANSWERED = "Not answered yet"


def summary(consultation: Consultation) -> list[tuple[str, list[tuple[str, str]]]]:
    """(step, [(question, answer)]) for the "check your answers" page, in page order."""
    patient = consultation.patient
    born = patient.date_of_birth
    about = [
        ("Name", f"{patient.first_name} {patient.last_name}"),
        ("Date of birth", f"{born.day} {MONTHS[born.month - 1]} {born.year}"),
        ("Email address", patient.email),
        ("Phone number", patient.phone or "Not given"),
    ]

    phototypes = dict(fitzpatrick.PHOTOTYPES)
    own_pick = consultation.fitzpatrick_self_report
    if own_pick is None and consultation.fitzpatrick_score is None:
        # Records made outside the questionnaire (imports, demo data) hold only the type.
        own_pick = consultation.fitzpatrick
    skin = [
        (
            SkinForm.base_fields["fitzpatrick_self_report"].label,
            phototypes.get(own_pick, "Not chosen"),
        )
    ]
    if consultation.fitzpatrick_score is not None:
        tested = fitzpatrick.phototype_for_score(consultation.fitzpatrick_score)
        skin.append(
            (
                "Result of the 10-question self-test",
                f"Type {fitzpatrick.ROMAN[tested]} "
                f"(score {consultation.fitzpatrick_score} out of {fitzpatrick.MAX_SCORE})",
            )
        )
        if consultation.fitzpatrick_self_report not in (None, tested):
            skin.append(
                (
                    "Skin type we will use",
                    f"Type {fitzpatrick.ROMAN[consultation.fitzpatrick]}: when your choice "
                    "and the self-test differ, we use the darker type to keep you safe. "
                    "A practitioner will check your skin.",
                )
            )
    elif consultation.fitzpatrick_test_answers:
        skin.append(("10-question self-test", "Not finished"))
    sebum = dict(SkinForm.base_fields["sebum"].choices)
    skin.append(("How your skin feels after washing", sebum.get(consultation.sebum, NOT_ANSWERED)))

    goal_labels = dict(Goal.choices)
    goals = list(consultation.goals or [])
    goals_rows = [
        ("Main goal", goal_labels.get(goals[0], goals[0]) if goals else NOT_ANSWERED),
        (
            "Anything else",
            ", ".join(goal_labels.get(goal, goal) for goal in goals[1:]) or "Nothing else",
        ),
        (
            "Downtime you can accept",
            dict(DowntimeTolerance.choices).get(consultation.downtime_tolerance, NOT_ANSWERED),
        ),
        ("Previous treatments", consultation.previous_treatments or "None given"),
    ]

    health = []
    for _title, _intro, group in HEALTH_GROUPS:
        for code, question, _help, _message, yes in group:
            value = getattr(consultation, code)
            health.append((question, NOT_ANSWERED if value is None else (yes if value else "No")))
    health.append(
        ("Other medicines, vitamins or supplements", consultation.other_medicines or "None")
    )
    health.append(("Allergies", consultation.allergies or "None"))
    return [("about", about), ("skin", skin), ("goals", goals_rows), ("health", health)]
