"""Practitioner review: correct answers, record a decision, amend it.

Every write takes a row lock on the consultation (`select_for_update`) and compares the
`lock_version` (and evaluation) the practitioner's form was built from with the row's current
one, so a decision is always taken on the answers and the suggestion the practitioner saw. A
mismatch raises ConsultationChanged and nothing is written. The partial unique constraint on
first decisions (and the one-to-one `supersedes`) are the database's last guard.

Corrections are allowed until the consultation is decided; after that the only change is an
amendment (a new decision that supersedes the current one and says why).

The patient's email is queued with the decision (services/outbox.py): a worker sends it once
the decision is committed, never about one that was rolled back, and retries it if the mail
server fails.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from consultations import rules
from consultations.aftercare import AFTERCARE_VERSION, decline_message
from consultations.models import (
    AccessLog,
    Consultation,
    ConsultationStatus,
    Decision,
    DecisionOutcome,
    DecisionReason,
    EmailKind,
    Evaluation,
    EvaluationTrigger,
)
from consultations.selectors import decision_current
from consultations.services import access_log_record, evaluation_create, outbox
from consultations.services.course import course_follow_decision
from consultations.treatment_plans import PROTOCOLS

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The flag of R45: a consultation answered under an earlier questionnaire lacks answers.
ANSWERS_MISSING = "ANSWERS_MISSING"


class ConsultationChanged(Exception):
    """The consultation changed since the practitioner's form was built; nothing was saved."""


class ReviewRefused(Exception):
    """The consultation's state does not allow this change; the message says why."""


class NothingChanged(ReviewRefused):
    """A correction that changes no answer."""


@dataclass(frozen=True)
class DecisionInput:
    """What the practitioner chose, as the decision form cleaned it."""

    outcome: str
    treatment: str = ""
    reason_code: str = ""
    notes: str = ""
    override_excluded: bool = False
    plan_sessions: int | None = None
    plan_interval_weeks: int | None = None
    # Declined or referred: what the patient reads (blank: the message for the reason).
    patient_message: str = ""


ANONYMISED_MESSAGE = (
    "This patient's record was anonymised after an erasure request, so nothing more can be "
    "added to it: no corrections, decisions, amendments or notes."
)


def locked_for_review(consultation: Consultation) -> Consultation:
    """The consultation, row-locked; refused once its patient was anonymised (the lock also
    waits for an erasure in progress, so nothing lands just after it)."""
    locked = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("patient")
        .get(pk=consultation.pk)
    )
    if locked.patient.anonymised_at is not None:
        raise ReviewRefused(ANONYMISED_MESSAGE)
    return locked


def check_unchanged(
    consultation: Consultation, *, lock_version: int, evaluation_id: int | None = None
) -> None:
    if consultation.lock_version != lock_version:
        raise ConsultationChanged
    if evaluation_id is not None and consultation.latest_evaluation_id != evaluation_id:
        raise ConsultationChanged


def lock_version_bump(consultation: Consultation, *fields: str) -> None:
    consultation.lock_version += 1
    consultation.save(update_fields=[*fields, "lock_version", "updated_at"])


# A second identical submit this soon after the first (a double click) is the same decision.
REPEAT_WINDOW = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class Recorded:
    """A decision in force after a decide or amend, and what became of the patient's email.

    `emailed` is None: the email is queued, and a worker sends it (services/outbox.py). Kept
    as a field for the views' wording: True (sent) and False (refused) are no longer known
    when the page is answered.
    """

    decision: Decision
    emailed: bool | None
    # The same practitioner's double click: nothing new was stored (nor said again).
    repeated: bool = False


def review_decide(
    *,
    consultation: Consultation,
    user: User,
    evaluation_id: int,
    lock_version: int,
    choice: DecisionInput,
) -> Recorded:
    """Record the first decision on the evaluation the practitioner saw; the patient is told.

    Raises ConsultationChanged when the answers were corrected, the rules re-run or another
    practitioner decided since the form was built. The same practitioner sending the same
    decision again moments later (a double click) gets that decision back, and nothing more
    is stored or sent.
    """
    try:
        with transaction.atomic():
            locked = locked_for_review(consultation)
            if locked.status == ConsultationStatus.DECIDED:
                current = decision_current(locked)
                if current is not None and _repeats(
                    current, user=user, evaluation_id=evaluation_id, choice=choice
                ):
                    return Recorded(decision=current, emailed=None, repeated=True)
                raise ConsultationChanged
            if locked.status != ConsultationStatus.SUBMITTED:
                raise ReviewRefused("Only a submitted consultation can be decided.")
            check_unchanged(locked, lock_version=lock_version, evaluation_id=evaluation_id)
            decision = _decision_create(consultation=locked, user=user, choice=choice)
            locked.status = ConsultationStatus.DECIDED
            locked.decided_at = decision.decided_at
            _decision_logged(locked, decision, AccessLog.Action.DECIDE, "status", "decided_at")
            course_follow_decision(consultation=locked, decision=decision, user=user)
            _patient_notify(decision)
    except IntegrityError:
        # Last guard: the partial unique constraint let another first decision in first.
        if Decision.objects.filter(consultation=consultation, supersedes__isnull=True).exists():
            raise ConsultationChanged from None
        raise
    return Recorded(decision=decision, emailed=None)


