"""The patient intake's step forms: validation and cleaning only (services write).

Every question's words come from consultations/questionnaire.py. Field names are the contract's
codes where a field holds a contract answer. Every form takes `partial=True` for "back" and
"save and continue later": then nothing is required, but what was typed must still be valid.

Follow-up questions, and what happens to their answers when they stop applying:

- The 10-question skin-type self-test applies only while "Use my answers to these 10
  questions" is ticked. Unticked, its answers and score are cleared, the type is the patient's
  own pick and its source `self_report` (the radio buttons cannot be unticked without
  JavaScript, so the box, not the buttons, decides).
- The "which medicines" box applies only after "yes" to the other-medicines question, and the
  "what are you allergic to" box only after "yes" to the allergies question. Answering "no"
  clears the text. Both yes/no answers are stored, so a "yes" whose box is still empty (a
  partial save) comes back as "yes", in any browser.
- The main goal is never kept among the "anything else" goals as well. Without a main goal
  (a partial save) no goals are stored: another goal would otherwise become the main one.
- The self-test's last question doubles as the "recent tan" screen (R09): an exposure in the
  last month pre-answers the health step's `recent_tan` "yes", with a note saying why.

Pregnancy has no follow-up: "Yes, or not sure" is one answer, stored as yes (the contract).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from consultations import fitzpatrick, questionnaire
from consultations.consent import CONSENT_LABEL, DECLARATION_LABEL
from consultations.intake.fields import (
    EMAIL_MAX_LENGTH,
    DateOfBirthField,
    EmailAnswerField,
    choice_field,
    question_field,
    text_field,
    tick_box,
    yes_no_initial,
)
from consultations.models import (
    FREE_TEXT_MAX_LENGTH,
    NAME_MAX_LENGTH,
    Consultation,
    Goal,
)

PHONE_MAX_LENGTH = 30


class IntakeForm(forms.Form):
    """A form of the intake: its errors are summed up at the top, each a link to its field."""

    def error_links(self) -> list[tuple[str, str]]:
        """(element id, message) for the error summary, in the order the fields appear."""
        links: list[tuple[str, str]] = []
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
            # An ErrorList yields each message's text (typed more loosely in the stubs).
            links.extend((target, str(message)) for message in errors)
        return links


class StepForm(IntakeForm):
    """A step of the intake. `partial`: nothing is required (back, save and continue later)."""

    def __init__(self, *args: Any, partial: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partial = partial
        if partial:
            for field in self.fields.values():
                field.required = False


# --- Step 1: about you --------------------------------------------------------------------------


def _email_field() -> EmailAnswerField:
    question = questionnaire.question("email")
    return EmailAnswerField(
        label=question.text,
        max_length=EMAIL_MAX_LENGTH,
        help_text=question.help,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": question.required_message,
            "invalid": "Enter an email address in the right format, like name@example.com",
            "max_length": f"Email address must be {EMAIL_MAX_LENGTH} characters or fewer",
        },
    )


class AboutForm(StepForm):
    """Who the patient is and how to reach them."""

    first_name = text_field(
        "first_name",
        what="First name",
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "spellcheck": "false"}),
    )
    last_name = text_field(
        "last_name",
        what="Last name",
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
    )
    date_of_birth = DateOfBirthField(
        label=questionnaire.question("date_of_birth").text,
        help_text=questionnaire.question("date_of_birth").help,
    )
    email = _email_field()
    phone = text_field(
        "phone",
        what="Phone number",
        max_length=PHONE_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )

    def __init__(self, *args: Any, partial: bool = False, **kwargs: Any) -> None:
        # To save for later, only the email is needed (the link goes there); what else was
        # typed must still be valid. Going back from the first page saves nothing.
        super().__init__(*args, partial=partial, **kwargs)
        self.fields["email"].required = True

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"]
        if phone and not (
            all(char.isascii() and (char.isdigit() or char in "+-() ") for char in phone)
            and sum(char.isdigit() for char in phone) >= 6
        ):
            raise ValidationError(
                "Enter a phone number using numbers, spaces and + only, like +65 9123 4567",
                code="phone",
            )
        return phone


class SendLinkForm(IntakeForm):
    """ "Save and continue later": the address the private link goes to."""

    email = _email_field()


# --- Step 2: your skin --------------------------------------------------------------------------


def _test_field_name(code: str) -> str:
    return f"test_{code}"


def _self_test_fields() -> dict[str, forms.Field]:
    """The self-test's 10 questions, each answered only while the test is in use (see clean)."""
    fields: dict[str, forms.Field] = {}
    for number, item in enumerate(questionnaire.SELF_TEST, start=1):
        field = choice_field(
            label=f"{number}. {item.question}",
            help_text=item.help,
            choices=list(enumerate(item.answers)),
            coerce=int,
            empty_value=None,
            required_message=questionnaire.SELF_TEST_REQUIRED.format(number=number),
        )
        field.required = False
        fields[_test_field_name(item.code)] = field
    return fields


class SkinForm(StepForm):
    """Skin phototype (own pick and/or the self-test) and oiliness."""

    fitzpatrick_self_report = question_field("fitzpatrick_self_report")
    self_test = tick_box(
        label=questionnaire.SELF_TEST_TOGGLE, help_text=questionnaire.SELF_TEST_TOGGLE_HELP
    )
    sebum = question_field("sebum")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
        data = super().clean() or {}
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


