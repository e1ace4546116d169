"""Answers, rules output, decisions, corrections and the history, put into words once.

Two audiences read them: the patient (plain words, the questions as they were asked) and the
clinic's staff (clinical terms). The intake's check page and the patient's copy, the review
pages, the printable summary, the admin and the FHIR export all take their words from here, and
here from consultations/questionnaire.py. Nothing here queries the database: callers pass what
the selectors fetched.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from consultations import fitzpatrick, questionnaire, rules
from consultations.models import (
    AnswerCorrection,
    Consultation,
    Decision,
    DecisionOutcome,
    DecisionReason,
    Evaluation,
    EvaluationTrigger,
    Primary,
    Treatment,
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
    if audience == CLINICIAN:
        age = f" (age {consultation.age} at submission)" if consultation.age is not None else ""
        born_text = f"{born:%d %b %Y}{age}"
    else:
        born_text = date_of_birth_text(born)
    return [
        Row("name", questionnaire.NAME_LABEL, patient.full_name),
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


def _health(
    consultation: Consultation, audience: str, corrections: dict[str, AnswerCorrection]
) -> list[Row]:
    rows = []
    for question in questionnaire.questions_in("health"):
        if question.follows:
            rows.append(_follow_up_row(consultation, question, audience))
        elif question.code in questionnaire.HEALTH_QUESTION_CODES:
            rows.append(_answer_row(consultation, question.code, audience, corrections=corrections))
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
        Section("health", questionnaire.STEP_TITLES["health"], _health(consultation, PATIENT, {})),
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
        Section("health", terms["health"], _health(consultation, CLINICIAN, latest)),
    ]


# --- The rules' output --------------------------------------------------------------------------

SEVERITY_ORDER = {"stop": 0, "caution": 1, "info": 2}
STATUS_LABELS = {"suitable": "Suitable", "caution": "Caution"}

# Flags in clinical terms: a yes/no answer's flag is named after its question's term.
FLAG_TERMS: dict[str, str] = {
    flag: questionnaire.question(code).term for code, flag in rules.FLAG_FOR_FIELD.items()
} | {"PIH_RISK": "PIH risk (Fitzpatrick IV-VI)"}


def flag_label(code: str) -> str:
    return FLAG_TERMS.get(code, code)


def treatment_label(code: str) -> str:
    """A treatment (or "defer to practitioner") in words."""
    return dict(Primary.choices).get(code, code)


def output_card(output: dict[str, Any]) -> dict[str, Any]:
    """The rules' output (contract JSON) with the labels staff read; flags by severity, stop
    first. The review page, the printable summary and the admin show it."""
    flags = sorted(output.get("flags", []), key=lambda f: SEVERITY_ORDER.get(f["severity"], 9))
    return {
        "primary": output["primary"],
        "primary_label": treatment_label(output["primary"]),
        "is_defer": output["primary"] == rules.DEFER,
        "defer_reason": output.get("defer_reason"),
        "suggestions": [
            {
                **s,
                "label": treatment_label(s["treatment"]),
                "is_primary": s["rank"] == 1,
                "status_label": STATUS_LABELS.get(s["status"], s["status"]),
            }
            for s in output.get("suggestions", [])
        ],
        "excluded": [
            {**e, "label": treatment_label(e["treatment"])} for e in output.get("excluded", [])
        ],
        "flags": [
            {**f, "label": flag_label(f["code"]), "severity_label": f["severity"].upper()}
            for f in flags
        ],
        "stop_count": sum(f["severity"] == "stop" for f in flags),
        "ruleset_version": output.get("ruleset_version", ""),
    }


def suggestion_card(evaluation: Evaluation) -> dict[str, Any]:
    """One evaluation's output card, with the evaluation (when and why the rules ran)."""
    return {**output_card(evaluation.output), "evaluation": evaluation}


def suggestion_line(evaluation: Evaluation) -> str:
    """One line for the history: what the rules suggested, and how many flags."""
    flags = evaluation.output["flags"]
    stops = sum(flag["severity"] == "stop" for flag in flags)
    return (
        f"Suggested: {treatment_label(evaluation.primary)} · {len(flags)} flag(s), {stops} stop "
        f"· ruleset {evaluation.ruleset_version}"
    )


