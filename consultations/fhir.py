"""FHIR R4 export of a consultation, as plain dicts (no FHIR library at runtime).

One consultation becomes a Bundle of type `collection` holding:

- the `Questionnaire`: the versioned intake definition (item linkIds are the contract codes,
  choice items carry their answer options; url + version name it);
- the `QuestionnaireResponse`: every answer the consultation holds now (as corrected by a
  practitioner; status `amended` when it was), linkIds = contract codes, goals as repeated
  answers in the patient's order;
- the `Patient`;
- one `RiskAssessment` for the rules' latest evaluation: one prediction per safety flag (flag
  code as the outcome, severity as the qualitative risk, the rule and message as rationale);
- a `ServiceRequest` for the practitioner's current decision (treatment code, sessions and
  interval as occurrenceTiming, plan constraints and notes as notes); none when the decision is
  to decline or there is none yet;
- the course, when there is one: `CarePlan`, `Procedure`s, check-in `QuestionnaireResponse`s
  (consultations/fhir_course.py).

Resource ids are UUIDs derived from the record (stable across exports), referenced as
`urn:uuid:` fullUrls inside the bundle. Items, their text and their options are the questionnaire's
(consultations/questionnaire.py): the wording the patient answered.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from consultations import fhir_photos, presenters, selectors
from consultations import questionnaire as spec
from consultations.models import (
    QUESTIONNAIRE_VERSION,
    Consultation,
    ConsultationQuerySet,
    Decision,
    DecisionOutcome,
    DecisionReason,
    Severity,
    Treatment,
)
from consultations.questionnaire import Question

if TYPE_CHECKING:
    from consultations.selectors import ExportableConsultation

FHIR_CONTENT_TYPE = "application/fhir+json"
QUESTIONNAIRE_NAME = spec.FHIR_NAME

# The Questionnaire's groups: one per intake step (linkIds kept stable across versions).
GROUP_LINK_IDS = {"about": "about_you", "skin": "skin", "goals": "goals", "health": "health"}

_STORED = {f.name for f in Consultation._meta.get_fields() if getattr(f, "concrete", False)}


def _exported(question: Question) -> bool:
    """A stored answer about the consultation (the patient's own details go in `Patient`; the
    other goals are stored, and exported, in `goals`)."""
    return (
        (question.step != "about" or question.derived)
        and not question.part_of
        and question.code in _STORED
    )


def _section(number: int) -> tuple[str, tuple[Question, ...]]:
    """One numbered step of the intake as a group (the health pages are one group)."""
    steps = [step for step in spec.STEPS if step.number == number]
    questions = tuple(q for step in steps for q in spec.questions_in(step.slug) if _exported(q))
    return steps[0].slug, questions


SECTIONS: tuple[tuple[str, tuple[Question, ...]], ...] = tuple(
    _section(number) for number in range(1, spec.STEP_COUNT)
)
# Each group's title: the step's name (its first page's title when it has one page).
GROUP_TEXTS = {
    slug: spec.STEP_NAMES.get(spec.STEP_BY_SLUG[slug].number, spec.STEP_TITLES[slug])
    for slug, _ in SECTIONS
}
QUESTIONS: dict[str, Question] = {q.code: q for _step, qs in SECTIONS for q in qs}
# Answer values whose FHIR coding is a string but whose record value is a whole number.
_INTEGER_CHOICES = ("fitzpatrick", "fitzpatrick_self_report")


def consultation_values(consultation: Consultation) -> dict[str, Any]:
    """Every questionnaire answer the consultation holds now, by code."""
    return {code: getattr(consultation, code) for code in QUESTIONS}


# --- Canonical URLs and references -------------------------------------------------------------


def canonical_base() -> str:
    return f"{settings.SITE_URL}/fhir"


def questionnaire_url() -> str:
    return f"{canonical_base()}/Questionnaire/{QUESTIONNAIRE_NAME}"


def code_system(name: str) -> str:
    return f"{canonical_base()}/CodeSystem/{name}"


def _uuid(kind: str, key: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{canonical_base()}/{kind}/{key}"))


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def _ref(resource: dict[str, Any]) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource['id']}"}


def _instant(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _coding(system: str, code: str, display: str = "") -> dict[str, str]:
    coding = {"system": code_system(system), "code": code}
    if display:
        coding["display"] = display
    return coding


# --- Questionnaire -----------------------------------------------------------------------------


def _questionnaire_item(question: Question) -> dict[str, Any]:
    """An item in the patient's words: the question and the options as the intake asked them."""
    item: dict[str, Any] = {
        "linkId": question.code,
        "text": question.text,
        "type": question.kind,
        "required": question.required,
    }
    if question.follows in QUESTIONS:
        item["enableWhen"] = [
            {"question": question.follows, "operator": "=", "answerBoolean": True}
        ]
    if question.repeats:
        item["repeats"] = True
    if question.derived:
        item["readOnly"] = True
    if question.options:
        item["answerOption"] = [
            {"valueCoding": _coding(question.code, str(option.value), option.label)}
            for option in question.options
        ]
    return item


