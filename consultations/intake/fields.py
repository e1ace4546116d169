"""Form fields for patients' answers: one clear message per problem, in plain words."""

from __future__ import annotations

import copy
import datetime
import unicodedata
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, MaxLengthValidator
from django.utils import timezone

from clinic.identity import current_clinic
from consultations import questionnaire
from consultations.models import Patient
from consultations.presenters.answers import MONTHS
from consultations.rules.answers import MAX_AGE, MIN_AGE

EMAIL_MAX_LENGTH = 254

CONTROL_CHARACTERS_MESSAGE = (
    "%(what)s contains characters we cannot accept, such as hidden control characters. "
    "Please type it again."
)
HIDDEN_CHARACTERS_MESSAGE = (
    "%(what)s contains hidden characters that change how text is shown, such as "
    "right-to-left marks or invisible spaces. Please type it again without copying and pasting."
)
# Unicode categories that show nothing, or change how the text around them is shown: format
# characters (right-to-left overrides, zero-width spaces and joiners), private use, surrogates,
# unassigned code points, and line and paragraph separators.
HIDDEN_CATEGORIES = {"Cf", "Co", "Cs", "Cn", "Zl", "Zp"}
# Letters that draw as blank space.
INVISIBLE_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
# Zero-width non-joiner and joiner: format characters that Persian, Indic scripts and emoji
# need ("علی‌رضا", "ශ්‍රී", a health worker emoji). Allowed only between two visible
# characters, where they change how those two join and nothing else.
JOINERS = {"\u200c", "\u200d"}


class PlainTextValidator:
    """Refuse NUL and other control characters (line breaks only where `multiline`), and
    characters that are invisible or reorder what staff see (a name shown back to front)."""

    def __init__(self, what: str, *, multiline: bool) -> None:
        self.what = what
        self.allowed = {"\n", "\r", "\t"} if multiline else set()

    def __call__(self, value: str) -> None:
        if any(unicodedata.category(char) == "Cc" and char not in self.allowed for char in value):
            raise ValidationError(
                CONTROL_CHARACTERS_MESSAGE, code="control_characters", params={"what": self.what}
            )
        if any(_hidden(value, index) for index in range(len(value))):
            raise ValidationError(
                HIDDEN_CHARACTERS_MESSAGE, code="hidden_characters", params={"what": self.what}
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainTextValidator) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((self.what, frozenset(self.allowed)))


def _hidden(value: str, index: int) -> bool:
    """The character at `index` is invisible, or reorders text, where it stands."""
    char = value[index]
    if char not in JOINERS:
        return _invisible(char)
    if index == 0 or index == len(value) - 1:
        return True
    return any(_shows_nothing(value[i]) for i in (index - 1, index + 1))


def _invisible(char: str) -> bool:
    return unicodedata.category(char) in HIDDEN_CATEGORIES or char in INVISIBLE_LETTERS


def _shows_nothing(char: str) -> bool:
    return char.isspace() or char in JOINERS or _invisible(char)


class OneMessageMixin:
    """Run the validators in order and report only the first problem: one clear message."""

    validators: list[Any]
    empty_values: Sequence[Any]

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


class TickBox(forms.CheckboxInput):
    """A checkbox that counts as ticked only when the browser sent what a ticked box sends.

    Django's own takes any value but "false" or "0" as ticked, so a request saying "off",
    "no" or "0" to the consent box would have counted as consent.
    """

    def value_from_datadict(self, data: Any, files: Any, name: str) -> bool:
        return bool(data.get(name) == "on")


def tick_box(*, label: str, required_message: str = "", **kwargs: Any) -> forms.BooleanField:
    """A box to tick; with `required_message`, one that must be ticked."""
    error_messages = {"required": required_message} if required_message else {}
    return forms.BooleanField(
        label=label,
        widget=TickBox,
        required=bool(required_message),
        error_messages=error_messages,
        **kwargs,
    )


class RadioChoiceField(forms.TypedChoiceField):
    """One answer out of a fixed list, as radio buttons.

    Each form copies its fields; Django's copy of a choice field also copies its list of
    choices, twice (the field's and the widget's), and checks every choice again on the way.
    These lists never change once made, so the copies share them.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> RadioChoiceField:
        result = copy.copy(self)
        memo[id(self)] = result
        result.widget = copy.copy(self.widget)
        result.widget.attrs = self.widget.attrs.copy()
        memo[id(self.widget)] = result.widget
        result.error_messages = self.error_messages.copy()
        result.validators = self.validators[:]
        return result


def choice_field(
    *,
    label: str,
    choices: Any,
    required_message: str,
    help_text: str = "",
    coerce: Any = str,
    empty_value: Any = "",
) -> forms.TypedChoiceField:
    return RadioChoiceField(
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


def yes_no_initial(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def question_field(code: str) -> forms.Field:
    """The form field that asks a questionnaire question, in the questionnaire's words.

    Yes/no questions are two radio buttons whose cleaned value is True, False or None; choices
    are radio buttons; texts are boxes limited to their column's length.
    """
    question = questionnaire.question(code)
    if question.kind == questionnaire.BOOLEAN:
        field = choice_field(
            label=question.text,
            help_text=question.help,
            choices=[("yes", question.yes_label), ("no", "No")],
            required_message=question.required_message,
            coerce=_yes,
            empty_value=None,
        )
        field.widget.attrs["class"] = "yes-no"
        return field
    if question.kind == questionnaire.CHOICE:
        numeric = all(isinstance(value, int) for value in question.values)
        return choice_field(
            label=question.text,
            help_text=question.help,
            choices=questionnaire.choices(code),
            required_message=question.required_message,
            coerce=int if numeric else str,
            empty_value=None if numeric else "",
        )
    raise ValueError(f"{code} is not asked with radio buttons")


def text_field(code: str, *, what: str, max_length: int, **kwargs: Any) -> TextAnswerField:
    """A text box for a questionnaire question (`what` names it in error messages)."""
    question = questionnaire.question(code)
    kwargs.setdefault("label", question.text)
    return TextAnswerField(
        what=what,
        max_length=max_length,
        help_text=question.help,
        required_message=question.required_message,
        multiline=question.kind == questionnaire.TEXT,
        **kwargs,
    )


class DateOfBirthWidget(forms.MultiWidget):
    """Day, month and year as three boxes, so that any date (even 31 February) can be typed."""

    template_name = "intake/widgets/date_of_birth.html"
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
        "required": questionnaire.question("date_of_birth").required_message,
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
            "an appointment in person at the clinic: call %(phone)s."
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
        # A number too long to be a day, month or year (Python refuses to convert one over
        # 4,300 digits at all) is out of range like any other: the range checks below say so.
        day, month, year = (
            int(part.lstrip("0") or "0") if len(part.lstrip("0")) <= 9 else 10**9 for part in parts
        )
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
            raise ValidationError(
                self.error_messages["under_18"],
                code="under_18",
                params={"phone": current_clinic().phone},
            )
        return born
