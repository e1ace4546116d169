"""factory-boy factories: synthetic patients, consultations and staff for tests."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from consultations.intake.forms import FOLLOW_UPS
from consultations.models import (
    HEALTH_FIELDS,
    Consent,
    Consultation,
    ConsultationStatus,
    Decision,
    DecisionOutcome,
    DecisionReason,
    FitzpatrickSource,
    Patient,
    SessionRecord,
)
from consultations.permissions import APP_LABEL, REVIEW_CODENAME
from consultations.questionnaire import QUESTIONS, TEXT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def practitioners_group() -> Group:
    group, _ = Group.objects.get_or_create(name="Practitioners")
    group.permissions.add(
        Permission.objects.get(content_type__app_label=APP_LABEL, codename=REVIEW_CODENAME)
    )
    return group


class PractitionerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"practitioner{n}")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Practitioner{n}")

    @factory.post_generation
    def practitioners(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(practitioners_group())


class AdminFactory(UserFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    is_staff = True
    is_superuser = True


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = factory.Iterator(["Aisha", "Wei Ling", "Priya", "Mei", "Daniel", "Ravi"])
    last_name = factory.Iterator(["Tan", "Lim", "Nair", "Rahman", "Ong", "Kumar"])
    date_of_birth = datetime.date(1990, 5, 17)
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    phone = ""


def safe_answers(**overrides) -> dict:
    """A complete set of answers that raises no flag: FST III, normal skin, wants smaller pores."""
    answers = {
        "fitzpatrick": 3,
        "fitzpatrick_source": FitzpatrickSource.SELF_REPORT,
        "sebum": "normal",
        "goals": ["pore_size"],
        **dict.fromkeys(HEALTH_FIELDS, False),
    }
    answers.update(overrides)
    return answers


TEXT_FOLLOW_UPS = {q.code for q in QUESTIONS if q.follows and q.kind == TEXT}


def with_health_answers(kwargs: dict) -> dict:
    """Every yes/no health answer "no" unless given; "yes" to a follow-up question whose text
    is given."""
    for field in HEALTH_FIELDS:
        kwargs.setdefault(field, False)
    for question, text in FOLLOW_UPS.items():
        if text in TEXT_FOLLOW_UPS:
            kwargs.setdefault(question, bool(kwargs.get(text)))
    # A follow-up after "yes", unless given: the most cautious isotretinoin timing, and spots
    # that are not cysts.
    if kwargs.get("isotretinoin_last_6_months"):
        kwargs.setdefault("isotretinoin_timing", "current")
    if kwargs.get("active_inflamed_acne"):
        kwargs.setdefault("inflamed_acne_severity", "papules_pustules")
    return kwargs


class DraftConsultationFactory(factory.django.DjangoModelFactory):
    """A consultation a patient has started but not finished."""

    class Meta:
        model = Consultation

    patient = factory.SubFactory(PatientFactory)
    status = ConsultationStatus.DRAFT


class ConsultationFactory(DraftConsultationFactory):
    """A submitted consultation with every answer given (no evaluation: see `submitted`)."""

    status = ConsultationStatus.SUBMITTED
    fitzpatrick = 3
    fitzpatrick_source = FitzpatrickSource.SELF_REPORT
    sebum = "normal"
    goals = factory.LazyFunction(lambda: ["pore_size"])
    age = 35
    submitted_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        return with_health_answers(kwargs)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    consultation = factory.SubFactory(ConsultationFactory)
    text_version = "2026.1"


def submitted(**fields) -> Consultation:
    """A submitted consultation with its consent and the rules' evaluation, as the intake
    leaves it."""
    from consultations.services import evaluation_create

    consultation = ConsultationFactory(**fields)
    ConsentFactory(consultation=consultation)
    evaluation_create(consultation=consultation)
    return consultation


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    consultation = factory.LazyAttribute(lambda d: d.evaluation.consultation)
    evaluation = factory.LazyFunction(lambda: submitted().latest_evaluation)
    outcome = DecisionOutcome.ACCEPTED
    treatment = factory.LazyAttribute(lambda d: d.evaluation.primary)
    decided_by = factory.SubFactory(PractitionerFactory)


# --- Insight (analytics, rule test bench, FHIR, erasure) -------------------------------------


def decided(
    *,
    outcome: str = DecisionOutcome.ACCEPTED,
    treatment: str | None = None,
    reason_code: str = "",
    notes: str = "",
    hours_to_decision: float = 24,
    plan_sessions: int | None = None,
    plan_interval_weeks: int | None = None,
    plan_constraints: list | None = None,
    decided_by: User | None = None,
    **fields,
) -> Consultation:
    """A submitted consultation with a (first) decision on its evaluation, status decided.

    `treatment` defaults to the rules' primary when accepted, to none when declined.
    """
    consultation = submitted(**fields)
    evaluation = consultation.latest_evaluation
    if treatment is None:
        treatment = "" if outcome == DecisionOutcome.DECLINED else evaluation.primary
    decided_at = consultation.submitted_at + datetime.timedelta(hours=hours_to_decision)
    DecisionFactory(
        evaluation=evaluation,
        outcome=outcome,
        treatment=treatment,
        reason_code=reason_code,
        notes=notes,
        plan_sessions=plan_sessions,
        plan_interval_weeks=plan_interval_weeks,
        plan_constraints=plan_constraints or [],
        decided_at=decided_at,
        **({"decided_by": decided_by} if decided_by is not None else {}),
    )
    Consultation.objects.filter(pk=consultation.pk).update(
        status=ConsultationStatus.DECIDED, decided_at=decided_at
    )
    consultation.refresh_from_db()
    return consultation


# --- Review (practitioner decisions) ----------------------------------------------------------


def decision_form_data(consultation: Consultation, **overrides) -> dict:
    """What the review page's decision form posts: the primary accepted, typical plans,
    built on the consultation's current evaluation and lock version."""
    from consultations.treatment_plans import PROTOCOLS

    consultation.refresh_from_db()
    evaluation = consultation.latest_evaluation
    data = {
        "evaluation": evaluation.pk,
        "lock_version": consultation.lock_version,
        "choice": evaluation.primary,
        "reason_code": "",
        "notes": "",
    }
    for treatment, protocol in PROTOCOLS.items():
        data[f"{treatment}_sessions"] = protocol.sessions
        data[f"{treatment}_interval_weeks"] = protocol.interval_weeks
    data.update(overrides)
    return data


