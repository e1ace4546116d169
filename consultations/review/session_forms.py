"""The session record form, at the chair on a tablet: few required fields, large targets.

Only the chosen treatment's parameters are kept (the others are hidden on the page, and
anything typed there is dropped, never an error the practitioner cannot see). The peel agent
must be one the decision's rules' run allowed, or carry an explicit override with a reason.
Validation and cleaning only; services/sessions.py checks the same again under the row lock.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone

from consultations import rules
from consultations.models import AdverseEvent, CheckIn, Course, SessionRecord, Treatment
from consultations.presenters.course import ERYTHEMA_GRADES, FROSTING_GRADES
from consultations.review.forms import HiddenNumberField
from consultations.review.session_check_in_forms import OVERRIDE_FIELDS, CheckInOverrideForm
from consultations.services.sessions import SessionInput, allowed_peel_agents, input_of

# The parameters per treatment, and those required for each (few: it is typed at the chair).
PARAMETERS = {
    Treatment.LASER: (
        "laser_device",
        "laser_wavelength_nm",
        "laser_spot_mm",
        "laser_fluence_j_cm2",
        "laser_passes",
    ),
    Treatment.CHEMICAL_PEEL: (
        "peel_agent",
        "peel_concentration_pct",
        "peel_contact_minutes",
        "peel_layers",
        "peel_neutralisation",
        "agent_override_reason",
        "frosting",
    ),
    Treatment.MICRODERMABRASION: ("mda_tip", "mda_vacuum", "mda_passes"),
}
REQUIRED = {
    Treatment.LASER: {
        "laser_wavelength_nm": "Enter the wavelength in nm.",
        "laser_fluence_j_cm2": "Enter the fluence in J/cm².",
        "laser_passes": "Enter the number of passes.",
    },
    Treatment.CHEMICAL_PEEL: {
        "peel_agent": "Choose the peel agent.",
        "peel_concentration_pct": "Enter the concentration in %.",
        "peel_contact_minutes": "Enter the contact time in minutes.",
    },
    Treatment.MICRODERMABRASION: {
        "mda_tip": "Enter the tip used.",
        "mda_passes": "Enter the number of passes.",
    },
}
# A session recorded this long after it happened is most likely a typo in the date.
OLDEST_RECORD = datetime.timedelta(days=366)


def _text(label: str, max_length: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg"}),
        **kwargs,
    )


def _whole(label: str, low: int, high: int, unit: str = "") -> forms.IntegerField:
    words = f"{low} to {high}{unit}"
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        error_messages={
            "invalid": f"Enter a whole number, {words}.",
            "min_value": f"Enter {words}.",
            "max_value": f"Enter {words}.",
        },
        widget=forms.NumberInput(
            attrs={"class": "form-control form-control-lg", "inputmode": "numeric"}
        ),
    )


def _decimal(
    label: str, low: str, high: str, unit: str, max_digits: int, places: int
) -> forms.DecimalField:
    # Django fills its messages in with "%": a percent sign is written twice.
    words = f"{low} to {high}{unit}".replace("%", "%%")
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(low),
        max_value=Decimal(high),
        max_digits=max_digits,
        decimal_places=places,
        error_messages={
            "invalid": f"Enter a number, {words}.",
            "min_value": f"Enter {words}.",
            "max_value": f"Enter {words}.",
            "max_digits": f"Enter {words}.",
            "max_whole_digits": f"Enter {words}.",
            "max_decimal_places": f"Enter at most {places} decimal places.",
        },
        widget=forms.NumberInput(
            attrs={
                "class": "form-control form-control-lg",
                "inputmode": "decimal",
                "step": "any",
            }
        ),
    )


def _grades(label: str, grades: dict[int, str], required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        required=required,
        empty_value=None,
        choices=[(str(n), f"{n} {words}") for n, words in grades.items()],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={
            "required": f"Choose the {label.lower()}.",
            "invalid_choice": f"Choose the {label.lower()} from the grades listed.",
        },
    )


class PractitionerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class SessionRecordForm(CheckInOverrideForm):
    """What was done at a session and how the skin reacted; for a first record, why it went
    ahead without the patient's check-in when that does not cover it."""

    performed_on = forms.DateField(
        label="Date",
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-lg"}, format="%Y-%m-%d"
        ),
        error_messages={
            "required": "Enter the date of the session.",
            "invalid": "Enter a real date.",
        },
    )
    performed_by = PractitionerChoiceField(
        label="Performed by",
        queryset=User.objects.none(),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
        error_messages={
            "required": "Choose who performed the session.",
            "invalid_choice": "Choose a practitioner from the list.",
        },
    )
    treatment = forms.ChoiceField(
        label="Treatment performed",
        choices=Treatment.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={
            "required": "Choose the treatment performed.",
            "invalid_choice": "Choose one of the treatments listed.",
        },
    )
    laser_device = _text("Device", 100)
    laser_wavelength_nm = _whole("Wavelength (nm)", 400, 1100, " nm")
    laser_spot_mm = _decimal("Spot size (mm)", "1", "15", " mm", 4, 1)
    laser_fluence_j_cm2 = _decimal("Fluence (J/cm²)", "0.01", "20", " J/cm²", 6, 2)
    laser_passes = _whole("Passes", 1, 10)
    peel_agent = forms.ChoiceField(
        label="Agent",
        required=False,
        choices=[("", "Choose the agent"), *rules.PEEL_AGENT_LABELS.items()],
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
        error_messages={"invalid_choice": "Choose an agent from the list."},
    )
    peel_concentration_pct = _decimal("Concentration (%)", "1", "100", "%", 4, 1)
    peel_contact_minutes = _decimal("Contact time (minutes)", "0.5", "30", " minutes", 4, 1)
    peel_layers = _whole("Layers", 1, 10)
    peel_neutralisation = _text(
        "Neutralisation", 100, help_text="e.g. water, sodium bicarbonate, self-neutralising"
    )
    agent_override_reason = forms.CharField(
        label="Why an agent outside the allowed list",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text="Required only when the agent is not one the rules allowed for this patient.",
    )
    mda_tip = _text("Tip", 100, help_text="e.g. diamond, medium grit")
    mda_vacuum = _text("Vacuum", 50, help_text="e.g. low, medium, 25 kPa")
    mda_passes = _whole("Passes", 1, 10)
    erythema_grade = _grades("Erythema grade", ERYTHEMA_GRADES)
    frosting = _grades("Frosting", FROSTING_GRADES, required=False)
    pain = forms.TypedChoiceField(
        label="Pain (0 none to 10 worst)",
        coerce=int,
        choices=[(str(n), str(n)) for n in range(11)],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={
            "required": "Choose the pain score, 0 to 10.",
            "invalid_choice": "Choose a pain score from 0 to 10.",
        },
    )
    adverse_events = forms.MultipleChoiceField(
        label="Adverse events",
        required=False,
        choices=AdverseEvent.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="Leave all unticked when there were none.",
        error_messages={"invalid_choice": "Choose adverse events from the list."},
    )
    adverse_notes = forms.CharField(
        label="Adverse event notes",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text="Required for 'Other'.",
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(
        self,
        *args: Any,
        course: Course,
        user: User,
        practitioners: Any,
        record: SessionRecord | None = None,
        pre_check_in: CheckIn | None = None,
        **kwargs: Any,
    ) -> None:
        self.course = course
        # An amendment may keep the record's date, however long ago the session was.
        self.recorded_on = record.performed_on if record is not None else None
        self.allowed_agents = allowed_peel_agents(course)
        initial: dict[str, Any] = {
            "performed_on": timezone.localdate(),
            "performed_by": user.pk,
            "treatment": course.treatment,
        }
        if record is not None:
            values = input_of(record).columns()
            values["performed_by"] = values.pop("performed_by_id")
            initial = {**initial, **values}
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        # The check-in part is the first record's (an amendment changes what was done only).
        self.check_in_gate = record is None
        self.check_in_setup(pre_check_in)
        for name in OVERRIDE_FIELDS:
            moved = self.fields.pop(name)  # last on the page and in the error summary
            if self.check_in_gate:
                self.fields[name] = moved
        if not self.check_in_gate:
            self.check_in_gap_today = ""
        field = self.fields["performed_by"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = practitioners
        self.allowed_text = ", ".join(rules.PEEL_AGENT_LABELS[a] for a in self.allowed_agents)
        # Required for their treatment only: marked as required on the page all the same.
        for names in REQUIRED.values():
            for name in names:
                self.fields[name].widget.attrs["aria-required"] = "true"

    def clean_performed_on(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["performed_on"]
        today = timezone.localdate()
        if value > today:
            raise forms.ValidationError(
                "The date cannot be in the future: record a session once done."
            )
        if value < today - OLDEST_RECORD and value != self.recorded_on:
            raise forms.ValidationError("Enter a date within the last year.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        treatment = data.get("treatment")
        kept = set(PARAMETERS.get(treatment, ())) if treatment else set()
        # Parameters of another treatment are hidden on the page: dropped, never an error.
        for names in PARAMETERS.values():
            for name in set(names) - kept:
                self.errors.pop(name, None)
                data[name] = None
        # A number both too big and too long gets one message, not the same one twice.
        for name, errors in list(self.errors.items()):
            if len(set(errors)) < len(errors):
                self.errors[name] = self.error_class(list(dict.fromkeys(map(str, errors))))
        if not treatment:
            return data
        for name, message in REQUIRED[treatment].items():
            if data.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, message)
        if treatment != self.course.treatment and not str(data.get("notes") or "").strip():
            self.add_error(
                "notes",
                f"Say why {Treatment(treatment).label.lower()} was performed: the course is "
                f"{self.course.get_treatment_display().lower()}.",
            )
        agent = data.get("peel_agent")
        outside = treatment == Treatment.CHEMICAL_PEEL and agent not in self.allowed_agents
        if outside and agent and not str(data.get("agent_override_reason") or "").strip():
            self.add_error(
                "agent_override_reason",
                f"{rules.PEEL_AGENT_LABELS[agent].capitalize()} is not an agent the rules "
                f"allowed for this patient ({self.allowed_text or 'none allowed'}): say why "
                "you used it, or choose an allowed agent.",
            )
        if (
            AdverseEvent.OTHER in (data.get("adverse_events") or [])
            and not str(data.get("adverse_notes") or "").strip()
        ):
            self.add_error("adverse_notes", "Describe the adverse event when you tick 'Other'.")
        if self.check_in_gate:
            self.check_in_clean(data)
        return data

    def session_input(self) -> SessionInput:
        data = self.cleaned_data
        treatment = data["treatment"]
        peel = treatment == Treatment.CHEMICAL_PEEL

        def text(name: str) -> str:
            return str(data.get(name) or "").strip()

        return SessionInput(
            performed_on=data["performed_on"],
            performed_by_id=data["performed_by"].pk,
            treatment=treatment,
            erythema_grade=data["erythema_grade"],
            pain=data["pain"],
            frosting=(data.get("frosting") or 0) if peel else 0,
            laser_device=text("laser_device"),
            laser_wavelength_nm=data.get("laser_wavelength_nm"),
            laser_spot_mm=data.get("laser_spot_mm"),
            laser_fluence_j_cm2=data.get("laser_fluence_j_cm2"),
            laser_passes=data.get("laser_passes"),
            peel_agent=text("peel_agent"),
            peel_concentration_pct=data.get("peel_concentration_pct"),
            peel_contact_minutes=data.get("peel_contact_minutes"),
            peel_layers=data.get("peel_layers"),
            peel_neutralisation=text("peel_neutralisation"),
            # Kept only when it is needed: an allowed agent needs no override.
            agent_override_reason=text("agent_override_reason")
            if peel and data.get("peel_agent") not in self.allowed_agents
            else "",
            mda_tip=text("mda_tip"),
            mda_vacuum=text("mda_vacuum"),
            mda_passes=data.get("mda_passes"),
            adverse_events=tuple(sorted(data.get("adverse_events") or [])),
            adverse_notes=text("adverse_notes"),
            notes=text("notes"),
        )


class SessionAmendForm(SessionRecordForm):
    """A new record that replaces the one in force; both stay on record."""

    record = HiddenNumberField()
    amendment_reason = forms.CharField(
        label="Why are you amending this record?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={"required": "Say why you are amending the record: it is kept with it."},
    )

    def __init__(self, *args: Any, record: SessionRecord, **kwargs: Any) -> None:
        kwargs["initial"] = {"record": record.pk, **kwargs.get("initial", {})}
        super().__init__(*args, record=record, **kwargs)