def questionnaire() -> dict[str, Any]:
    """The intake definition, version QUESTIONNAIRE_VERSION, in the patient's words."""
    return {
        "resourceType": "Questionnaire",
        "id": _uuid("Questionnaire", f"{QUESTIONNAIRE_NAME}|{QUESTIONNAIRE_VERSION}"),
        "url": questionnaire_url(),
        "version": QUESTIONNAIRE_VERSION,
        "name": "PoreTreatmentIntake",
        "title": spec.FHIR_TITLE,
        "status": "active",
        "subjectType": ["Patient"],
        "item": [
            {
                "linkId": GROUP_LINK_IDS[step],
                "text": GROUP_TEXTS[step],
                "type": "group",
                "item": [_questionnaire_item(q) for q in questions],
            }
            for step, questions in SECTIONS
        ],
    }


# --- QuestionnaireResponse ---------------------------------------------------------------------


def _answers(question: Question, value: Any) -> list[dict[str, Any]]:
    if value is None or value == "":
        return []
    values = value if question.repeats else [value]
    if question.kind == spec.BOOLEAN:
        return [{"valueBoolean": bool(v)} for v in values]
    if question.kind == spec.INTEGER:
        return [{"valueInteger": int(v)} for v in values]
    if question.kind in (spec.TEXT, spec.STRING):
        return [{"valueString": str(v)} for v in values]
    return [
        {"valueCoding": _coding(question.code, str(v), question.option_label(v))} for v in values
    ]


def questionnaire_response(
    consultation: Consultation, *, patient: dict[str, Any], amended: bool
) -> dict[str, Any]:
    values = consultation_values(consultation)
    groups = []
    for step, questions in SECTIONS:
        items = []
        for question in questions:
            answers = _answers(question, values[question.code])
            if answers:
                items.append({"linkId": question.code, "text": question.text, "answer": answers})
        if items:
            groups.append(
                {
                    "linkId": GROUP_LINK_IDS[step],
                    "text": GROUP_TEXTS[step],
                    "item": items,
                }
            )
    return {
        "resourceType": "QuestionnaireResponse",
        "id": _uuid("QuestionnaireResponse", consultation.reference),
        "identifier": {
            "system": code_system("consultation-reference"),
            "value": consultation.reference,
        },
        "questionnaire": f"{questionnaire_url()}|{consultation.questionnaire_version}",
        "status": "amended" if amended else "completed",
        "subject": _ref(patient),
        "authored": _instant(consultation.submitted_at),
        "item": groups,
    }


def response_values(response: dict[str, Any]) -> dict[str, Any]:
    """Read a QuestionnaireResponse back into answers by code (the inverse of the export)."""
    values: dict[str, Any] = {}

    def walk(items: Iterable[dict[str, Any]]) -> None:
        for item in items:
            walk(item.get("item", []))
            question = QUESTIONS.get(item["linkId"])
            if question is None or "answer" not in item:
                continue
            read = []
            for answer in item["answer"]:
                if "valueCoding" in answer:
                    code = answer["valueCoding"]["code"]
                    read.append(int(code) if question.code in _INTEGER_CHOICES else code)
                else:
                    read.append(next(v for k, v in answer.items() if k.startswith("value")))
            values[question.code] = read if question.repeats else read[0]

    walk(response.get("item", []))
    return values


# --- Patient, RiskAssessment, ServiceRequest ---------------------------------------------------


def patient_resource(consultation: Consultation) -> dict[str, Any]:
    patient = consultation.patient
    telecom = [{"system": "email", "value": patient.email}]
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone})
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": _uuid("Patient", patient.pk),
        "identifier": [{"system": code_system("patient"), "value": str(patient.pk)}],
        "name": [{"family": patient.last_name, "given": [patient.first_name]}],
        "telecom": telecom,
    }
    # Always given on a sent consultation (only a draft saved early lacks it).
    if patient.date_of_birth is not None:
        resource["birthDate"] = patient.date_of_birth.isoformat()
    return resource


