"""Create demo logins and synthetic consultations so that anyone can try the app.

Every name, date and answer here is made up. Emails use the reserved example.com domain.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from clinic.auth import DEMO_GROUP
from consultations import rules
from consultations.consent import CONSENT_TEXT_VERSION
from consultations.demo_courses import create_courses
from consultations.models import (
    HEALTH_FIELDS,
    QUESTIONNAIRE_VERSION,
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    REFERENCE_PREFIX,
    Consent,
    Consultation,
    ConsultationStatus,
    Decision,
    DecisionOutcome,
    DecisionReason,
    DowntimeTolerance,
    Evaluation,
    EvaluationFinding,
    FitzpatrickSource,
    Goal,
    Patient,
    new_public_token,
)
from consultations.permissions import APP_LABEL, REVIEW_CODENAME
from consultations.services import evaluation_build, findings_build

PRACTITIONERS_GROUP = "Practitioners"
DEMO_USERS = (
    # username, password, role
    ("practitioner", "pores-demo-practitioner", "practitioner"),
    ("admin", "pores-demo-admin", "admin"),
)

FIRST_NAMES = (
    "Aisha", "Wei Ling", "Priya", "Mei", "Siti", "Rachel", "Hui Min", "Kavya", "Nurul", "Grace",
    "Jun Hao", "Arjun", "Daniel", "Farid", "Ming", "Ravi", "Hafiz", "Marcus", "Yi Xuan", "Chloe",
)  # fmt: skip
LAST_NAMES = (
    "Tan", "Lim", "Lee", "Ng", "Wong", "Goh", "Chua", "Koh", "Kumar", "Nair",
    "Rahman", "Abdullah", "Pillai", "Ong", "Teo", "Yeo", "Fernandez", "Ismail", "Chen", "Low",
)  # fmt: skip

# How often each status appears among demo consultations.
STATUS_WEIGHTS = {
    ConsultationStatus.DRAFT: 10,
    ConsultationStatus.SUBMITTED: 45,
    ConsultationStatus.DECIDED: 40,
    ConsultationStatus.WITHDRAWN: 5,
}
BATCH = 2000
# The share of awaiting-review consultations sent under questionnaire 2026.1, so that the demo
# shows a practitioner asking the newer questions (R45).
LEGACY_SHARE = 0.2


class Command(BaseCommand):
    help = "Create the Practitioners group, demo logins and synthetic consultations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--consultations", type=int, default=40, help="How many consultations to create."
        )
        parser.add_argument(
            "--skip-if-seeded",
            action="store_true",
            help="Create no consultations when some exist already (used by `make run`).",
        )
        parser.add_argument(
            "--allow-demo-logins",
            action="store_true",
            help="Create the demo logins even though DEBUG is off (never in production).",
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="Random seed, for repeatability."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["consultations"]
        if count < 0:
            raise CommandError("--consultations must be 0 or more.")
        allow_demo = options["allow_demo_logins"] or settings.DEBUG or settings.ALLOW_DEMO_LOGINS
        if not allow_demo:
            raise CommandError(
                "Demo logins are refused when DEBUG is off. Pass --allow-demo-logins (or set "
                "ALLOW_DEMO_LOGINS=1) only on a machine that is not in production."
            )
        rng = random.Random(options["seed"])  # noqa: S311 - synthetic data, not security
        practitioner = self.ensure_users()
        if options["skip_if_seeded"] and Consultation.objects.exists():
            self.stdout.write("Consultations exist already; none added.")
        else:
            started = timezone.now()
            create_consultations(count, practitioner=practitioner, rng=rng)
            seconds = (timezone.now() - started).total_seconds()
            self.stdout.write(
                f"Created {count} synthetic consultations, with the courses of those decided, "
                f"in {seconds:.1f} s."
            )
        self.stdout.write(self.style.SUCCESS("Demo logins (synthetic data only):"))
        for username, password, role in DEMO_USERS:
            self.stdout.write(f"  {role:<13} username: {username:<13} password: {password}")

    @transaction.atomic
    def ensure_users(self) -> User:
        group, _ = Group.objects.get_or_create(name=PRACTITIONERS_GROUP)
        group.permissions.add(
            Permission.objects.get(content_type__app_label=APP_LABEL, codename=REVIEW_CODENAME)
        )
        demo_group, _ = Group.objects.get_or_create(name=DEMO_GROUP)
        users = {}
        for username, password, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": "Demo",
                    "last_name": role.title(),
                    "email": f"{username}@example.com",
                    "is_staff": role == "admin",
                    "is_superuser": role == "admin",
                },
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            user.groups.add(group, demo_group)
            users[role] = user
        return users["practitioner"]


def _reference(rng: random.Random, taken: set[str]) -> str:
    while True:
        ref = REFERENCE_PREFIX + "".join(
            rng.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH)
        )
        if ref not in taken:
            taken.add(ref)
            return ref


OTHER_MEDICINES = (
    "Vitamin D 1000 IU daily",
    "Oral contraceptive pill",
    "Metformin 500 mg twice a day",
    "Fish oil and a multivitamin",
    "Cetirizine when my hay fever is bad",
)
ALLERGIES = ("Penicillin: rash", "Peanuts: swelling of the lips", "Sticking plasters: itchy skin")


def _answers(rng: random.Random) -> dict[str, Any]:
    goals = rng.sample(Goal.values, k=rng.choice((1, 1, 2, 2, 3)))
    if rng.random() < 0.6 and "pore_size" not in goals:
        goals[0:0] = ["pore_size"]  # pores are what most patients come for
    answers: dict[str, Any] = {
        "fitzpatrick": rng.choices(range(1, 7), weights=(3, 12, 30, 30, 15, 10))[0],
        "fitzpatrick_source": rng.choice(
            (FitzpatrickSource.SELF_REPORT, FitzpatrickSource.QUESTIONNAIRE)
        ),
        "sebum": rng.choices(("dry", "normal", "oily", "very_oily"), weights=(15, 30, 35, 20))[0],
        "goals": goals[:6],
        "downtime_tolerance": rng.choice(DowntimeTolerance.values),
    }
    for field in HEALTH_FIELDS:
        answers[field] = rng.random() < 0.06
    for code, (parent, values) in rules.FOLLOW_UPS.items():
        answers[code] = rng.choice(values) if answers[parent] else ""
    answers["takes_other_medicines"] = rng.random() < 0.25
    answers["other_medicines"] = (
        rng.choice(OTHER_MEDICINES) if answers["takes_other_medicines"] else ""
    )
    answers["has_allergies"] = rng.random() < 0.15
    answers["allergies"] = rng.choice(ALLERGIES) if answers["has_allergies"] else ""
    return answers


def create_consultations(count: int, *, practitioner: User, rng: random.Random) -> None:
    """Bulk-insert `count` synthetic consultations with evaluations, consents and decisions."""
    taken = set(Consultation.objects.values_list("reference", flat=True))
    now = timezone.now()
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        with transaction.atomic():
            _create_batch(size, practitioner=practitioner, rng=rng, taken=taken, now=now)


def _create_batch(
    size: int, *, practitioner: User, rng: random.Random, taken: set[str], now: datetime.datetime
) -> None:
    patients = []
    for _ in range(size):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        born = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 44))
        patients.append(
            Patient(
                first_name=first,
                last_name=last,
                date_of_birth=born,
                email=f"{first.lower().replace(' ', '')}.{last.lower()}{rng.randrange(1000)}"
                "@example.com",
                phone=f"+65 9{rng.randrange(1000000, 9999999)}",
            )
        )
    patients = Patient.objects.bulk_create(patients)

    consultations = []
    for patient in patients:
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        created = now - datetime.timedelta(minutes=rng.randrange(60, 60 * 24 * 180))
        answers = _answers(rng)
        version = QUESTIONNAIRE_VERSION
        if status == ConsultationStatus.SUBMITTED and rng.random() < LEGACY_SHARE:
            # Sent before questionnaire 2026.2: never asked its questions (the rules: R45).
            version = rules.QUESTIONNAIRE_VERSIONS[0]
            answers |= dict.fromkeys(rules.NEW_BOOLEAN_FIELDS_2026_2, None)
            answers |= dict.fromkeys(rules.FOLLOW_UPS, "")
        consultation = Consultation(
            patient=patient,
            reference=_reference(rng, taken),
            public_token=new_public_token(),
            status=status,
            questionnaire_version=version,
            created_at=created,
            **answers,
        )
        if status != ConsultationStatus.DRAFT:
            submitted_at = created + datetime.timedelta(minutes=rng.randrange(5, 60))
            consultation.submitted_at = submitted_at
            consultation.age = patient.age_on(submitted_at.date())
            if status == ConsultationStatus.DECIDED:
                consultation.decided_at = submitted_at + datetime.timedelta(
                    hours=rng.randrange(1, 96)
                )
        else:
            for field in HEALTH_FIELDS[rng.randrange(len(HEALTH_FIELDS)) :]:
                setattr(consultation, field, None)  # a draft stops part-way through
            if consultation.immunosuppressed_or_poor_healing is None:  # before the last ones
                consultation.takes_other_medicines = consultation.has_allergies = None
                consultation.other_medicines = consultation.allergies = ""
            for code, (parent, _values) in rules.FOLLOW_UPS.items():
                if not getattr(consultation, parent):
                    setattr(consultation, code, "")
        consultations.append(consultation)
    consultations = Consultation.objects.bulk_create(consultations)

    submitted = [c for c in consultations if c.status != ConsultationStatus.DRAFT]
    Consent.objects.bulk_create(
        Consent(
            consultation=c, text_version=CONSENT_TEXT_VERSION, accepted_at=_set_at(c.submitted_at)
        )
        for c in submitted
    )
    evaluations = []
    for consultation in submitted:
        evaluation = evaluation_build(consultation)
        evaluation.created_at = _set_at(consultation.submitted_at)
        evaluations.append(evaluation)
    evaluations = Evaluation.objects.bulk_create(evaluations)
    EvaluationFinding.objects.bulk_create(
        finding for evaluation in evaluations for finding in findings_build(evaluation)
    )
    Consultation.objects.filter(pk__in=[c.pk for c in submitted]).update(
        latest_evaluation=Subquery(
            Evaluation.objects.filter(consultation=OuterRef("pk"))
            .order_by("-created_at", "-pk")
            .values("pk")[:1]
        )
    )
    decisions = Decision.objects.bulk_create(
        _decision(evaluation, practitioner=practitioner, rng=rng)
        for evaluation in evaluations
        if evaluation.consultation.status == ConsultationStatus.DECIDED
    )
    # What followed: courses with sessions, records, follow-ups and outcomes.
    create_courses(decisions, practitioner=practitioner, rng=rng, now=now)


def _decision(evaluation: Evaluation, *, practitioner: User, rng: random.Random) -> Decision:
    output = evaluation.output
    eligible = [s["treatment"] for s in output["suggestions"]]
    primary = output["primary"]
    roll = rng.random()
    if primary != rules.DEFER and roll < 0.75:
        outcome, treatment, reason = DecisionOutcome.ACCEPTED, primary, ""
    elif eligible and roll < 0.92:
        others = [t for t in eligible if t != primary] or eligible
        outcome, treatment = DecisionOutcome.CHANGED, rng.choice(others)
        reason = rng.choice((DecisionReason.PATIENT_PREFERENCE, DecisionReason.CLINICAL_JUDGEMENT))
    else:
        outcome, treatment, reason = DecisionOutcome.DECLINED, "", DecisionReason.REFER_TO_DOCTOR
    constraints: list[str] = next(
        (s["constraints"] for s in output["suggestions"] if s["treatment"] == treatment), []
    )
    return Decision(
        consultation=evaluation.consultation,
        evaluation=evaluation,
        outcome=outcome,
        treatment=treatment,
        reason_code=reason,
        notes="Synthetic demo decision." if reason else "",
        plan_sessions=5 if treatment else None,
        plan_interval_weeks=3 if treatment else None,
        plan_constraints=constraints if treatment else [],
        decided_by=practitioner,
        decided_at=_set_at(evaluation.consultation.decided_at),
    )


def _set_at(moment: datetime.datetime | None) -> datetime.datetime:
    """A time seed_demo set above: submitted_at on every sent consultation, decided_at on
    every decided one."""
    assert moment is not None
    return moment
