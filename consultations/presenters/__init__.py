"""Answers, rules output, decisions, corrections and the history, put into words once.

Two audiences read them: the patient (plain words, the questions as they were asked) and the
clinic's staff (clinical terms). The intake's check page and the patient's copy, the review
pages, the printable summary, the admin and the FHIR export all take their words from here, and
here from consultations/questionnaire.py. Nothing here queries the database: callers pass what
the selectors fetched.
"""

from consultations.presenters.answers import (
    Row,
    Section,
    answer_text,
    clinician_sections,
    date_of_birth_text,
    not_answered,
    patient_sections,
)
from consultations.presenters.review import (
    FLAG_TERMS,
    SEVERITY_ORDER,
    answers_seen,
    correction_line,
    decision_lines,
    flag_label,
    output_card,
    person_name,
    rule_name,
    suggestion_card,
    suggestion_line,
    timeline,
    treatment_label,
)

__all__ = [
    "FLAG_TERMS",
    "SEVERITY_ORDER",
    "Row",
    "Section",
    "answer_text",
    "answers_seen",
    "clinician_sections",
    "correction_line",
    "date_of_birth_text",
    "decision_lines",
    "flag_label",
    "not_answered",
    "output_card",
    "patient_sections",
    "person_name",
    "rule_name",
    "suggestion_card",
    "suggestion_line",
    "timeline",
    "treatment_label",
]
