"""Every invariant of the records is held by a named database constraint."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from consultations import rules
from consultations.models import (
    Consent,
    Consultation,
    Decision,
    Evaluation,
    EvaluationFinding,
    Goal,
    Primary,
    Sebum,
    Treatment,
)
from tests.factories import (
    ConsultationFactory,
    DecisionFactory,
    DraftConsultationFactory,
    PractitionerFactory,
    submitted,
)

pytestmark = pytest.mark.django_db


# SQLite reports a failed unique constraint by its columns, not by its name.
SQLITE_UNIQUE_COLUMNS = {
    "consultation_unique_reference": "consultations_consultation.reference",
    "consultation_unique_token": "consultations_consultation.public_token",
    "finding_unique_rule_flag": "consultations_evaluationfinding.evaluation_id, "
    "consultations_evaluationfinding.rule, consultations_evaluationfinding.flag",
    "consent_once_per_text_version": "consultations_consent.consultation_id, "
    "consultations_consent.text_version",
    "decision_one_first_decision_per_consultation": "consultations_decision.consultation_id",
    "supersedes_id": "consultations_decision.supersedes_id",
}


def violates(constraint: str, action) -> None:
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        action()
    message = str(caught.value)
    if connection.vendor == "sqlite" and message.startswith("UNIQUE constraint failed"):
        assert message.endswith(SQLITE_UNIQUE_COLUMNS[constraint])
    else:
        assert constraint in message


def update(consultation: Consultation, **fields) -> None:
    Consultation.objects.filter(pk=consultation.pk).update(**fields)


def test_model_vocabularies_match_the_rules_contract():
    assert tuple(Treatment.values) == rules.TREATMENTS
    assert tuple(Primary.values) == (*rules.TREATMENTS, rules.DEFER)
    assert tuple(Sebum.values) == rules.SEBUM_LEVELS
    assert tuple(Goal.values) == rules.GOALS


def test_a_new_consultation_gets_a_short_reference_and_an_unguessable_token():
    consultation = DraftConsultationFactory()
    assert consultation.reference.startswith("PX-") and len(consultation.reference) == 8
    assert len(consultation.public_token) >= 32
    other = DraftConsultationFactory()
    assert other.reference != consultation.reference
    assert other.public_token != consultation.public_token


def test_two_consultations_cannot_share_a_reference():
    first, second = DraftConsultationFactory(), DraftConsultationFactory()
    violates("consultation_unique_reference", lambda: update(second, reference=first.reference))


def test_two_consultations_cannot_share_a_token():
    first, second = DraftConsultationFactory(), DraftConsultationFactory()
    violates("consultation_unique_token", lambda: update(second, public_token=first.public_token))


@pytest.mark.parametrize(
    ("constraint", "fields"),
    [
        ("consultation_valid_status", {"status": "lost"}),
        ("consultation_valid_fitzpatrick_source", {"fitzpatrick_source": "guess"}),
        ("consultation_valid_sebum", {"sebum": "greasy"}),
        ("consultation_valid_downtime_tolerance", {"downtime_tolerance": "month"}),
        ("consultation_fitzpatrick_1_to_6", {"fitzpatrick": 7}),
        ("consultation_fitzpatrick_1_to_6", {"fitzpatrick": 0}),
        ("consultation_fitzpatrick_self_report_1_to_6", {"fitzpatrick_self_report": 9}),
        ("consultation_fitzpatrick_score_0_to_40", {"fitzpatrick_score": 41}),
        ("consultation_adults_only", {"age": 17}),
        (
            "consultation_valid_isotretinoin_timing",
            {"isotretinoin_last_6_months": True, "isotretinoin_timing": "yesterday"},
        ),
        ("consultation_known_questionnaire_version", {"questionnaire_version": "2025.1"}),
    ],
)
def test_consultation_values_stay_in_their_value_sets(constraint, fields):
    consultation = ConsultationFactory()
    violates(constraint, lambda: update(consultation, **fields))


@pytest.mark.parametrize(
    "missing",
    [
        {"fitzpatrick": None},
        {"sebum": ""},
        {"fitzpatrick_source": ""},
        {"pregnant": None},
        {"suspicious_lesion": None},
        {"age": None},
        {"submitted_at": None},
    ],
)
def test_a_submitted_consultation_has_every_answer(missing):
    consultation = ConsultationFactory()
    violates("consultation_submitted_has_all_answers", lambda: update(consultation, **missing))


@pytest.mark.parametrize(
    "missing",
    [
        {"vitiligo": None},
        {"cosmetic_tattoo_in_area": None},
        {"isotretinoin_last_6_months": True, "isotretinoin_timing": ""},
        {"active_inflamed_acne": True, "inflamed_acne_severity": ""},
    ],
)
def test_a_consultation_sent_under_2026_2_answers_every_new_question(missing):
    consultation = ConsultationFactory()
    violates("consultation_submitted_has_2026_2_answers", lambda: update(consultation, **missing))


def test_a_consultation_sent_under_2026_1_was_never_asked_the_new_questions():
    consultation = ConsultationFactory(
        questionnaire_version="2026.1", **dict.fromkeys(rules.NEW_BOOLEAN_FIELDS_2026_2, None)
    )
    assert consultation.vitiligo is None


@pytest.mark.parametrize(
    ("constraint", "fields"),
    [
        ("consultation_isotretinoin_timing_only_after_yes", {"isotretinoin_timing": "current"}),
        ("consultation_acne_severity_only_after_yes", {"inflamed_acne_severity": "not_sure"}),
    ],
)
def test_a_follow_up_answer_needs_a_yes_to_its_question(constraint, fields):
    consultation = ConsultationFactory()
    violates(constraint, lambda: update(consultation, **fields))


def test_a_draft_may_have_answers_missing():
    consultation = DraftConsultationFactory()
    assert consultation.fitzpatrick is None and consultation.pregnant is None


def test_a_decided_consultation_records_when():
    consultation = ConsultationFactory()
    violates("consultation_decided_has_decided_at", lambda: update(consultation, status="decided"))
    update(consultation, status="decided", decided_at=timezone.now())


def test_evaluation_primary_and_trigger_are_from_their_value_sets():
    evaluation = submitted().latest_evaluation
    violates(
        "evaluation_valid_primary",
        lambda: Evaluation.objects.filter(pk=evaluation.pk).update(primary="botox"),
    )
    violates(
        "evaluation_valid_trigger",
        lambda: Evaluation.objects.filter(pk=evaluation.pk).update(trigger="whim"),
    )


def test_a_finding_is_recorded_once_per_rule_and_flag():
    evaluation = submitted(pregnant=True).latest_evaluation
    finding = EvaluationFinding.objects.filter(evaluation=evaluation).first()
    violates(
        "finding_unique_rule_flag",
        lambda: EvaluationFinding.objects.create(
            evaluation=evaluation, rule=finding.rule, flag=finding.flag
        ),
    )
    violates(
        "finding_valid_severity",
        lambda: EvaluationFinding.objects.create(
            evaluation=evaluation, rule="R99", severity="panic"
        ),
    )


def test_a_consent_is_stored_once_per_text_version():
    consultation = ConsultationFactory()
    Consent.objects.create(consultation=consultation, text_version="2026.1")
    violates(
        "consent_once_per_text_version",
        lambda: Consent.objects.create(consultation=consultation, text_version="2026.1"),
    )


def decision_kwargs(**overrides):
    evaluation = submitted().latest_evaluation
    kwargs = {
        "consultation": evaluation.consultation,
        "evaluation": evaluation,
        "outcome": "accepted",
        "treatment": "chemical_peel",
        "decided_by": PractitionerFactory(),
    }
    kwargs.update(overrides)
    return kwargs


@pytest.mark.parametrize(
    ("constraint", "fields"),
    [
        ("decision_valid_outcome", {"outcome": "maybe", "reason_code": "other", "notes": "x"}),
        ("decision_valid_treatment", {"treatment": "botox"}),
        ("decision_valid_reason_code", {"outcome": "changed", "reason_code": "hunch"}),
        ("decision_treatment_unless_declined", {"outcome": "accepted", "treatment": ""}),
        (
            "decision_treatment_unless_declined",
            {"outcome": "changed", "treatment": "", "reason_code": "patient_preference"},
        ),
        (
            "decision_treatment_unless_declined",
            {"outcome": "declined", "treatment": "laser", "reason_code": "refer_to_doctor"},
        ),
        ("decision_reason_unless_accepted", {"outcome": "changed", "reason_code": ""}),
        ("decision_other_reason_has_notes", {"outcome": "changed", "reason_code": "other"}),
        ("decision_override_has_notes", {"override_excluded": True}),
    ],
)
def test_a_decision_keeps_its_invariants(constraint, fields):
    kwargs = decision_kwargs(**fields)
    violates(constraint, lambda: Decision.objects.create(**kwargs))


def test_a_declined_decision_needs_no_treatment():
    decision = Decision.objects.create(
        **decision_kwargs(outcome="declined", treatment="", reason_code="refer_to_doctor")
    )
    assert decision.treatment == ""


def test_only_one_first_decision_per_consultation():
    first = DecisionFactory()
    violates(
        "decision_one_first_decision_per_consultation",
        lambda: Decision.objects.create(
            consultation=first.consultation,
            evaluation=first.evaluation,
            outcome="accepted",
            treatment=first.treatment,
            decided_by=first.decided_by,
        ),
    )


def test_an_amendment_supersedes_once_and_gives_a_reason():
    first = DecisionFactory()
    common = {
        "consultation": first.consultation,
        "evaluation": first.evaluation,
        "outcome": "declined",
        "reason_code": "clinical_judgement",
        "decided_by": first.decided_by,
        "supersedes": first,
    }
    violates("decision_amendment_has_reason", lambda: Decision.objects.create(**common))
    Decision.objects.create(**common, amendment_reason="Patient disclosed a new medicine.")
    violates(
        "supersedes_id",
        lambda: Decision.objects.create(**common, amendment_reason="Second amendment of first."),
    )
