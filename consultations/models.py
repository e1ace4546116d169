"""The clinic's records: patients, their consultations, rule evaluations and decisions.

Answer fields are named after the codes of the intake contract (shared docs,
intake-contract.md), so a field here, a form field, a JSON key and a FHIR linkId are one name.
Database constraints carry the invariants; services.py is the only code that writes.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from consultations import rules
from consultations.questionnaire import QUESTIONNAIRE_VERSION, term

# Crockford base32 without the letters people confuse (I, L, O, U) for references read aloud.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_PREFIX = "PX-"
REFERENCE_LENGTH = 5


def new_reference() -> str:
    return REFERENCE_PREFIX + "".join(
        secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH)
    )


def new_public_token() -> str:
    """An unguessable token (192 bits) for the patient's private links."""
    return secrets.token_urlsafe(24)


def choices_check(field: str, choices: type[models.Choices], *, name: str, blank: bool = False):
    """A named check constraint that keeps a text column inside its TextChoices."""
    condition = Q(**{f"{field}__in": choices.values})
    if blank:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=name)


class Treatment(models.TextChoices):
    LASER = "laser", "Picosecond laser"
    CHEMICAL_PEEL = "chemical_peel", "Chemical peel"
    MICRODERMABRASION = "microdermabrasion", "Microdermabrasion"


class Primary(models.TextChoices):
    """What the rules suggest first: a treatment, or no automatic suggestion."""

    LASER = "laser", Treatment.LASER.label
    CHEMICAL_PEEL = "chemical_peel", Treatment.CHEMICAL_PEEL.label
    MICRODERMABRASION = "microdermabrasion", Treatment.MICRODERMABRASION.label
    DEFER = "defer_to_practitioner", "Defer to practitioner"


# Answer vocabularies: the codes are the contract's, the labels the clinical terms of the
# questionnaire (consultations/questionnaire.py holds every wording once).


class Sebum(models.TextChoices):
    DRY = "dry", term("sebum", "dry")
    NORMAL = "normal", term("sebum", "normal")
    OILY = "oily", term("sebum", "oily")
    VERY_OILY = "very_oily", term("sebum", "very_oily")


class Goal(models.TextChoices):
    PORE_SIZE = "pore_size", term("goals", "pore_size")
    OILINESS = "oiliness", term("goals", "oiliness")
    TEXTURE = "texture", term("goals", "texture")
    TONE_PIGMENTATION = "tone_pigmentation", term("goals", "tone_pigmentation")
    ACNE_SCARS = "acne_scars", term("goals", "acne_scars")
    FINE_LINES = "fine_lines", term("goals", "fine_lines")


class FitzpatrickSource(models.TextChoices):
    SELF_REPORT = "self_report", term("fitzpatrick_source", "self_report")
    QUESTIONNAIRE = "questionnaire", term("fitzpatrick_source", "questionnaire")
    PRACTITIONER = "practitioner", term("fitzpatrick_source", "practitioner")


class DowntimeTolerance(models.TextChoices):
    NONE = "none", term("downtime_tolerance", "none")
    FEW_DAYS = "few_days", term("downtime_tolerance", "few_days")
    WEEK_OR_MORE = "week_or_more", term("downtime_tolerance", "week_or_more")


# The boolean health answers of the contract, in contract order. Each maps 1:1 to a flag.
HEALTH_FIELDS = rules.BOOLEAN_FIELDS

NAME_MAX_LENGTH = 100
FREE_TEXT_MAX_LENGTH = 1000


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    DECIDED = "decided", "Decided"
    WITHDRAWN = "withdrawn", "Withdrawn"


class EvaluationTrigger(models.TextChoices):
    SUBMISSION = "submission", "Patient submitted"
    CORRECTION = "correction", "Practitioner corrected answers"
    RERUN = "rerun", "Re-run"


class Severity(models.TextChoices):
    STOP = "stop", "Stop"
    CAUTION = "caution", "Caution"
    INFO = "info", "Info"


class DecisionOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted the suggestion"
    CHANGED = "changed", "Chose another treatment"
    DECLINED = "declined", "Declined / referred"


