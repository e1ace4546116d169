"""The patient intake's workflow: drafts saved step by step, resume links, submission.

Every write is keyword-only, typed and transactional. Emails carry only the reference and
links, never answers.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import Field
from django.utils import timezone

from clinic.compiled import KeyedRead
from consultations import fitzpatrick, models, questionnaire, rules
from consultations.consent import CONSENT_TEXT_VERSION
from consultations.models import (
    Consent,
    Consultation,
    ConsultationStatus,
    EmailKind,
    FitzpatrickSource,
    Patient,
)
from consultations.rules.answers import MIN_AGE
from consultations.services import consultation_answers, evaluation_create, outbox

logger = logging.getLogger(__name__)

STEPS: tuple[str, ...] = questionnaire.QUESTION_STEPS
# Yes/no question -> the text box that follows it up ("which medicines?", "what allergies?").
FOLLOW_UPS: dict[str, str] = questionnaire.follow_ups()
PATIENT_FIELDS: tuple[str, ...] = ("first_name", "last_name", "date_of_birth", "email", "phone")
_EMPTY: dict[str, Any] = {"date_of_birth": None}  # an answer not given yet (else "")
RESUME_SALT = "consultations.intake.resume"


class IntakeError(Exception):
    """The intake cannot do what was asked; the view explains it to the patient."""


class ConsultationNotEditable(IntakeError):
    """The consultation was already submitted (another tab, the back button, a retry)."""

    def __init__(self, consultation: Consultation) -> None:
        super().__init__(f"consultation {consultation.pk} is {consultation.status}")
        self.consultation = consultation


class DraftNotAttached(IntakeError):
    """The browser's key to the draft is out of date: a newer resume link was emailed, or the
    patient's record was anonymised. It no longer opens the draft."""


class IntakeIncomplete(IntakeError):
    """Some steps still lack answers; `steps` names them in order."""

    def __init__(self, steps: list[str]) -> None:
        super().__init__("unanswered steps: " + ", ".join(steps))
        self.steps = steps


# --- Drafts -------------------------------------------------------------------------------------


# A reference is 5 random characters from 32 (about 33.5 million): a clash with an existing one
# is rare but certain to happen one day, and must not lose the patient's first step.
REFERENCE_ATTEMPTS = 5
_REFERENCE_CONSTRAINT = "consultation_unique_reference"


@transaction.atomic
def draft_start(*, about: Mapping[str, Any]) -> Consultation:
    """Create the patient and their draft consultation from the first step's answers.

    A reference that is already taken is drawn again (in a savepoint, so the patient row
    stays); any other integrity error, or REFERENCE_ATTEMPTS clashes in a row, is raised.
    """
    # Saved for later from the first page, only the email may be given.
    patient = Patient.objects.create(
        **{name: about.get(name) or _EMPTY.get(name, "") for name in PATIENT_FIELDS}
    )
    attempts_left = REFERENCE_ATTEMPTS
    while True:
        try:
            with transaction.atomic():
                return Consultation.objects.create(
                    patient=patient, reference=models.new_reference()
                )
        except IntegrityError as exc:
            attempts_left -= 1
            if not attempts_left or not _is_reference_clash(exc):
                raise
            logger.info("A new consultation's reference was taken; drawing another")