def decision_amend(
    *,
    consultation: Consultation,
    user: User,
    decision_id: int,
    evaluation_id: int,
    lock_version: int,
    choice: DecisionInput,
    amendment_reason: str,
) -> Recorded:
    """Replace the current decision with a new one that supersedes it; both are kept.

    As with review_decide, the same amendment sent again moments later is not stored twice.
    """
    amendment_reason = amendment_reason.strip()
    if not amendment_reason:
        raise ValueError("an amendment needs a reason")
    try:
        with transaction.atomic():
            locked = locked_for_review(consultation)
            if locked.status != ConsultationStatus.DECIDED:
                raise ReviewRefused("Only a decided consultation can be amended.")
            current = decision_current(locked)
            if current is not None and _repeats(
                current,
                user=user,
                evaluation_id=evaluation_id,
                choice=choice,
                supersedes_id=decision_id,
                amendment_reason=amendment_reason,
            ):
                return Recorded(decision=current, emailed=None, repeated=True)
            check_unchanged(locked, lock_version=lock_version, evaluation_id=evaluation_id)
            if current is None or current.pk != decision_id:
                raise ConsultationChanged
            decision = _decision_create(
                consultation=locked,
                user=user,
                choice=choice,
                supersedes=current,
                amendment_reason=amendment_reason,
            )
            _decision_logged(locked, decision, AccessLog.Action.AMEND)
            course_follow_decision(consultation=locked, decision=decision, user=user)
            _patient_notify(decision)
    except IntegrityError:
        # Last guard: `supersedes` is one-to-one, so only one amendment of a decision gets in.
        if Decision.objects.filter(supersedes_id=decision_id).exists():
            raise ConsultationChanged from None
        raise
    return Recorded(decision=decision, emailed=None)


def _decision_logged(
    locked: Consultation, decision: Decision, action: str, *changed_fields: str
) -> None:
    """What every stored decision does next: a new lock version and an access log row."""
    lock_version_bump(locked, *changed_fields)
    access_log_record(
        user=decision.decided_by, action=action, consultation=locked, detail=_describe(decision)
    )


def _repeats(
    decision: Decision,
    *,
    user: User,
    evaluation_id: int,
    choice: DecisionInput,
    supersedes_id: int | None = None,
    amendment_reason: str = "",
) -> bool:
    """The decision in force is this practitioner's identical one, made moments ago."""
    return (
        decision.decided_by_id == user.pk
        and decision.evaluation_id == evaluation_id
        and decision.supersedes_id == supersedes_id
        and decision.amendment_reason == amendment_reason
        and _decision_input(decision) == choice
        and timezone.now() - decision.decided_at < REPEAT_WINDOW
    )


def _decision_input(decision: Decision) -> DecisionInput:
    return DecisionInput(
        outcome=decision.outcome,
        treatment=decision.treatment,
        reason_code=decision.reason_code,
        notes=decision.notes,
        override_excluded=decision.override_excluded,
        plan_sessions=decision.plan_sessions,
        plan_interval_weeks=decision.plan_interval_weeks,
        patient_message=decision.patient_message,
    )


def _decision_create(
    *,
    consultation: Consultation,
    user: User,
    choice: DecisionInput,
    supersedes: Decision | None = None,
    amendment_reason: str = "",
) -> Decision:
    # Both callers ran check_unchanged with the form's evaluation id: the consultation has one.
    assert consultation.latest_evaluation_id is not None
    evaluation = Evaluation.objects.get(pk=consultation.latest_evaluation_id)
    _check_choice(evaluation, choice)
    plan_constraints: list[str] = []
    if choice.treatment:
        plan_constraints = next(
            (
                list(s["constraints"])
                for s in evaluation.output["suggestions"]
                if s["treatment"] == choice.treatment
            ),
            [],
        )
    return Decision.objects.create(
        consultation=consultation,
        evaluation=evaluation,
        outcome=choice.outcome,
        treatment=choice.treatment,
        reason_code=choice.reason_code,
        notes=choice.notes,
        override_excluded=choice.override_excluded,
        plan_sessions=choice.plan_sessions if choice.treatment else None,
        plan_interval_weeks=choice.plan_interval_weeks if choice.treatment else None,
        plan_constraints=plan_constraints,
        aftercare_version=AFTERCARE_VERSION if choice.treatment else "",
        patient_message=(
            (choice.patient_message.strip() or decline_message(choice.reason_code))
            if choice.outcome == DecisionOutcome.DECLINED
            else ""
        ),
        supersedes=supersedes,
        amendment_reason=amendment_reason,
        decided_by=user,
        decided_at=timezone.now(),
    )