# The self-test's questions, made once as declared fields are (each form copies them), and
# placed as the page shows them: oiliness before the self-test in the data, after it on the page.
_SELF_TEST_FIELDS = _self_test_fields()
SkinForm.base_fields = SkinForm.declared_fields = {
    "fitzpatrick_self_report": SkinForm.declared_fields["fitzpatrick_self_report"],
    "self_test": SkinForm.declared_fields["self_test"],
    **{name: _SELF_TEST_FIELDS[name] for name in SkinForm.test_fields()},
    "sebum": SkinForm.declared_fields["sebum"],
}


# --- Step 3: your goals -------------------------------------------------------------------------


def _other_goals_field() -> forms.MultipleChoiceField:
    question = questionnaire.question("other_goals")
    return forms.MultipleChoiceField(
        label=question.text,
        help_text=question.help,
        choices=questionnaire.choices("other_goals"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": question.required_message},
    )


class GoalsForm(StepForm):
    """The main goal, other goals, downtime and earlier treatments."""

    main_goal = question_field("goals")
    other_goals = _other_goals_field()
    downtime_tolerance = question_field("downtime_tolerance")
    previous_treatments = text_field(
        "previous_treatments",
        what="Previous treatments",
        max_length=FREE_TEXT_MAX_LENGTH,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        main = data.get("main_goal") or ""
        others = [
            goal for goal in Goal.values if goal in data.get("other_goals", []) and goal != main
        ]
        # The contract's ordered list: the main goal first, then the others, no repeats. No
        # main goal (a partial save): nothing to store, see services.intake._goals_values.
        data["goals"] = [main, *others] if main else []
        return data


# --- Step 4: health and medicines ---------------------------------------------------------------

# Follow-up questions: the text box applies only when its yes/no question is answered yes.
FOLLOW_UPS: dict[str, str] = questionnaire.follow_ups()

# A key of a health form's `initial`: "recent tan" was pre-answered from the self-test.
RECENT_TAN_FROM_SELF_TEST = "recent_tan_from_self_test"


class HealthForm(StepForm):
    """One page of the health questions (step 4): yes/no questions and their follow-ups.

    `step` is the page's slug; `health_form_for` makes one class per page.
    """

    step = "health"
    follow_ups: tuple[questionnaire.Question, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.initial.get(RECENT_TAN_FROM_SELF_TEST) and "recent_tan" in self.fields:
            tan = self.fields["recent_tan"]
            note = questionnaire.RECENT_TAN_FROM_SELF_TEST
            tan.help_text = f"{tan.help_text} {note}".strip()

    def groups(self) -> list[tuple[questionnaire.Group, list[tuple[forms.BoundField, str]]]]:
        """The questions under their headings, as the page shows them: (field, the question it
        follows up, or "")."""
        return [
            (
                group,
                [
                    (self[q.code], q.follows)
                    for q in questionnaire.questions_in(self.step, group=group.slug)
                ],
            )
            for group in questionnaire.groups_in(self.step)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for follow_up in self.follow_ups:
            answer, code = data.get(follow_up.follows), follow_up.code
            if answer is False:
                # "No": the follow-up no longer applies, so its answer is not kept.
                data[code] = ""
            elif answer and not data.get(code) and not self.partial and code not in self.errors:
                self.add_error(code, self.fields[code].error_messages["required"])
        return data


def _health_field(question: questionnaire.Question) -> forms.Field:
    field: forms.Field
    if question.kind == questionnaire.TEXT:
        field = text_field(question.code, what=question.term, max_length=FREE_TEXT_MAX_LENGTH)
    else:
        field = question_field(question.code)
    # Follow-ups are required after "yes" only (see clean).
    field.required = not question.follows
    return field


def health_form_for(step: str) -> type[HealthForm]:
    """The form class of one health page, its questions' fields made once (as declared)."""
    asked = questionnaire.questions_in(step)
    fields = {question.code: _health_field(question) for question in asked}
    follow_ups = tuple(question for question in asked if question.follows)
    return type(
        f"HealthForm_{step.replace('-', '_')}",
        (HealthForm,),
        {"step": step, "follow_ups": follow_ups, **fields},
    )


# --- Step 5: check your answers and consent -----------------------------------------------------


class ConsentForm(IntakeForm):
    """The privacy consent and the declaration; both are needed to submit."""

    consent = tick_box(
        label=CONSENT_LABEL,
        required_message="Tick the box to agree to how we use your answers",
    )
    declaration = tick_box(
        label=DECLARATION_LABEL,
        required_message="Tick the box to confirm that your answers are true",
    )


STEP_FORMS: dict[str, type[StepForm]] = {
    "about": AboutForm,
    "skin": SkinForm,
    "goals": GoalsForm,
    **{step: health_form_for(step) for step in questionnaire.HEALTH_STEPS},
}

ABOUT_FIELDS = ("first_name", "last_name", "date_of_birth", "email", "phone")


# --- Showing stored answers ---------------------------------------------------------------------


def initial_for(step: str, consultation: Consultation | None) -> dict[str, Any]:
    """A step form's initial values from the draft, so that going back shows what was given."""
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
    initial: dict[str, Any] = {}
    for question in questionnaire.questions_in(step):
        value = getattr(consultation, question.code)
        initial[question.code] = (
            yes_no_initial(value) if question.kind == questionnaire.BOOLEAN else value
        )
    if (
        step == "skin-now"
        and consultation.recent_tan is None
        and fitzpatrick.recent_sun_exposure(consultation.fitzpatrick_test_answers or {})
    ):
        initial["recent_tan"] = "yes"
        initial[RECENT_TAN_FROM_SELF_TEST] = True
    return initial