def _is_reference_clash(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    constraint = getattr(getattr(cause, "diag", None), "constraint_name", None)
    if constraint is not None:  # PostgreSQL names the constraint
        return constraint == _REFERENCE_CONSTRAINT
    return _REFERENCE_CONSTRAINT in str(exc) or "consultation.reference" in str(exc)


# Compiled once per thread (clinic/compiled.py): the submit's read of about 90 columns.
_ATTACHED_READ = KeyedRead(
    Consultation.objects.select_for_update(of=("self",)).select_related("patient"), "pk"
)


def _attached(consultation_id: int, draft_key: str) -> Consultation:
    """The consultation, row-locked, if the browser's key still opens it.

    Checked under the lock, so that a write can never land after the key changed: a resume
    link emailed away, or an erasure, ends every earlier browser's hold at once.
    """
    consultation = _ATTACHED_READ.get(consultation_id)
    if not consultation.opens_with(draft_key) or consultation.patient.anonymised_at is not None:
        raise DraftNotAttached(f"consultation {consultation_id}")
    return consultation


def draft_save(
    *, consultation_id: int, draft_key: str, step: str, answers: Mapping[str, Any]
) -> None:
    """Store one step's answers on the draft, clearing answers that no longer apply.

    Raises DraftNotAttached when the browser's key no longer opens the draft, and
    ConsultationNotEditable once the consultation has been submitted.
    """
    if step == "about":
        _about_save(consultation_id=consultation_id, draft_key=draft_key, answers=answers)
        return
    values = _STEP_VALUES[step](answers) if step in _STEP_VALUES else _health_values(step, answers)
    # A draft is always answered in the current questionnaire's words: one started under an
    # earlier version asks the new questions when the patient comes back to it.
    values["questionnaire_version"] = questionnaire.QUESTIONNAIRE_VERSION
    if _draft_update(consultation_id=consultation_id, draft_key=draft_key, values=values):
        return
    with transaction.atomic():  # not saved: find out why under the row lock, as other writes
        try:
            consultation = _attached(consultation_id, draft_key)
        except Consultation.DoesNotExist:
            raise DraftNotAttached(f"consultation {consultation_id}") from None
        if not consultation.is_editable_by_patient:
            raise ConsultationNotEditable(consultation)
        _draft_update(consultation_id=consultation_id, draft_key=draft_key, values=values)


def _draft_update(*, consultation_id: int, draft_key: str, values: Mapping[str, Any]) -> bool:
    """Write `values` (and the time) on the draft if this key still opens it: whether it did.

    One statement, no transaction: the UPDATE locks the row and checks its conditions on the
    row as it is then (PostgreSQL re-reads a row that changed while it waited), so answers
    never land after the submission, nor after the key changed (a resume link emailed away,
    an erasure: both give the draft a new key), nor on an anonymised patient's draft.
    """
    values = {**values, "updated_at": timezone.now()}
    fields = [_CONSULTATION_FIELDS[name] for name in values]
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _draft_update_sql(tuple(values)),
            [*params, consultation_id, draft_key, ConsultationStatus.DRAFT],
        )
        return cursor.rowcount > 0


_CONSULTATION_FIELDS: dict[str, Field[Any, Any]] = {
    field.name: field for field in Consultation._meta.concrete_fields
}


# Only while the key still opens the draft, it is still a draft and its patient is not
# anonymised. The conditions are on the row itself, not through a join, which Django would
# turn into a subquery read before the lock.
_DRAFT_UPDATE_CONDITIONS = (
    ' WHERE "consultations_consultation"."id" = %s'
    ' AND "consultations_consultation"."draft_key" = %s'
    ' AND "consultations_consultation"."status" = %s'
    ' AND NOT EXISTS (SELECT 1 FROM "consultations_patient"'
    ' WHERE "consultations_patient"."id" = "consultations_consultation"."patient_id"'
    ' AND "consultations_patient"."anonymised_at" IS NOT NULL)'
)


@functools.cache
def _draft_update_sql(names: tuple[str, ...]) -> str:
    """The UPDATE of these columns, written once: the ORM compiled the same statement (with
    its subquery) again for every step saved, most of the CPU time such a request took."""
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(_CONSULTATION_FIELDS[name].column)} = %s" for name in names)
    table = quote(Consultation._meta.db_table)
    return f"UPDATE {table} SET {columns}{_DRAFT_UPDATE_CONDITIONS}"  # noqa: S608 - names from models


@transaction.atomic
def _about_save(*, consultation_id: int, draft_key: str, answers: Mapping[str, Any]) -> None:
    consultation = _attached(consultation_id, draft_key)
    if not consultation.is_editable_by_patient:
        raise ConsultationNotEditable(consultation)
    Patient.objects.filter(pk=consultation.patient_id).update(
        **{name: answers[name] for name in PATIENT_FIELDS}, updated_at=timezone.now()
    )
    consultation.save(update_fields=["updated_at"])


