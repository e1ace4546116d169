"""One intake questionnaire, from draft to decision: the patient's answers, one typed column per
contract code (docs/decisions/0002), with named constraints for every invariant."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from consultations import rules
from consultations.models.choices import (
    FREE_TEXT_MAX_LENGTH,
    HEALTH_FIELDS_2026_1,
    NEW_HEALTH_FIELDS_2026_2,
    QUESTIONNAIRE_2026_1,
    QUESTIONNAIRE_VERSIONS,
    ConsultationStatus,
    DowntimeTolerance,
    FitzpatrickSource,
    InflamedAcneSeverity,
    IsotretinoinTiming,
    Sebum,
    choices_check,
    new_draft_key,
    new_public_token,
    new_reference,
)
from consultations.models.patient import Patient
from consultations.permissions import CONSULTATION_PERMISSIONS
from consultations.questionnaire import QUESTIONNAIRE_VERSION


def rules_input(values: Mapping[str, Any]) -> dict[str, Any]:
    """Stored answers (a row's values) as the rules' input mapping: the contract's codes, with a
    follow-up not asked as null, and the questionnaire version."""
    answers = {code: values[code] for code in rules.ANSWER_FIELDS}
    for code in rules.FOLLOW_UPS:
        answers[code] = answers[code] or None
    answers[rules.QUESTIONNAIRE_VERSION_KEY] = values["questionnaire_version"]
    return answers


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def sent(self) -> ConsultationQuerySet:
        """Consultations the patient has sent: drafts are theirs alone."""
        return self.exclude(status=ConsultationStatus.DRAFT)

    def drafts(self) -> ConsultationQuerySet:
        return self.filter(status=ConsultationStatus.DRAFT)

    def for_queue(self, *, flag: str = "", primary: str = "") -> ConsultationQuerySet:
        """The queue's filters: a flag code (or "stop": any stop flag) and the rules' primary
        suggestion (the search is selectors_search's)."""
        from consultations.models.review import EvaluationFinding  # defined after this model

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
        return consultations


class Consultation(models.Model):
    """One intake questionnaire: the patient's answers, from draft to decision."""

    Status = ConsultationStatus

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consultations")
    reference = models.CharField(max_length=12, default=new_reference, editable=False)
    public_token = models.CharField(max_length=64, default=new_public_token, editable=False)
    # The draft's link to browsers lives here, not in a session that a concurrent request can
    # write back: a session (or resume link) holding an older key no longer opens the draft.
    draft_key = models.CharField(max_length=64, default=new_draft_key, editable=False)
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
    # Added in questionnaire 2026.2 (null on 2026.1 consultations until a practitioner asks).
    isotretinoin_timing = models.CharField(
        max_length=24, choices=IsotretinoinTiming.choices, blank=True
    )
    steroid_or_bleaching_cream_last_6_months = models.BooleanField(null=True)
    inflamed_acne_severity = models.CharField(
        max_length=24, choices=InflamedAcneSeverity.choices, blank=True
    )
    cosmetic_tattoo_in_area = models.BooleanField(null=True)
    sun_exposure_next_4_weeks = models.BooleanField(null=True)
    injectable_last_2_weeks = models.BooleanField(null=True)
    resurfacing_in_area_last_4_weeks = models.BooleanField(null=True)
    surgery_in_area_last_6_months = models.BooleanField(null=True)
    hair_removal_in_area_last_7_days = models.BooleanField(null=True)
    pih_after_procedure = models.BooleanField(null=True)
    radiotherapy_to_area = models.BooleanField(null=True)
    vitiligo = models.BooleanField(null=True)
    photosensitive_disorder = models.BooleanField(null=True)
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
        permissions = [*CONSULTATION_PERMISSIONS]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="consultation_queue_idx"),
            # The Decided tab: the most recently decided first.
            models.Index(fields=["status", "decided_at", "id"], name="consultation_decided_idx"),
            # The All tab: every sent consultation in the order it was sent.
            models.Index(
                fields=["submitted_at", "id"],
                condition=~Q(status=ConsultationStatus.DRAFT),
                name="consultation_sent_idx",
            ),
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
                    & Q(**{f"{name}__isnull": False for name in HEALTH_FIELDS_2026_1})
                ),
                name="consultation_submitted_has_all_answers",
            ),
            # 2026.1 consultations were never asked the 2026.2 questions (the rules ask for
            # them: R45); everything sent since answers them, and each follow-up after "yes".
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(questionnaire_version=QUESTIONNAIRE_2026_1)
                | (
                    Q(**{f"{name}__isnull": False for name in NEW_HEALTH_FIELDS_2026_2})
                    & (~Q(isotretinoin_last_6_months=True) | ~Q(isotretinoin_timing=""))
                    & (~Q(active_inflamed_acne=True) | ~Q(inflamed_acne_severity=""))
                ),
                name="consultation_submitted_has_2026_2_answers",
            ),
            models.CheckConstraint(
                condition=Q(isotretinoin_timing="") | Q(isotretinoin_last_6_months=True),
                name="consultation_isotretinoin_timing_only_after_yes",
            ),
            models.CheckConstraint(
                condition=Q(inflamed_acne_severity="") | Q(active_inflamed_acne=True),
                name="consultation_acne_severity_only_after_yes",
            ),
            choices_check(
                "isotretinoin_timing",
                IsotretinoinTiming,
                name="consultation_valid_isotretinoin_timing",
                blank=True,
            ),
            choices_check(
                "inflamed_acne_severity",
                InflamedAcneSeverity,
                name="consultation_valid_acne_severity",
                blank=True,
            ),
            models.CheckConstraint(
                condition=Q(questionnaire_version__in=QUESTIONNAIRE_VERSIONS),
                name="consultation_known_questionnaire_version",
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

    def rules_input(self) -> dict[str, Any]:
        """The answers as the rules module's input mapping (contract codes and the
        questionnaire version they were answered under); a follow-up not asked is null."""
        return rules_input(
            {name: getattr(self, name) for name in (*rules.ANSWER_FIELDS, "questionnaire_version")}
        )

    @property
    def unasked_codes(self) -> list[str]:
        """The answers a consultation sent under an earlier questionnaire was never asked and
        still lacks (rule R45), in the order of contract table 1.1; [] for any other."""
        if self.questionnaire_version == rules.QUESTIONNAIRE_VERSIONS[-1]:
            return []
        try:
            return list(rules.Answers.from_mapping(self.rules_input()).unasked)
        except rules.AnswersError:
            return []

    def opens_with(self, draft_key: object) -> bool:
        """Whether a browser's (or a resume link's) key is the draft's current one."""
        return isinstance(draft_key, str) and secrets.compare_digest(self.draft_key, draft_key)

    @property
    def primary_goal(self) -> str | None:
        return self.goals[0] if self.goals else None
