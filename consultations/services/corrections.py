"""Practitioners' corrections: answers as found on examination, or as the patient gave them when
asked a question they were not asked (a consultation answered under an earlier questionnaire).

Like every review write, a correction locks the consultation row and compares the lock version
the practitioner's form was built on (services/review.py); the rules then run again as a new
evaluation, and the earlier ones stay as they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from consultations import rules
from consultations.models import (
    AccessLog,
    AnswerCorrection,
    Consultation,
    ConsultationStatus,
    Evaluation,
    EvaluationTrigger,
    FitzpatrickSource,
)
from consultations.services import access_log_record, consultation_answers, evaluation_create
from consultations.services.review import (
    NothingChanged,
    ReviewRefused,
    check_unchanged,
    lock_version_bump,
    locked_for_review,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Answers a practitioner may correct after examining the patient.
CORRECTABLE_FIELDS: tuple[str, ...] = (
    "fitzpatrick",
    "fitzpatrick_source",
    "sebum",
    *rules.BOOLEAN_FIELDS,
    *rules.FOLLOW_UPS,
)


@transaction.atomic
def correction_apply(
    *,
    consultation: Consultation,
    user: User,
    lock_version: int,
    changes: Mapping[str, Any],
    note: str = "",
) -> Evaluation:
    """Correct answers after examination and re-run the rules as a new evaluation.

    One AnswerCorrection per changed answer (a corrected phototype also records that the
    practitioner is now its source); earlier evaluations are kept as they were.
    """
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValueError(f"not correctable: {', '.join(sorted(unknown))}")
    locked = locked_for_review(consultation)
    if locked.status == ConsultationStatus.DECIDED and not set(changes) <= set(
        locked.unasked_codes
    ):
        # After a decision, only the answers the patient was never asked may be recorded
        # (so that an amendment can be decided on the current rules): nothing is rewritten.
        raise ReviewRefused(
            "This consultation has been decided, so its answers can no longer be corrected. "
            "To change the outcome, amend the decision."
        )
    if locked.status not in (ConsultationStatus.SUBMITTED, ConsultationStatus.DECIDED):
        raise ReviewRefused("Only a submitted consultation can be corrected.")
    check_unchanged(locked, lock_version=lock_version)

    if changes.get("fitzpatrick_source", FitzpatrickSource.PRACTITIONER) != (
        FitzpatrickSource.PRACTITIONER
    ):
        raise ValueError("only the practitioner can become the phototype's source")
    diffs = {
        field: (getattr(locked, field), value)
        for field, value in changes.items()
        if getattr(locked, field) != value
    }
    # A follow-up applies only after "yes": one whose question is now "no" is cleared.
    for follow_up, (parent, _values) in rules.FOLLOW_UPS.items():
        parent_now = diffs[parent][1] if parent in diffs else getattr(locked, parent)
        follow_up_now = diffs[follow_up][1] if follow_up in diffs else getattr(locked, follow_up)
        if not parent_now and follow_up_now:
            diffs[follow_up] = (getattr(locked, follow_up), "")
    # A follow-up cleared that was empty already is no change.
    diffs = {field: (old, new) for field, (old, new) in diffs.items() if old != new}
    if not diffs:
        raise NothingChanged("No answer was changed.")
    if "fitzpatrick" in diffs and locked.fitzpatrick_source != FitzpatrickSource.PRACTITIONER:
        diffs["fitzpatrick_source"] = (locked.fitzpatrick_source, FitzpatrickSource.PRACTITIONER)
    for field, (_old, new) in diffs.items():
        setattr(locked, field, new)
    try:
        # Before anything is saved: the rules must be able to read the corrected answers.
        rules.Answers.from_mapping(consultation_answers(locked))
    except rules.AnswersError as exc:
        # The form checks the same (a follow-up after "yes"): this is the last guard.
        raise ReviewRefused(
            "These answers cannot be checked by the rules: "
            + "; ".join(f"{code} {message}" for code, message in exc.errors.items())
        ) from exc
    lock_version_bump(locked, *diffs)
    evaluation = evaluation_create(
        consultation=locked, trigger=EvaluationTrigger.CORRECTION, user=user
    )
    now = timezone.now()
    AnswerCorrection.objects.bulk_create(
        AnswerCorrection(
            consultation=locked,
            field=field,
            old_value=old,
            new_value=new,
            note=note,
            evaluation=evaluation,
            corrected_by=user,
            corrected_at=now,
        )
        for field, (old, new) in diffs.items()
    )
    access_log_record(
        user=user,
        action=AccessLog.Action.CORRECT,
        consultation=locked,
        detail="corrected " + ", ".join(diffs),
    )
    consultation.lock_version = locked.lock_version
    consultation.latest_evaluation = evaluation
    return evaluation
