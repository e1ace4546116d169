"""What happens after submission: rule evaluations (with their findings), practitioners'
corrections and decisions. Rows are never edited (docs/decisions/0003)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from consultations.models.choices import (
    DecisionOutcome,
    DecisionReason,
    EvaluationTrigger,
    Primary,
    Severity,
    Treatment,
    choices_check,
)
from consultations.models.consultation import Consultation


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
    has_stop_flag = models.BooleanField("stop flag raised", default=False)
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

    Severity = Severity

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="findings")
    rule = models.CharField(max_length=8)
    flag = models.CharField(max_length=40, blank=True)
    severity = models.CharField(max_length=8, choices=Severity.choices, blank=True)

    class Meta:
        ordering = ["evaluation", "rule", "flag"]
        indexes = [
            models.Index(fields=["flag", "evaluation"], name="finding_flag_idx"),
            # The outcome analytics: the cautions of each evaluation.
            models.Index(
                fields=["evaluation", "rule"],
                condition=Q(severity="caution"),
                name="finding_caution_idx",
            ),
        ]
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
    # What the patient reads on their status page when the decision is to decline or refer.
    patient_message = models.TextField(max_length=1000, blank=True)
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