# --- Intake ----------------------------------------------------------------------------------


class CompleteDraftFactory(DraftConsultationFactory):
    """A draft with every intake answer given: what a patient has on "check your answers"."""

    fitzpatrick = 3
    fitzpatrick_source = FitzpatrickSource.SELF_REPORT
    fitzpatrick_self_report = 3
    sebum = "normal"
    goals = factory.LazyFunction(lambda: ["pore_size"])
    downtime_tolerance = "few_days"

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        return with_health_answers(kwargs)


def flagged_decision() -> Consultation:
    """A decided consultation with a flag, free text and a changed decision with a plan."""
    return decided(
        outcome=DecisionOutcome.CHANGED,
        treatment="microdermabrasion",
        reason_code=DecisionReason.PATIENT_PREFERENCE,
        notes="Wants the gentlest option before her wedding.",
        plan_sessions=6,
        plan_interval_weeks=2,
        plan_constraints=["short suction dwell time"],
        hsv_history=True,
        goals=["pore_size", "texture"],
        allergies="Peanuts",
    )


# --- Course (after the decision) -------------------------------------------------------------


def coursed(
    *,
    treatment: str | None = None,
    user: User | None = None,
    plan_sessions: int | None = None,
    plan_interval_weeks: int | None = None,
    **fields,
) -> Consultation:
    """A consultation decided through the review service, so that its course is planned as in
    the product: `treatment` (default the rules' primary) with the protocol's typical plan."""
    from consultations.services.review import DecisionInput, review_decide
    from consultations.treatment_plans import PROTOCOLS

    consultation = submitted(**fields)
    evaluation = consultation.latest_evaluation
    chosen = treatment or evaluation.primary
    protocol = PROTOCOLS[chosen]
    review_decide(
        consultation=consultation,
        user=user or PractitionerFactory(),
        evaluation_id=evaluation.pk,
        lock_version=consultation.lock_version,
        choice=DecisionInput(
            outcome=DecisionOutcome.ACCEPTED
            if chosen == evaluation.primary
            else DecisionOutcome.CHANGED,
            treatment=chosen,
            reason_code="" if chosen == evaluation.primary else DecisionReason.CLINICAL_JUDGEMENT,
            plan_sessions=plan_sessions or protocol.sessions,
            plan_interval_weeks=plan_interval_weeks or protocol.interval_weeks,
        ),
    )
    consultation.refresh_from_db()
    return consultation


class SessionRecordFactory(factory.django.DjangoModelFactory):
    """What was done at a planned session: a superficial peel with a mild reaction."""

    class Meta:
        model = SessionRecord
        skip_postgeneration_save = True

    session = factory.LazyFunction(
        lambda: coursed(treatment="chemical_peel").course.sessions.first()
    )
    performed_on = factory.LazyAttribute(lambda r: r.session.target_date)
    performed_by = factory.SubFactory(PractitionerFactory)
    recorded_by = factory.SelfAttribute("performed_by")
    treatment = factory.LazyAttribute(lambda r: r.session.course.treatment)
    peel_agent = factory.LazyAttribute(
        lambda r: "mandelic" if r.treatment == "chemical_peel" else ""
    )
    peel_concentration_pct = factory.LazyAttribute(
        lambda r: 30 if r.treatment == "chemical_peel" else None
    )
    erythema_grade = 1
    pain = 3

    @factory.post_generation
    def check_in_override(record, create, extracted, **kwargs):
        """A session is recorded with its pre-session check-in answered, or the practitioner's
        override (services/session_check_in.py): without an answered one, the override
        (answered verbally at the chair), by the practitioner who performed it."""
        from consultations.models import CheckInOverride
        from consultations.selectors_course import check_in_counts_for, pre_session_in_force

        session = record.session
        if not create or session.check_in_override:
            return
        check_ins = session.check_ins.filter(kind="pre_session").order_by("-pk")
        if check_in_counts_for(pre_session_in_force(check_ins), record.performed_on):
            return
        session.check_in_override = extracted or CheckInOverride.ANSWERED_VERBALLY
        session.check_in_override_by = record.performed_by
        session.check_in_override_at = record.recorded_at
        session.save(
            update_fields=["check_in_override", "check_in_override_by", "check_in_override_at"]
        )