def risk_assessment(
    consultation: Consultation, *, patient: dict[str, Any], response: dict[str, Any]
) -> dict[str, Any] | None:
    evaluation = consultation.latest_evaluation
    if evaluation is None:
        return None
    output = evaluation.output
    severities = dict(Severity.choices)
    resource: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "id": _uuid("RiskAssessment", evaluation.pk),
        "status": "final",
        "method": {
            "coding": [_coding("ruleset", evaluation.ruleset_version)],
            "text": f"Pore treatment rules, version {evaluation.ruleset_version}",
        },
        "subject": _ref(patient),
        "occurrenceDateTime": _instant(evaluation.created_at),
        "basis": [_ref(response)],
        "note": [{"text": f"Rules' suggestion: {evaluation.get_primary_display()}."}],
    }
    predictions = [
        {
            "outcome": {"coding": [_coding("flag", flag["code"])], "text": flag["message"]},
            "qualitativeRisk": {
                "coding": [
                    _coding("severity", flag["severity"], severities.get(flag["severity"], ""))
                ]
            },
            "rationale": f"{flag['rule']}: {flag['message']}",
        }
        for flag in output.get("flags", [])
    ]
    if predictions:
        resource["prediction"] = predictions
    else:
        resource["note"].append({"text": "No safety flags."})
    if output.get("defer_reason"):
        resource["note"].append({"text": f"Deferred to practitioner: {output['defer_reason']}"})
    return resource


def service_request(
    decision: Decision,
    *,
    patient: dict[str, Any],
    response: dict[str, Any],
    risk: dict[str, Any] | None,
) -> dict[str, Any] | None:
    if decision.outcome == DecisionOutcome.DECLINED or not decision.treatment:
        return None
    label = Treatment(decision.treatment).label
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": _uuid("ServiceRequest", decision.pk),
        "status": "active",
        "intent": "plan",
        "code": {"coding": [_coding("treatment", decision.treatment, label)], "text": label},
        "subject": _ref(patient),
        "authoredOn": _instant(decision.decided_at),
        "requester": {"display": decision.decided_by.get_full_name() or str(decision.decided_by)},
        "supportingInfo": [_ref(response)],
    }
    if risk is not None:
        resource["reasonReference"] = [_ref(risk)]
    if decision.reason_code:
        reason = DecisionReason(decision.reason_code)
        resource["reasonCode"] = [
            {"coding": [_coding("decision-reason", reason.value, reason.label)]}
        ]
    repeat: dict[str, Any] = {}
    if decision.plan_sessions:
        repeat["count"] = decision.plan_sessions
    if decision.plan_interval_weeks:
        repeat.update(period=decision.plan_interval_weeks, periodUnit="wk")
    if repeat:
        resource["occurrenceTiming"] = {"repeat": repeat}
    notes = [f"Decision: {decision.get_outcome_display()}."]
    if decision.plan_sessions:
        interval = (
            f", {decision.plan_interval_weeks} weeks apart" if decision.plan_interval_weeks else ""
        )
        notes.append(f"Plan: {decision.plan_sessions} sessions{interval}.")
    notes += [f"Plan constraint: {constraint}" for constraint in decision.plan_constraints]
    notes += [line for line in presenters.decision_lines(decision) if line.startswith("Peel")]
    if decision.notes:
        notes.append(f"Practitioner's notes: {decision.notes}")
    resource["note"] = [{"text": text} for text in notes]
    return resource


# --- Bundles -----------------------------------------------------------------------------------


def consultation_bundle(consultation: ExportableConsultation) -> dict[str, Any]:
    """The Bundle for one consultation taken from `selectors.exportable`."""
    patient = patient_resource(consultation)
    response = questionnaire_response(
        consultation, patient=patient, amended=consultation.has_corrections
    )
    risk = risk_assessment(consultation, patient=patient, response=response)
    resources = [questionnaire(), response, patient]
    if risk is not None:
        resources.append(risk)
    request = None
    for decision in consultation.current_decisions:
        request = service_request(decision, patient=patient, response=response, risk=risk)
        if request is not None:
            resources.append(request)
    from consultations import fhir_course  # which imports this module's helpers

    resources += fhir_course.course_resources(consultation, patient=patient, request=request)
    resources.extend(fhir_photos.photo_media(consultation, patient=patient))
    return {
        "resourceType": "Bundle",
        "id": _uuid("Bundle", f"{consultation.reference}/{timezone.now().isoformat()}"),
        "identifier": {
            "system": code_system("consultation-reference"),
            "value": consultation.reference,
        },
        "type": "collection",
        "timestamp": _instant(timezone.now()),
        "entry": [_entry(resource) for resource in resources],
    }


def bundles(consultations: ConsultationQuerySet) -> Iterator[dict[str, Any]]:
    """One bundle per exportable consultation, in reference order."""
    for consultation in selectors.exportable(consultations).order_by("reference"):
        yield consultation_bundle(consultation)


__all__ = [
    "FHIR_CONTENT_TYPE",
    "QUESTIONS",
    "bundles",
    "consultation_bundle",
    "consultation_values",
    "questionnaire",
    "response_values",
]
