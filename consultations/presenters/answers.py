"""Answers in words: the patient's questions on their pages, clinical terms on staff pages."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from consultations import fitzpatrick, questionnaire
from consultations.models import (
    AnswerCorrection,
    Consultation,
)
from consultations.questionnaire import CLINICIAN, PATIENT

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


# --- Answers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One answer in words: the question's label for the audience and the answer."""

    code: str
    label: str
    value: str
    notable: bool = False
    correction: AnswerCorrection | None = None
    corrected_from: str = ""


@dataclass(frozen=True)
class Section:
    """The answers of one step, in the order they were asked."""

    slug: str
    title: str
    rows: list[Row] = field(default_factory=list)


def not_answered(audience: str) -> str:
    return questionnaire.NOT_ANSWERED_TERM if audience == CLINICIAN else questionnaire.NOT_ANSWERED


def answer_text(code: str, value: Any, audience: str = CLINICIAN) -> str:
    """One stored answer in words for an audience ("Not answered" when there is none)."""
    if value is None or value == "" or value == []:
        return not_answered(audience)
    question = questionnaire.BY_CODE.get(code)
    if question is None:
        return str(value)
    if code == "fitzpatrick" and audience == CLINICIAN:
        return questionnaire.phototype_name(value)
    if question.kind == questionnaire.BOOLEAN:
        return question.yes_label if value and audience == PATIENT else ("Yes" if value else "No")
    if question.options:
        values = value if isinstance(value, list | tuple) else [value]
        return ", ".join(question.option_label(v, audience) or str(v) for v in values)
    return str(value)


def _optional(code: str, value: str, audience: str) -> str:
    """A free-text or optional answer, or the question's words for "nothing given"."""
    question = questionnaire.question(code)
    empty = question.term_empty if audience == CLINICIAN else question.empty
    return value or empty or not_answered(audience)


def _label(code: str, audience: str) -> str:
    return questionnaire.question(code).words(audience)


def date_of_birth_text(born: datetime.date) -> str:
    return f"{born.day} {MONTHS[born.month - 1]} {born.year}"


def _about(consultation: Consultation, audience: str) -> list[Row]:
    patient = consultation.patient
    born = patient.date_of_birth
    if born is None:  # a draft saved from the first page with only an email address
        born_text = not_answered(audience)
    elif audience == CLINICIAN:
        age = f" (age {consultation.age} at submission)" if consultation.age is not None else ""
        born_text = f"{born:%d %b %Y}{age}"
    else:
        born_text = date_of_birth_text(born)
    return [
        Row("name", questionnaire.NAME_LABEL, patient.full_name.strip() or not_answered(audience)),
        Row("date_of_birth", _label("date_of_birth", audience), born_text),
        Row("email", _label("email", audience), patient.email),
        Row("phone", _label("phone", audience), _optional("phone", patient.phone, audience)),
    ]


def _skin_for_patient(consultation: Consultation) -> list[Row]:
    own_pick = consultation.fitzpatrick_self_report
    score = consultation.fitzpatrick_score
    if own_pick is None and score is None:
        # Records made outside the questionnaire (imports, demo data) hold only the type.
        own_pick = consultation.fitzpatrick
    own = questionnaire.question("fitzpatrick_self_report")
    rows = [Row(own.code, own.label, own.option_label(own_pick) or own.empty)]
    result = questionnaire.question("fitzpatrick_score")
    if score is not None:
        tested = fitzpatrick.phototype_for_score(score)
        rows.append(
            Row(
                result.code,
                result.label,
                questionnaire.SELF_TEST_RESULT.format(
                    phototype=questionnaire.phototype_name(tested),
                    score=score,
                    max_score=fitzpatrick.MAX_SCORE,
                ),
            )
        )
        if consultation.fitzpatrick_self_report not in (None, tested):
            used = questionnaire.question("fitzpatrick")
            rows.append(
                Row(
                    used.code,
                    used.label,
                    questionnaire.PHOTOTYPE_USED.format(
                        phototype=questionnaire.phototype_name(consultation.fitzpatrick or tested)
                    ),
                )
            )
    elif consultation.fitzpatrick_test_answers:
        rows.append(Row(result.code, result.label, questionnaire.SELF_TEST_UNFINISHED))
    rows.append(_answer_row(consultation, "sebum", PATIENT))
    return rows


def _phototype_for_clinician(consultation: Consultation) -> str:
    details = [answer_text("fitzpatrick_source", consultation.fitzpatrick_source)]
    if consultation.fitzpatrick_score is not None:
        details.append(
            questionnaire.SELF_TEST_RESULT_TERM.format(
                score=consultation.fitzpatrick_score, max_score=fitzpatrick.MAX_SCORE
            )
        )
    picked = consultation.fitzpatrick_self_report
    if picked and picked != consultation.fitzpatrick:
        details.append(
            questionnaire.PHOTOTYPE_PICKED_TERM.format(roman=questionnaire.ROMAN[picked])
        )
    return f"{answer_text('fitzpatrick', consultation.fitzpatrick)} ({'; '.join(details)})"