def _skin_values(answers: Mapping[str, Any]) -> dict[str, Any]:
    self_report = answers.get("fitzpatrick_self_report")
    # Only the self-test's answers while the patient uses it: unticked, they are cleared.
    test_answers = dict(answers.get("test_answers") or {})
    score = tested = None
    if len(test_answers) == len(fitzpatrick.ITEMS):
        score = fitzpatrick.score(test_answers)
        tested = fitzpatrick.phototype_for_score(score)
    phototype = fitzpatrick.reconcile(self_report, tested)
    # The source names the answer whose type is kept: the self-test's unless the patient's
    # own pick is the darker one (both values stay recorded either way).
    source: str
    if tested is not None and phototype == tested:
        source = FitzpatrickSource.QUESTIONNAIRE
    elif self_report is not None:
        source = FitzpatrickSource.SELF_REPORT
    else:
        source = ""
    return {
        "fitzpatrick_self_report": self_report,
        "fitzpatrick_test_answers": test_answers,
        "fitzpatrick_score": score,
        "fitzpatrick": phototype,
        "fitzpatrick_source": source,
        "sebum": answers.get("sebum") or "",
    }


def _goals_values(answers: Mapping[str, Any]) -> dict[str, Any]:
    values = {
        "downtime_tolerance": answers.get("downtime_tolerance") or "",
        "previous_treatments": answers.get("previous_treatments") or "",
    }
    # The first goal stored is the main goal. Without one (a partial save), storing the other
    # goals would promote one of them to main and count the step as answered: keep what was
    # stored until the patient chooses a main goal.
    if answers.get("main_goal"):
        values["goals"] = list(answers.get("goals") or [])
    return values