class DecisionReason(models.TextChoices):
    SKIN_TYPE_CORRECTED = "skin_type_corrected", "Skin type corrected on examination"
    CONTRAINDICATION_ON_EXAMINATION = (
        "contraindication_on_examination",
        "Contraindication found on examination",
    )
    PATIENT_PREFERENCE = "patient_preference", "Patient preference"
    CLINICAL_JUDGEMENT = "clinical_judgement", "Clinical judgement"
    REFER_TO_DOCTOR = "refer_to_doctor", "Refer to a doctor"
    OTHER = "other", "Other (see notes)"


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed a consultation"
    CORRECT = "correct", "Corrected answers"
    DECIDE = "decide", "Recorded a decision"
    AMEND = "amend", "Amended a decision"
    EXPORT_CSV = "export_csv", "Exported CSV"
    EXPORT_FHIR = "export_fhir", "Exported FHIR"
    PRINT = "print", "Printed a summary"
    ANONYMISE = "anonymise", "Anonymised a patient"


class Patient(models.Model):
    """A person who filled in the intake; contact details only, health answers live on the
    consultation."""

    first_name = models.CharField(max_length=NAME_MAX_LENGTH)
    last_name = models.CharField(max_length=NAME_MAX_LENGTH)
    date_of_birth = models.DateField()
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="patient_name_idx")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: datetime.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def sent(self) -> ConsultationQuerySet:
        """Consultations the patient has sent: drafts are theirs alone."""
        return self.exclude(status=ConsultationStatus.DRAFT)

    def drafts(self) -> ConsultationQuerySet:
        return self.filter(status=ConsultationStatus.DRAFT)

    def search(self, q: str) -> ConsultationQuerySet:
        """A reference (whole or part) or every word of the patient's name."""
        by_name = Q()
        for word in q.split():
            by_name &= Q(patient__first_name__icontains=word) | Q(
                patient__last_name__icontains=word
            )
        return self.filter(Q(reference__icontains=q) | by_name)

    def for_queue(self, *, flag: str = "", primary: str = "", q: str = "") -> ConsultationQuerySet:
        """The queue's filters: a flag code (or "stop": any stop flag), the rules' primary
        suggestion, and a search."""
        consultations = self
        if flag == "stop":
            consultations = consultations.filter(latest_evaluation__has_stop_flag=True)
        elif flag:
            consultations = consultations.filter(
                Exists(
                    EvaluationFinding.objects.filter(
                        evaluation=OuterRef("latest_evaluation"), flag=flag
                    )
                )
            )
        if primary:
            consultations = consultations.filter(latest_evaluation__primary=primary)
        if q:
            consultations = consultations.search(q)
        return consultations