def _answer_row(
    consultation: Consultation,
    code: str,
    audience: str,
    *,
    corrections: dict[str, AnswerCorrection] | None = None,
    value: str | None = None,
) -> Row:
    stored = getattr(consultation, code)
    correction = (corrections or {}).get(code)
    return Row(
        code,
        _label(code, audience),
        answer_text(code, stored, audience) if value is None else value,
        notable=audience == CLINICIAN and stored is True,
        correction=correction,
        corrected_from=answer_text(code, correction.old_value) if correction else "",
    )


def _goals(consultation: Consultation, audience: str) -> list[Row]:
    goals = list(consultation.goals or [])
    main = questionnaire.question("goals")
    others = questionnaire.question("other_goals")
    other_words = [answer_text("goals", goal, audience) for goal in goals[1:]]
    return [
        Row(
            main.code,
            main.words(audience),
            answer_text("goals", goals[0], audience) if goals else not_answered(audience),
        ),
        Row(
            others.code,
            others.words(audience),
            _optional("other_goals", ", ".join(other_words), audience),
        ),
        _answer_row(consultation, "downtime_tolerance", audience),
        Row(
            "previous_treatments",
            _label("previous_treatments", audience),
            _optional("previous_treatments", consultation.previous_treatments, audience),
        ),
    ]


NOT_ASKED_TERM = "Not asked: answered under questionnaire {version}"


def _health(
    consultation: Consultation,
    step: str,
    audience: str,
    corrections: dict[str, AnswerCorrection],
) -> list[Row]:
    """One health page's answers. A yes/no question that opens a text box shares one row with
    it; a follow-up with options has its own row after "yes"; a question the patient was never
    asked is left out of their pages and named as such on staff pages."""
    rows = []
    # Never asked: a consultation sent under an earlier questionnaire (R45).
    unasked = set() if consultation.is_editable_by_patient else set(consultation.unasked_codes)
    for question in questionnaire.questions_in(step):
        code = question.code
        if question.follows and question.kind == questionnaire.TEXT:
            rows.append(_follow_up_row(consultation, question, audience))
        elif (
            code in questionnaire.follow_ups()
            and questionnaire.question(questionnaire.follow_ups()[code]).kind == questionnaire.TEXT
        ):
            continue  # shown with its text box
        elif question.follows and not getattr(consultation, question.follows):
            continue  # a follow-up that does not apply
        elif code in unasked:
            if audience == CLINICIAN:
                version = consultation.questionnaire_version
                value = NOT_ASKED_TERM.format(version=version)
                rows.append(_answer_row(consultation, code, audience, value=value))
        else:
            rows.append(_answer_row(consultation, code, audience, corrections=corrections))
    return rows


def _follow_up_row(
    consultation: Consultation, question: questionnaire.Question, audience: str
) -> Row:
    """A yes/no question and its box as one row: the text after "yes", else the answer."""
    asked = getattr(consultation, question.follows)
    text = getattr(consultation, question.code)
    if asked is None:
        value = not_answered(audience)
    elif not asked:
        value = _optional(question.code, "", audience)
    else:
        value = text or questionnaire.question(question.follows).yes_label
    return Row(question.code, question.words(audience), value)


def patient_sections(consultation: Consultation) -> list[Section]:
    """The answers in the patient's words: "check your answers" and the patient's copy."""
    return [
        Section("about", questionnaire.STEP_TITLES["about"], _about(consultation, PATIENT)),
        Section("skin", questionnaire.STEP_TITLES["skin"], _skin_for_patient(consultation)),
        Section("goals", questionnaire.STEP_TITLES["goals"], _goals(consultation, PATIENT)),
        *(
            Section(step, questionnaire.STEP_TITLES[step], _health(consultation, step, PATIENT, {}))
            for step in questionnaire.HEALTH_STEPS
        ),
    ]


def clinician_sections(
    consultation: Consultation, corrections: Iterable[AnswerCorrection] = ()
) -> list[Section]:
    """The answers in clinical terms, each corrected one with its latest correction (the
    practitioner's answer table and the printable summary). `corrections`: oldest first."""
    latest = {correction.field: correction for correction in corrections}
    skin = [
        _answer_row(
            consultation,
            "fitzpatrick",
            CLINICIAN,
            corrections=latest,
            value=_phototype_for_clinician(consultation),
        ),
        _answer_row(consultation, "sebum", CLINICIAN, corrections=latest),
    ]
    terms = questionnaire.STEP_TERMS
    return [
        Section("about", terms["about"], _about(consultation, CLINICIAN)),
        Section("skin", terms["skin"], skin),
        Section("goals", terms["goals"], _goals(consultation, CLINICIAN)),
        *(
            Section(step, terms[step], _health(consultation, step, CLINICIAN, latest))
            for step in questionnaire.HEALTH_STEPS
        ),
    ]