def _health_values(step: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    """One health page's answers. A follow-up is kept only after "yes" (the form clears it
    after "no"); one given before its question was answered (a partial save) means "yes"."""
    asked = questionnaire.questions_in(step)
    values = {q.code: answers.get(q.code) for q in asked if not q.follows}
    for follow_up in (q for q in asked if q.follows):
        given = answers.get(follow_up.code) or ""
        answer = values.get(follow_up.follows)
        values[follow_up.follows] = (bool(given) or None) if answer is None else answer
        values[follow_up.code] = given if values[follow_up.follows] else ""
    return values


_STEP_VALUES = {"skin": _skin_values, "goals": _goals_values}


def _health_step_missing(consultation: Consultation, step: str) -> bool:
    """A health page still waits for an answer (a follow-up after "yes" included)."""
    for question in questionnaire.questions_in(step):
        if question.follows:
            if getattr(consultation, question.follows) and not getattr(consultation, question.code):
                return True
        elif getattr(consultation, question.code) is None:
            return True
    return False


def draft_missing_steps(consultation: Consultation) -> list[str]:
    """The steps whose answers are not complete yet, in order."""
    missing = [] if consultation.patient.about_complete else ["about"]
    if (
        consultation.fitzpatrick is None
        or not consultation.fitzpatrick_source
        or not consultation.sebum
        or (consultation.fitzpatrick_test_answers and consultation.fitzpatrick_score is None)
    ):
        missing.append("skin")
    if not consultation.goals or not consultation.downtime_tolerance:
        missing.append("goals")
    missing += [
        step for step in questionnaire.HEALTH_STEPS if _health_step_missing(consultation, step)
    ]
    return missing


# --- Resume links -------------------------------------------------------------------------------


def resume_signature(consultation: Consultation) -> str:
    """The signed part of a resume link: the public token, the draft's key and the time.

    Only the latest link works: emailing a new one gives the draft a new key.
    """
    value = f"{consultation.public_token}:{consultation.draft_key}"
    return signing.TimestampSigner(salt=RESUME_SALT).sign(value)


def resume_token(signed: str) -> tuple[str, str]:
    """The public token and the draft key in a resume link.

    Raises signing.SignatureExpired after INTAKE_RESUME_MAX_AGE_DAYS, signing.BadSignature when
    the link was altered (or is of an older form without a key).
    """
    max_age = settings.INTAKE_RESUME_MAX_AGE_DAYS * 24 * 60 * 60
    value = signing.TimestampSigner(salt=RESUME_SALT).unsign(signed, max_age=max_age)
    token, colon, key = value.partition(":")
    if not colon or not token or not key:
        raise signing.BadSignature("A resume link without a draft key")
    return token, key


def draft_resume_link_send(
    *, consultation_id: int, draft_key: str, email: str | None = None
) -> str | None:
    """Queue the email with a private link that reopens the draft, and give the draft a new key.

    `email`: the address the patient confirmed, stored as theirs first when it differs (a typo
    corrected). The new key is in the link only, and is returned for the sending browser's
    short right to correct the address (intake/browser.py): every browser that held the draft
    and every earlier link lets go of it. None when the address has had its share of emails
    (nothing changes then, and the browser keeps the draft). Raises DraftNotAttached when the
    key no longer opens the draft.
    """
    with transaction.atomic():
        consultation = _attached(consultation_id, draft_key)
        if not consultation.is_editable_by_patient:
            raise DraftNotAttached
        patient = consultation.patient
        if email is not None and email != patient.email:
            patient.email = email
            patient.save(update_fields=["email", "updated_at"])
        if outbox.email_queue(kind=EmailKind.RESUME_LINK, consultation=consultation) is None:
            transaction.set_rollback(True)  # the address stays as it was
            return None
        consultation.draft_key = models.new_draft_key()
        consultation.save(update_fields=["draft_key", "updated_at"])
    return consultation.draft_key


# --- Submission ---------------------------------------------------------------------------------

# The page that asks each answer (the rules' derived answers on the page they come from).
_STEP_FOR_ANSWER = {
    **{q.code: q.step for q in questionnaire.QUESTIONS},
    "fitzpatrick": "skin",
    "fitzpatrick_source": "skin",
    "age": "about",
}


@transaction.atomic
def consultation_submit(
    *, consultation_id: int, draft_key: str, consent_text_version: str = CONSENT_TEXT_VERSION
) -> tuple[Consultation, bool]:
    """Submit the draft: record consent, derive the age, run the rules, tell people.

    Returns (consultation, True) when this call submitted it, and (consultation, False) when it
    was already submitted: a double click, a retry or a second tab is a success, not an error.
    Raises IntakeIncomplete while answers are missing, DraftNotAttached when the browser's key
    no longer opens the draft (or there is no such consultation).
    """
    # The row lock makes concurrent submissions of one draft queue up: the first submits,
    # the others then see it submitted.
    try:
        consultation = _attached(consultation_id, draft_key)
    except Consultation.DoesNotExist:
        raise DraftNotAttached(f"consultation {consultation_id}") from None
    if not consultation.is_editable_by_patient:
        return consultation, False
    missing = draft_missing_steps(consultation)
    if missing:  # "about" among them while a draft saved early lacks the date of birth
        raise IntakeIncomplete(missing)
    now = timezone.now()
    age = consultation.patient.age_on(timezone.localdate(now))
    if age < MIN_AGE:
        raise IntakeIncomplete(["about"])
    consultation.status = ConsultationStatus.SUBMITTED
    consultation.submitted_at = now
    consultation.age = age
    consultation.questionnaire_version = questionnaire.QUESTIONNAIRE_VERSION
    try:
        rules.Answers.from_mapping(consultation_answers(consultation))
    except rules.AnswersError as exc:
        steps = {_STEP_FOR_ANSWER.get(code, "check") for code in exc.errors}
        raise IntakeIncomplete([step for step in STEPS if step in steps]) from exc
    Consent.objects.create(
        consultation=consultation, text_version=consent_text_version, accepted_at=now
    )
    evaluation_create(
        consultation=consultation,
        fields=["status", "submitted_at", "age", "questionnaire_version", "updated_at"],
    )
    # Queued with the submission: sent by a worker once it is safely stored, never before.
    outbox.email_queue(kind=EmailKind.INTAKE_SUBMITTED, consultation=consultation)
    if settings.PRACTITIONER_NOTIFY_EMAILS:
        outbox.email_queue(kind=EmailKind.PRACTITIONERS_NEW, consultation=consultation)
    return consultation, True