class Consultation(models.Model):
    """One intake questionnaire: the patient's answers, from draft to decision."""

    Status = ConsultationStatus

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consultations")
    reference = models.CharField(max_length=12, default=new_reference, editable=False)
    public_token = models.CharField(max_length=64, default=new_public_token, editable=False)
    status = models.CharField(
        max_length=16, choices=ConsultationStatus.choices, default=ConsultationStatus.DRAFT
    )
    questionnaire_version = models.CharField(max_length=16, default=QUESTIONNAIRE_VERSION)
    # Bumped by every write that changes what a practitioner decides on (answers corrected,
    # rules re-run, decision recorded): a decision form carries it for an optimistic check.
    lock_version = models.PositiveIntegerField(default=0)

    # --- Your skin
    fitzpatrick = models.PositiveSmallIntegerField(null=True, blank=True)
    fitzpatrick_source = models.CharField(
        max_length=16, choices=FitzpatrickSource.choices, blank=True
    )
    fitzpatrick_self_report = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The type the patient picked from the six descriptions."
    )
    fitzpatrick_score = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Self-test total, 0-40, when the patient took it."
    )
    fitzpatrick_test_answers = models.JSONField(default=dict, blank=True)
    sebum = models.CharField(max_length=16, choices=Sebum.choices, blank=True)

    # --- Your goals (ordered: the first is the main goal)
    goals = models.JSONField(default=list, blank=True)
    downtime_tolerance = models.CharField(
        max_length=16, choices=DowntimeTolerance.choices, blank=True
    )
    previous_treatments = models.TextField(max_length=FREE_TEXT_MAX_LENGTH, blank=True)

    # --- Health and medicines (null: not answered yet)
    pregnant = models.BooleanField(null=True)
    breastfeeding = models.BooleanField(null=True)
    isotretinoin_last_6_months = models.BooleanField(null=True)
    active_infection_or_cold_sore = models.BooleanField(null=True)
    hsv_history = models.BooleanField(null=True)
    keloid_history = models.BooleanField(null=True)
    photosensitising_meds = models.BooleanField(null=True)
    recent_tan = models.BooleanField(null=True)
    active_inflamed_acne = models.BooleanField(null=True)
    salicylate_allergy = models.BooleanField(null=True)
    topical_retinoid_last_7_days = models.BooleanField(null=True)
    active_rosacea = models.BooleanField(null=True)
    dermatitis_in_area = models.BooleanField(null=True)
    anticoagulant_or_bleeding_disorder = models.BooleanField(null=True)
    systemic_gold_therapy_ever = models.BooleanField(null=True)
    melasma = models.BooleanField(null=True)
    immunosuppressed_or_poor_healing = models.BooleanField(null=True)
    suspicious_lesion = models.BooleanField(null=True)
    # Not read by the rules. The box under each yes/no question applies only after "yes".
    takes_other_medicines = models.BooleanField(null=True)
    other_medicines = models.TextField(max_length=FREE_TEXT_MAX_LENGTH, blank=True)
    has_allergies = models.BooleanField(null=True)
    allergies = models.TextField(max_length=FREE_TEXT_MAX_LENGTH, blank=True)

    # Derived from the date of birth when the consultation is submitted.
    age = models.PositiveSmallIntegerField(null=True, blank=True)

    latest_evaluation = models.ForeignKey(
        "Evaluation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("review_consultation", "Can review consultations and record decisions"),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="consultation_queue_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="consultation_unique_reference"),
            models.UniqueConstraint(fields=["public_token"], name="consultation_unique_token"),
            choices_check("status", ConsultationStatus, name="consultation_valid_status"),
            choices_check(
                "fitzpatrick_source",
                FitzpatrickSource,
                name="consultation_valid_fitzpatrick_source",
                blank=True,
            ),
            choices_check("sebum", Sebum, name="consultation_valid_sebum", blank=True),
            choices_check(
                "downtime_tolerance",
                DowntimeTolerance,
                name="consultation_valid_downtime_tolerance",
                blank=True,
            ),
            models.CheckConstraint(
                condition=Q(fitzpatrick__isnull=True) | Q(fitzpatrick__range=(1, 6)),
                name="consultation_fitzpatrick_1_to_6",
            ),
            models.CheckConstraint(
                condition=Q(fitzpatrick_self_report__isnull=True)
                | Q(fitzpatrick_self_report__range=(1, 6)),
                name="consultation_fitzpatrick_self_report_1_to_6",
            ),
            models.CheckConstraint(
                condition=Q(fitzpatrick_score__isnull=True) | Q(fitzpatrick_score__range=(0, 40)),
                name="consultation_fitzpatrick_score_0_to_40",
            ),
            models.CheckConstraint(
                condition=Q(age__isnull=True) | Q(age__gte=18),
                name="consultation_adults_only",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (
                    Q(fitzpatrick__isnull=False, age__isnull=False, submitted_at__isnull=False)
                    & ~Q(fitzpatrick_source="")
                    & ~Q(sebum="")
                    & Q(**{f"{name}__isnull": False for name in HEALTH_FIELDS})
                ),
                name="consultation_submitted_has_all_answers",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(takes_other_medicines__isnull=False, has_allergies__isnull=False),
                name="consultation_submitted_has_follow_up_questions",
            ),
            # A follow-up's text only after "yes" (erasure blanks the text, keeping the "yes").
            models.CheckConstraint(
                condition=Q(other_medicines="") | Q(takes_other_medicines=True),
                name="consultation_medicines_only_after_yes",
            ),
            models.CheckConstraint(
                condition=Q(allergies="") | Q(has_allergies=True),
                name="consultation_allergies_only_after_yes",
            ),
            models.CheckConstraint(
                condition=~Q(status="decided") | Q(decided_at__isnull=False),
                name="consultation_decided_has_decided_at",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_editable_by_patient(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def primary_goal(self) -> str | None:
        return self.goals[0] if self.goals else None


class Evaluation(models.Model):
    """One run of the rules on a consultation. Rows are never edited; a re-run is a new row."""

    Trigger = EvaluationTrigger

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="evaluations"
    )
    answers = models.JSONField(help_text="The answers exactly as the rules saw them.")
    output = models.JSONField(help_text="The rules' output, as the suggest command prints it.")
    ruleset_version = models.CharField(max_length=32)
    primary = models.CharField(max_length=32, choices=Primary.choices)
    has_stop_flag = models.BooleanField(default=False)
    trigger = models.CharField(
        max_length=16, choices=EvaluationTrigger.choices, default=EvaluationTrigger.SUBMISSION
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the rules ran on the patient's submission.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]
        constraints = [
            choices_check("primary", Primary, name="evaluation_valid_primary"),
            choices_check("trigger", EvaluationTrigger, name="evaluation_valid_trigger"),
        ]

    def __str__(self) -> str:
        return f"{self.consultation.reference} · rules {self.ruleset_version} · {self.primary}"


class EvaluationFinding(models.Model):
    """A rule that fired in an evaluation, with the flag it raised (if any).

    Derived from Evaluation.output when the evaluation is stored, so that the queue can filter
    by flag and the analytics can count per rule with plain aggregate queries.
    """

    Severity = Severity  # noqa: PIE794

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="findings")
    rule = models.CharField(max_length=8)
    flag = models.CharField(max_length=40, blank=True)
    severity = models.CharField(max_length=8, choices=Severity.choices, blank=True)

    class Meta:
        ordering = ["evaluation", "rule", "flag"]
        indexes = [models.Index(fields=["flag", "evaluation"], name="finding_flag_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "rule", "flag"], name="finding_unique_rule_flag"
            ),
            choices_check("severity", Severity, name="finding_valid_severity", blank=True),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.flag}".strip()


class DecisionQuerySet(models.QuerySet):
    def current(self) -> DecisionQuerySet:
        """Decisions in force: those no later decision (amendment) supersedes."""
        return self.filter(superseded_by__isnull=True)


class Decision(models.Model):
    """A practitioner's decision on one evaluation. An amendment is a new row that supersedes."""

    Outcome = DecisionOutcome

    Reason = DecisionReason

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="decisions"
    )
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=16, choices=DecisionOutcome.choices)
    treatment = models.CharField(max_length=32, choices=Treatment.choices, blank=True)
    reason_code = models.CharField(max_length=40, choices=DecisionReason.choices, blank=True)
    notes = models.TextField(max_length=4000, blank=True)
    override_excluded = models.BooleanField(
        default=False,
        help_text="The practitioner confirmed choosing a treatment the rules had excluded.",
    )
    plan_sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    plan_interval_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    plan_constraints = models.JSONField(default=list, blank=True)
    aftercare_version = models.CharField(max_length=16, blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    amendment_reason = models.TextField(max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        get_latest_by = ["decided_at", "pk"]
        constraints = [
            choices_check("outcome", DecisionOutcome, name="decision_valid_outcome"),
            choices_check("treatment", Treatment, name="decision_valid_treatment", blank=True),
            choices_check(
                "reason_code", DecisionReason, name="decision_valid_reason_code", blank=True
            ),
            models.CheckConstraint(
                condition=(Q(outcome="declined") & Q(treatment=""))
                | (~Q(outcome="declined") & ~Q(treatment="")),
                name="decision_treatment_unless_declined",
            ),
            models.CheckConstraint(
                condition=Q(outcome="accepted") | ~Q(reason_code=""),
                name="decision_reason_unless_accepted",
            ),
            models.CheckConstraint(
                condition=~Q(reason_code="other") | ~Q(notes=""),
                name="decision_other_reason_has_notes",
            ),
            models.CheckConstraint(
                condition=Q(override_excluded=False) | ~Q(notes=""),
                name="decision_override_has_notes",
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(amendment_reason=""),
                name="decision_amendment_has_reason",
            ),
            # Two practitioners deciding at once: the database lets only one first decision in.
            models.UniqueConstraint(
                fields=["consultation"],
                condition=Q(supersedes__isnull=True),
                name="decision_one_first_decision_per_consultation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation.reference}: {self.get_outcome_display()}"


class AnswerCorrection(models.Model):
    """A practitioner's correction of one answer after examination: who, what, from, to, when."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="corrections"
    )
    field = models.CharField(max_length=64)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)
    note = models.TextField(max_length=2000, blank=True)
    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text="The evaluation the rules produced after this correction.",
    )
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-corrected_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.consultation.reference}: {self.field}"


class Consent(models.Model):
    """The patient's privacy and processing consent, with the version of the text they saw."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="consents"
    )
    text_version = models.CharField(max_length=16)
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "text_version"], name="consent_once_per_text_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation.reference}: consent {self.text_version}"


class AccessLog(models.Model):
    """Append-only trail of staff reading, changing and exporting records (who, what, when)."""

    Action = AccessAction

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=16, choices=AccessAction.choices)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [choices_check("action", AccessAction, name="accesslog_valid_action")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action}"
