"""Practitioner review forms: queue filters, answer corrections, decisions and amendments.

Validation and cleaning only; the services check the same invariants again under a row lock.
Labels use clinical terms: these pages are for practitioners, not patients.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.http import QueryDict

from consultations import questionnaire, rules
from consultations.aftercare import decline_message
from consultations.models import (
    Consultation,
    ConsultationStatus,
    Decision,
    DecisionOutcome,
    DecisionReason,
    Evaluation,
    Primary,
    Treatment,
)
from consultations.presenters import FLAG_TERMS
from consultations.questionnaire import CLINICIAN
from consultations.selectors import (
    ALL,
    NEWEST,
    OLDEST,
    STOP,
    STOP_FIRST,
    QueueFilters,
    default_sort,
)
from consultations.services.review import DecisionInput
from consultations.treatment_plans import PROTOCOLS

FITZPATRICK_CHOICES = questionnaire.choices("fitzpatrick", CLINICIAN)
# The queue's tabs, in the practitioners' words.
QUEUE_TABS = {
    ConsultationStatus.SUBMITTED: "Awaiting review",
    ConsultationStatus.DECIDED: "Decided",
    ConsultationStatus.WITHDRAWN: "Withdrawn",
}
SORT_LABELS = {OLDEST: "Oldest first", NEWEST: "Newest first", STOP_FIRST: "Stop flags first"}


# ASCII digits only: "²".isdigit() is True yet int("²") fails, and int() reads other scripts'
# digits. Eighteen digits fit a bigint (and stay far below int()'s limit on long strings).
_NUMBER = re.compile(r"[0-9]{1,18}")
# The hidden numbers the review forms carry: what the practitioner's page was built on.
HIDDEN_NUMBERS = ("evaluation", "lock_version", "decision")


def posted_number(value: object) -> int | None:
    """A hidden number as posted, or None when it is missing or not a plain number."""
    text = "" if value is None else str(value)
    return int(text) if _NUMBER.fullmatch(text) else None


def form_damaged(data: Any) -> bool:
    """A hidden number was posted but is not a plain number: the form was tampered with or
    mangled on the way (a missing one is an outdated or incomplete form, not a damaged one)."""
    return any(name in data and posted_number(data[name]) is None for name in HIDDEN_NUMBERS)


class HiddenNumberField(forms.IntegerField):
    """An id or lock version the page was built on, sent back unchanged."""

    widget = forms.HiddenInput

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        number = posted_number(value)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class QueueFilterForm(forms.Form):
    """The queue's filters (GET). An unknown value is ignored rather than shown as an error."""

    status = forms.ChoiceField(
        choices=[*QUEUE_TABS.items(), (ALL, "All")],
        required=False,
        widget=forms.HiddenInput,
    )
    flag = forms.ChoiceField(
        choices=[
            ("", "Any flag"),
            (STOP, "Any stop flag"),
            *((code, FLAG_TERMS[code]) for code in rules.FLAG_CODES),
        ],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    primary = forms.ChoiceField(
        label="Suggestion",
        choices=[("", "Any suggestion"), *Primary.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    q = forms.CharField(
        label="Reference or name",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
    sort = forms.ChoiceField(
        label="Order",
        choices=list(SORT_LABELS.items()),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, data: QueryDict) -> None:
        # The order shown is the one used: the tab's own until another is chosen. Stop flags
        # first is for the work list (Awaiting review), not for looking things up.
        data = data.copy()
        status = data.get("status")
        if status not in (*QUEUE_TABS, ALL):
            status = ConsultationStatus.SUBMITTED
        sort = data.get("sort")
        if sort not in SORT_LABELS or (
            sort == STOP_FIRST and status != ConsultationStatus.SUBMITTED
        ):
            data["sort"] = default_sort(status)
        super().__init__(data)
        if status != ConsultationStatus.SUBMITTED:
            self.fields["sort"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in SORT_LABELS.items() if value != STOP_FIRST
            ]

    def filters(self) -> QueueFilters:
        self.is_valid()
        data = {name: self.cleaned_data.get(name) or "" for name in self.fields}
        status = data["status"] or ConsultationStatus.SUBMITTED
        return QueueFilters(
            status=status,
            flag=data["flag"],
            primary=data["primary"],
            q=data["q"].strip(),
            sort="" if data["sort"] == default_sort(status) else data["sort"],
        )


DECLINED = "declined"
ANSWERS_MISSING = "ANSWERS_MISSING"
CHANGED_KEEP = ("choice", "reason_code", "notes", "amendment_reason", "patient_message")


@dataclass(frozen=True)
class DecisionOption:
    """One radio option of the decision form, with what the practitioner needs beside it."""

    value: str
    label: str
    kind: str  # accept, change, excluded or decline
    status: str
    constraints: tuple[str, ...]
    typical: str
    sessions: BoundField | None
    interval: BoundField | None
    checked: bool


def _plan_field(label: str, initial: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        initial=initial,
        widget=forms.NumberInput(
            attrs={"class": "form-control plan-input", "inputmode": "numeric"}
        ),
    )


class DecisionForm(forms.Form):
    """Accept the primary suggestion, change to another treatment, or decline/refer."""

    evaluation = HiddenNumberField()
    lock_version = HiddenNumberField()
    # No choice is made for the practitioner: signing off a suggestion is a deliberate act.
    choice = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a decision: accept the suggestion, choose another treatment, "
            "or decline or refer.",
            "invalid_choice": "Choose one of the options listed: the suggestion may have changed.",
        },
    )
    reason_code = forms.ChoiceField(
        label="Reason",
        required=False,
        choices=[("", "Choose a reason"), *DecisionReason.choices],
        help_text="Required when your decision differs from the suggestion.",
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen by clinic staff only. Required for 'Other' and for an override.",
    )
    patient_message = forms.CharField(
        label="Message to the patient (shown on their status page)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Plain words, no medical terms without an explanation. The box starts with "
        "the clinic's message for the reason you choose; change it as you need. Left empty, "
        "the patient reads that message.",
    )
    override_excluded = forms.BooleanField(
        label="I have examined the patient and choose this treatment although the rules "
        "excluded it.",
        required=False,
    )

    def __init__(
        self, *args: Any, consultation: Consultation, evaluation: Evaluation, **kwargs: Any
    ) -> None:
        self.consultation = consultation
        output = evaluation.output
        self.primary = output["primary"]
        self.suggested = {s["treatment"]: s for s in output["suggestions"]}
        self.excluded = {e["treatment"]: e for e in output["excluded"]}
        # Questions the patient was never asked (R45): no treatment until they are answered.
        self.answers_missing = any(f["code"] == ANSWERS_MISSING for f in output["flags"])
        # Made by an earlier ruleset: run the current rules again before deciding a treatment.
        self.evaluation_version = evaluation.ruleset_version
        self.outdated_rules = evaluation.ruleset_version != rules.RULESET_VERSION
        treatments_allowed = not (self.answers_missing or self.outdated_rules)
        initial = {"evaluation": evaluation.pk, "lock_version": consultation.lock_version}
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        choices = [
            (treatment, self._choice_label(treatment))
            for treatment in [*self.suggested, *self.excluded]
            if treatments_allowed
        ]
        # Kept as typed pairs for options(); the field's own `choices` reads back loosely typed.
        self.decision_choices = [*choices, (DECLINED, "Decline or refer: no treatment")]
        choice_field = self.fields["choice"]
        assert isinstance(choice_field, forms.ChoiceField)  # declared so above
        choice_field.choices = self.decision_choices
        for treatment, protocol in PROTOCOLS.items():
            self.fields[f"{treatment}_sessions"] = _plan_field("Sessions", protocol.sessions)
            self.fields[f"{treatment}_interval_weeks"] = _plan_field(
                "Weeks apart", protocol.interval_weeks
            )

    def _choice_label(self, treatment: str) -> str:
        name = Treatment(treatment).label
        if treatment == self.primary:
            return f"Accept the suggestion: {name}"
        if treatment in self.excluded:
            return f"Change to {name} (excluded by the rules: override)"
        return f"Change to {name}"

    def is_outdated(self) -> bool:
        """The form was built on another evaluation or lock version than the current ones."""
        return (
            posted_number(self.data.get("evaluation")) != self.consultation.latest_evaluation_id
            or posted_number(self.data.get("lock_version")) != self.consultation.lock_version
        )

    def options(self) -> list[DecisionOption]:
        checked = str(self["choice"].value() or "")
        options = []
        for value, label in self.decision_choices:
            suggestion = self.suggested.get(value)
            if value == DECLINED:
                kind = "decline"
            elif value in self.excluded:
                kind = "excluded"
            else:
                kind = "accept" if value == self.primary else "change"
            protocol = PROTOCOLS.get(value)
            options.append(
                DecisionOption(
                    value=value,
                    label=label,
                    kind=kind,
                    status=suggestion["status"] if suggestion else "",
                    constraints=tuple(suggestion["constraints"]) if suggestion else (),
                    typical=protocol.typical if protocol else "",
                    sessions=self[f"{value}_sessions"] if protocol else None,
                    interval=self[f"{value}_interval_weeks"] if protocol else None,
                    checked=value == checked,
                )
            )
        return options

    @property
    def has_excluded_options(self) -> bool:
        return bool(self.excluded) and not (self.answers_missing or self.outdated_rules)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns, typed as a dict
        choice = data.get("choice")
        if not choice:
            return data
        treatment = "" if choice == DECLINED else choice
        if choice == DECLINED:
            outcome = DecisionOutcome.DECLINED
        elif choice == self.primary:
            outcome = DecisionOutcome.ACCEPTED
        else:
            outcome = DecisionOutcome.CHANGED
        data["outcome"], data["treatment"] = outcome, treatment
        notes = data.get("notes", "").strip()
        data["notes"] = notes
        if outcome == DecisionOutcome.DECLINED:
            message = str(data.get("patient_message") or "").strip()
            data["patient_message"] = message or decline_message(data.get("reason_code") or "")
        else:
            data["patient_message"] = ""

        if outcome != DecisionOutcome.ACCEPTED and not data.get("reason_code"):
            self.add_error(
                "reason_code", "Choose a reason: your decision differs from the suggestion."
            )
        if data.get("reason_code") == DecisionReason.OTHER and not notes:
            self.add_error("notes", "Say why in the notes when the reason is 'Other'.")
        if treatment in self.excluded:
            if not data.get("override_excluded"):
                self.add_error(
                    "override_excluded",
                    f"The rules excluded {Treatment(treatment).label.lower()}. Tick to confirm "
                    "the override, or choose another option.",
                )
            if not notes:
                self.add_error("notes", "Explain the override in the notes.")
        else:
            data["override_excluded"] = False
        if treatment:
            self._clean_plan(treatment, data)
        return data

    def _clean_plan(self, treatment: str, data: dict[str, Any]) -> None:
        protocol = PROTOCOLS[treatment]
        checks = (
            ("sessions", "sessions", protocol.min_sessions, protocol.max_sessions),
            (
                "interval_weeks",
                "weeks between sessions",
                protocol.min_interval_weeks,
                protocol.max_interval_weeks,
            ),
        )
        for suffix, words, low, high in checks:
            name = f"{treatment}_{suffix}"
            value = data.get(name)
            if name in self.errors:
                continue
            if value is None:
                self.add_error(name, f"Enter the number of {words}.")
            elif not low <= value <= high:
                self.add_error(name, f"Enter {low} to {high} {words}.")

    def decision_input(self) -> DecisionInput:
        data = self.cleaned_data
        treatment = data["treatment"]
        return DecisionInput(
            outcome=data["outcome"],
            treatment=treatment,
            reason_code=data.get("reason_code") or "",
            notes=data["notes"],
            override_excluded=bool(data.get("override_excluded")),
            plan_sessions=data.get(f"{treatment}_sessions") if treatment else None,
            plan_interval_weeks=data.get(f"{treatment}_interval_weeks") if treatment else None,
            patient_message=data["patient_message"],
        )


class AmendForm(DecisionForm):
    """A new decision that replaces the current one; both stay on record."""

    decision = HiddenNumberField()
    amendment_reason = forms.CharField(
        label="Why are you amending the decision?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why you are amending the decision: it is kept with it."},
    )

    def __init__(
        self,
        *args: Any,
        consultation: Consultation,
        evaluation: Evaluation,
        current: Decision,
        **kwargs: Any,
    ) -> None:
        self.current = current
        initial: dict[str, Any] = {
            "decision": current.pk,
            "choice": current.treatment or DECLINED,
            "reason_code": current.reason_code,
            # What the patient reads now, to keep or change (never silently replaced).
            "patient_message": current.patient_message,
        }
        if current.treatment and current.plan_sessions:
            initial[f"{current.treatment}_sessions"] = current.plan_sessions
            initial[f"{current.treatment}_interval_weeks"] = current.plan_interval_weeks
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, consultation=consultation, evaluation=evaluation, **kwargs)

    def is_outdated(self) -> bool:
        return super().is_outdated() or posted_number(self.data.get("decision")) != self.current.pk


def kept_input(data: Any) -> dict[str, Any]:
    """What the practitioner typed, to show again after a conflict (never the override tick)."""
    names = [*CHANGED_KEEP]
    for treatment in PROTOCOLS:
        names += [f"{treatment}_sessions", f"{treatment}_interval_weeks"]
    return {name: data.get(name) for name in names if data.get(name) not in (None, "")}
