"""The correction form: answers as found on examination, and the answers to questions the
patient was never asked (a consultation answered under an earlier questionnaire, R45)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import BoundField

from consultations import questionnaire, rules
from consultations.models import Consultation, ConsultationStatus
from consultations.questionnaire import CLINICIAN
from consultations.review.forms import FITZPATRICK_CHOICES, HiddenNumberField

YES_NO = [("yes", "Yes"), ("no", "No")]
ASKED_THE_PATIENT = "Asked the patient."


class CorrectionForm(forms.Form):
    """Answers as found on examination, and the answers to questions the patient was never
    asked (a consultation answered under an earlier questionnaire); pre-filled with the
    current answers."""

    lock_version = HiddenNumberField()
    # The evaluation the form was built on: after a conflict, what changed since is named.
    evaluation = HiddenNumberField(required=False)
    fitzpatrick = forms.TypedChoiceField(
        label=questionnaire.question("fitzpatrick").term, coerce=int, choices=FITZPATRICK_CHOICES
    )
    phototype_examined = forms.BooleanField(
        label="I have examined the skin in the treatment area, including its pigment, and "
        "confirm this phototype",
        required=False,
        help_text="The phototype is then recorded as the practitioner's. This lifts the "
        "rules' caution for an unexamined phototype (R32) and R16's “confirm the phototype at "
        "examination”, and changes nothing else. If you find melasma or a suspicious lesion, "
        "tick it below too.",
    )
    sebum = forms.ChoiceField(
        label=questionnaire.question("sebum").term,
        choices=questionnaire.choices("sebum", CLINICIAN),
    )
    note = forms.CharField(
        label="What examination showed (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        self.consultation = consultation
        self.unasked = consultation.unasked_codes
        # Decided: only the answers the patient was never asked can still be recorded.
        self.only_unasked = consultation.status == ConsultationStatus.DECIDED
        # Yes/no answers the patient gave: a tick for yes. Never asked: yes, no, or not yet.
        self.asked = [
            code
            for code in questionnaire.HEALTH_QUESTION_CODES
            if code not in self.unasked and getattr(consultation, code) is not None
        ]
        self.follow_ups = [code for code in rules.FOLLOW_UPS if code not in self.unasked]
        initial: dict[str, Any] = {
            field: getattr(consultation, field)
            for field in ("fitzpatrick", "sebum", *self.asked, *self.follow_ups)
        }
        initial["phototype_examined"] = consultation.fitzpatrick_source == "practitioner"
        initial["lock_version"] = consultation.lock_version
        initial["evaluation"] = consultation.latest_evaluation_id
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        for code in self.asked:
            term = questionnaire.question(code).term
            self.fields[code] = forms.BooleanField(label=term, required=False)
        for code in self.follow_ups:
            question = questionnaire.question(code)
            self.fields[code] = forms.ChoiceField(
                label=question.term,
                required=False,
                choices=[("", "Not applicable"), *questionnaire.choices(code, CLINICIAN)],
                help_text=f"Only after yes to “{questionnaire.question(question.follows).term}”.",
            )
        if self.only_unasked:
            for name in (
                "fitzpatrick",
                "phototype_examined",
                "sebum",
                *self.asked,
                *self.follow_ups,
            ):
                del self.fields[name]
            self.asked, self.follow_ups = [], []
        for code in self.unasked:
            question = questionnaire.question(code)
            choices = YES_NO if not question.options else questionnaire.choices(code, CLINICIAN)
            self.fields[f"ask_{code}"] = forms.ChoiceField(
                label=question.term,
                required=False,
                choices=[("", "Not asked yet"), *choices],
                widget=forms.RadioSelect,
                help_text=f"Ask: “{question.text}”",
            )

    def skin_fields(self) -> list[BoundField]:
        if self.only_unasked:
            return []
        return [self["fitzpatrick"], self["phototype_examined"], self["sebum"]]

    def health_fields(self) -> list[BoundField]:
        return [self[code] for code in [*self.asked, *self.follow_ups]]

    def unasked_fields(self) -> list[BoundField]:
        return [self[f"ask_{code}"] for code in self.unasked]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        answers = self._answers(data)
        current = rules.QUESTIONNAIRE_VERSIONS[-1]
        for code, (parent, _values) in rules.FOLLOW_UPS.items():
            name = code if code in self.follow_ups else f"ask_{code}"
            if name not in self.fields or name in self.errors:
                continue
            required = code in self.follow_ups and (
                self.consultation.questionnaire_version == current
                or getattr(self.consultation, code)
            )
            if answers.get(parent) and required and not answers.get(code):
                parent_term = questionnaire.question(parent).term
                self.add_error(name, f"Choose one: the answer to “{parent_term}” is yes.")
        return data

    def _answers(self, data: dict[str, Any]) -> dict[str, Any]:
        answers: dict[str, Any] = {
            field: data[field] for field in ("fitzpatrick", "sebum") if field in data
        }
        answers |= {code: data.get(code, False) for code in self.asked}
        answers |= {code: data.get(code) or "" for code in self.follow_ups}
        for code in self.unasked:
            value = data.get(f"ask_{code}") or ""
            if value:
                answers[code] = {"yes": True, "no": False}.get(value, value)
        return answers

    def changes(self) -> dict[str, Any]:
        changes = self._answers(self.cleaned_data)
        if self.cleaned_data.get("phototype_examined"):
            changes["fitzpatrick_source"] = "practitioner"
        return changes

    def asked_the_patient(self) -> bool:
        """Some of the answers are the patient's, to questions they had not been asked."""
        return any(self.cleaned_data.get(f"ask_{code}") for code in self.unasked)

    def note_text(self) -> str:
        note = str(self.cleaned_data["note"]).strip()
        if self.asked_the_patient():
            return f"{ASKED_THE_PATIENT} {note}".strip()
        return note