def _check_choice(evaluation: Evaluation, choice: DecisionInput) -> None:
    """The decision's own invariants (the form shows them to the practitioner as messages)."""
    primary = evaluation.primary
    excluded = {entry["treatment"] for entry in evaluation.output["excluded"]}
    if choice.treatment and evaluation.ruleset_version != rules.RULESET_VERSION:
        raise ReviewRefused(
            f"This suggestion comes from ruleset {evaluation.ruleset_version}, and the rules "
            f"have changed since ({rules.RULESET_VERSION}). Run the current rules again, then "
            "decide. You can still decline or refer."
        )
    if choice.treatment and any(
        flag["code"] == ANSWERS_MISSING for flag in evaluation.output["flags"]
    ):
        raise ReviewRefused(
            "The patient has not been asked every question yet: record their answers first "
            "(Correct answers). You can still decline or refer."
        )
    if choice.outcome == DecisionOutcome.ACCEPTED:
        if primary == rules.DEFER or choice.treatment != primary:
            raise ValueError("only a treatment the rules suggested first can be accepted")
    elif choice.outcome == DecisionOutcome.CHANGED:
        if choice.treatment not in rules.TREATMENTS or choice.treatment == primary:
            raise ValueError("a changed decision names another treatment")
    elif choice.outcome == DecisionOutcome.DECLINED:
        if choice.treatment:
            raise ValueError("a declined decision names no treatment")
    else:
        raise ValueError(f"unknown outcome {choice.outcome!r}")
    if choice.outcome != DecisionOutcome.ACCEPTED and not choice.reason_code:
        raise ValueError("a decision that differs from the suggestion needs a reason code")
    if choice.reason_code == DecisionReason.OTHER and not choice.notes.strip():
        raise ValueError("reason 'other' needs a note")
    if (choice.treatment in excluded) != choice.override_excluded:
        raise ValueError("choosing an excluded treatment needs (only then) an override")
    if choice.override_excluded and not choice.notes.strip():
        raise ValueError("an override needs a note")
    if choice.treatment:
        protocol = PROTOCOLS[choice.treatment]
        sessions, interval = choice.plan_sessions, choice.plan_interval_weeks
        if sessions is None or not protocol.min_sessions <= sessions <= protocol.max_sessions:
            raise ValueError("plan sessions out of bounds")
        if interval is None or not (
            protocol.min_interval_weeks <= interval <= protocol.max_interval_weeks
        ):
            raise ValueError("plan interval out of bounds")


def _describe(decision: Decision) -> str:
    return " ".join(filter(None, [decision.outcome, decision.treatment, decision.reason_code]))


def _patient_notify(decision: Decision) -> None:
    """Queue the patient's email with the decision: sent by a worker once it is committed."""
    kind = EmailKind.DECISION_AMENDED if decision.supersedes_id else EmailKind.DECISION
    outbox.email_queue(kind=kind, consultation=decision.consultation)


@transaction.atomic
def evaluation_rerun(
    *, consultation: Consultation, user: User | None, lock_version: int | None = None
) -> Evaluation:
    """Run the current rules again on the answers as they stand: a new evaluation, the earlier
    ones kept as they were (an evaluation made by an earlier ruleset is never rewritten).

    `lock_version`: the one the practitioner's page showed (None from the rerun_rules command).
    """
    locked = locked_for_review(consultation)
    if locked.status not in (ConsultationStatus.SUBMITTED, ConsultationStatus.DECIDED):
        raise ReviewRefused("Only a sent consultation can be evaluated again.")
    if lock_version is not None:
        check_unchanged(locked, lock_version=lock_version)
    lock_version_bump(locked)
    evaluation = evaluation_create(consultation=locked, trigger=EvaluationTrigger.RERUN, user=user)
    access_log_record(
        user=user,
        action=AccessLog.Action.RERUN,
        consultation=locked,
        detail=f"ruleset {evaluation.ruleset_version}",
    )
    consultation.lock_version = locked.lock_version
    consultation.latest_evaluation = evaluation
    return evaluation
