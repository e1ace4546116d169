"""The workflow layer: the only code that writes records.

Functions are keyword-only, typed, named `<entity>_<action>` and transactional. Shared pieces
live here; the intake's and the review's own steps live in `services/intake.py` and
`services/review.py`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from consultations import rules
from consultations.models import (
    AccessLog,
    Consultation,
    Evaluation,
    EvaluationFinding,
    EvaluationTrigger,
    Severity,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def consultation_answers(consultation: Consultation) -> dict[str, Any]:
    """The consultation's answers as the rules module's input mapping (contract codes and the
    questionnaire version it was answered under). A follow-up not asked is absent (null)."""
    return consultation.rules_input()


def findings_from_output(output: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(rule, flag, severity) for every rule the output names, flags first, without repeats."""
    seen: dict[tuple[str, str], str] = {}
    for flag in output["flags"]:
        seen.setdefault((flag["rule"], flag["code"]), flag["severity"])
    named = {flag["rule"] for flag in output["flags"]}
    for entry in [*output["suggestions"], *output["excluded"]]:
        for reason in entry["reasons"]:
            if reason["rule"] not in named:
                seen.setdefault((reason["rule"], ""), "")
                named.add(reason["rule"])
    return [(rule, flag, severity) for (rule, flag), severity in seen.items()]


def evaluation_build(
    consultation: Consultation,
    *,
    trigger: str = EvaluationTrigger.SUBMISSION,
    user: User | None = None,
) -> Evaluation:
    """Run the rules on the consultation's stored answers: an unsaved Evaluation snapshot.

    Raises rules.AnswersError when the stored answers are incomplete or invalid.
    """
    answers = rules.Answers.from_mapping(consultation_answers(consultation))
    output = rules.evaluate(answers).to_dict()
    return Evaluation(
        consultation=consultation,
        answers=answers.to_dict(),
        output=output,
        ruleset_version=output["ruleset_version"],
        primary=output["primary"],
        has_stop_flag=any(flag["severity"] == Severity.STOP for flag in output["flags"]),
        trigger=trigger,
        created_by=user,
    )


def findings_build(evaluation: Evaluation) -> list[EvaluationFinding]:
    return [
        EvaluationFinding(evaluation=evaluation, rule=rule, flag=flag, severity=severity)
        for rule, flag, severity in findings_from_output(evaluation.output)
    ]


# No savepoint inside a caller's transaction: a failure here fails the caller's write too.
@transaction.atomic(savepoint=False)
def evaluation_create(
    *,
    consultation: Consultation,
    trigger: str = EvaluationTrigger.SUBMISSION,
    user: User | None = None,
    fields: Sequence[str] = (),
) -> Evaluation:
    """Run the rules on the consultation's stored answers and keep the snapshot.

    `fields`: other fields of the consultation, changed by the caller, saved in the same
    UPDATE as the new latest evaluation. Raises rules.AnswersError when the answers are
    incomplete or invalid.
    """
    evaluation = evaluation_build(consultation, trigger=trigger, user=user)
    evaluation.save()
    EvaluationFinding.objects.bulk_create(findings_build(evaluation))
    consultation.latest_evaluation = evaluation
    if fields:
        consultation.save(update_fields=["latest_evaluation", *fields])
    else:
        Consultation.objects.filter(pk=consultation.pk).update(latest_evaluation=evaluation)
    return evaluation


@functools.cache
def _access_log_insert() -> str:
    table, by_name = AccessLog._meta.db_table, {f.name: f for f in AccessLog._meta.concrete_fields}
    columns = _ACCESS_LOG_COLUMNS
    names = ", ".join(f'"{by_name[c].column}"' for c in columns)
    # Names from the model's metadata only, never input.
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(["%s"] * len(columns))})'  # noqa: S608


_ACCESS_LOG_COLUMNS = ("user", "action", "consultation", "patient", "detail", "at")


def access_log_record(
    *,
    user: User | AnonymousUser | None,
    action: str,
    consultation: Consultation | None = None,
    consultation_id: int | None = None,
    patient_id: int | None = None,
    detail: str = "",
) -> None:
    """Append who did what to which record; never patient data in `detail`. One INSERT, without
    building a model instance: every staff view of a record writes one."""
    user_id = user.pk if user is not None and user.is_authenticated else None
    if user_id is None and user is not None and user.is_authenticated:
        # As the model's save() refused it: a staff action never lands without its author.
        raise ValueError("access_log_record: the user is unsaved, the row would name nobody")
    at = AccessLog._meta.get_field("at").get_db_prep_save(timezone.now(), connection)
    if consultation is not None:
        consultation_id = consultation.pk
        patient_id = consultation.patient_id if patient_id is None else patient_id
    with connection.cursor() as cursor:
        cursor.execute(
            _access_log_insert(),
            [
                user_id,
                action,
                consultation_id,
                patient_id,
                detail[:200],
                at,
            ],
        )