# --- Corrections, decisions and the history -----------------------------------------------------

ANSWER_TERMS: dict[str, str] = {
    code: questionnaire.question(code).term
    for code in ("fitzpatrick", "fitzpatrick_source", "sebum", *rules.BOOLEAN_FIELDS)
}


def correction_line(correction: AnswerCorrection) -> str:
    """ "Fitzpatrick phototype: Type II → Type IV"."""
    name = ANSWER_TERMS.get(correction.field, correction.field)
    old = answer_text(correction.field, correction.old_value)
    new = answer_text(correction.field, correction.new_value)
    return f"{name}: {old} → {new}"


TRIGGER_TITLES = {
    EvaluationTrigger.SUBMISSION: "Rules ran on the patient's submission",
    EvaluationTrigger.CORRECTION: "Answers corrected; rules ran again",
    EvaluationTrigger.RERUN: "Rules ran again",
}


def decision_lines(decision: Decision) -> list[str]:
    """The decision in the words of the review page, the history and the printable summary."""
    words = DecisionOutcome(decision.outcome).label
    lines = [f"{words}: {decision.get_treatment_display()}" if decision.treatment else words]
    if decision.treatment and decision.plan_sessions:
        lines.append(
            f"Plan: {decision.plan_sessions} sessions, {decision.plan_interval_weeks} weeks apart"
        )
    if decision.plan_constraints:
        lines.append("Constraints: " + "; ".join(decision.plan_constraints))
    if decision.reason_code:
        lines.append(f"Reason: {DecisionReason(decision.reason_code).label}")
    if decision.override_excluded:
        lines.append("Override: the rules had excluded this treatment")
    if decision.amendment_reason:
        lines.append(f"Why amended: {decision.amendment_reason}")
    return lines


def treatment_name(code: str) -> str:
    return Treatment(code).label


def timeline(
    evaluations: Sequence[Evaluation],
    corrections: Sequence[AnswerCorrection],
    decisions: Sequence[Decision],
    latest_id: int | None,
) -> list[dict[str, Any]]:
    """Evaluations (with the corrections that caused them) and decisions, oldest first."""
    by_evaluation: dict[int | None, list[AnswerCorrection]] = {}
    for correction in corrections:
        by_evaluation.setdefault(correction.evaluation_id, []).append(correction)
    events: list[dict[str, Any]] = []
    for evaluation in evaluations:
        caused = by_evaluation.pop(evaluation.pk, [])
        lines = [correction_line(c) for c in caused]
        lines.append(suggestion_line(evaluation))
        events.append(
            {
                "at": evaluation.created_at,
                "kind": "evaluation",
                "title": TRIGGER_TITLES.get(EvaluationTrigger(evaluation.trigger), "Rules ran"),
                "by": evaluation.created_by,
                "lines": lines,
                "notes": sorted({c.note for c in caused if c.note}),
                "card": suggestion_card(evaluation) if evaluation.pk != latest_id else None,
                "is_latest": evaluation.pk == latest_id,
            }
        )
    for loose in by_evaluation.values():  # corrections without an evaluation (none expected)
        for correction in loose:
            events.append(
                {
                    "at": correction.corrected_at,
                    "kind": "correction",
                    "title": "Answer corrected",
                    "by": correction.corrected_by,
                    "lines": [correction_line(correction)],
                    "notes": [correction.note] if correction.note else [],
                }
            )
    for decision in decisions:
        events.append(
            {
                "at": decision.decided_at,
                "kind": "decision",
                "title": "Decision amended" if decision.supersedes_id else "Decision recorded",
                "by": decision.decided_by,
                "decision": decision,
                "lines": decision_lines(decision),
                "notes": [decision.notes] if decision.notes else [],
            }
        )
    return sorted(events, key=lambda event: event["at"])


def answers_seen(answers: dict[str, Any]) -> list[tuple[str, str]]:
    """(clinical term, answer) for the answers an evaluation's rules saw."""
    return [
        (
            questionnaire.question(code).term if code in questionnaire.BY_CODE else code,
            answer_text(code, value),
        )
        for code, value in answers.items()
    ]


def person_name(user: Any) -> str:
    """How staff pages name a member of staff."""
    return str(user.get_full_name() or user.get_username())
