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
  to decline or there is none yet.

Resource ids are UUIDs derived from the record (stable across exports), referenced as
`urn:uuid:` fullUrls inside the bundle. `INTAKE_SECTIONS` is also what the printable summary and
the patient's copy use to put questions and answers in words.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from consultations.models import (
    HEALTH_FIELDS,
    QUESTIONNAIRE_VERSION,
    AnswerCorrection,
    Consultation,
    Decision,
    DecisionOutcome,
    DecisionReason,
    DowntimeTolerance,
    FitzpatrickSource,
    Goal,
    Sebum,
    Severity,
    Treatment,
)

FHIR_CONTENT_TYPE = "application/fhir+json"
QUESTIONNAIRE_NAME = "pore-treatment-intake"

FITZPATRICK_TYPES = (
    ("1", "Type I: very pale; always burns, never tans"),
    ("2", "Type II: fair; usually burns, tans a little"),
    ("3", "Type III: light or olive; sometimes burns, tans gradually"),
    ("4", "Type IV: light brown; rarely burns, tans easily"),
    ("5", "Type V: dark brown; very rarely burns, tans darkly"),
    ("6", "Type VI: deeply pigmented; never burns"),
)

# Health questions in the patient's words (intake-contract.md "asked as").
HEALTH_QUESTIONS = {
    "pregnant": "Are you pregnant or trying to conceive (or not sure)?",
    "breastfeeding": "Are you breastfeeding?",
    "isotretinoin_last_6_months": (
        "Are you taking oral isotretinoin (e.g. Accutane, Roaccutane), or have you in the last "
        "6 months?"
    ),
    "active_infection_or_cold_sore": (
        "Do you have an active cold sore, skin infection, warts or an open wound in the area?"
    ),
    "hsv_history": "Have you had cold sores before?",
    "keloid_history": "Do you get keloids or raised, thick scars?",
    "photosensitising_meds": "Do you take medicines that make your skin sensitive to the sun?",
    "recent_tan": "Have you had a sun tan, sunburn, sunbed or self-tan in the last 4 weeks?",
    "active_inflamed_acne": "Do you have red, inflamed spots or cysts in the area now?",
    "salicylate_allergy": "Are you allergic to aspirin or salicylates?",
    "topical_retinoid_last_7_days": (
        "Have you used retinol, tretinoin, adapalene or tazarotene in the last 7 days?"
    ),
    "active_rosacea": "Do you have rosacea that is active now?",
    "dermatitis_in_area": "Do you have eczema, psoriasis or dermatitis in the area?",
    "anticoagulant_or_bleeding_disorder": "Do you take blood thinners or have a bleeding disorder?",
    "systemic_gold_therapy_ever": (
        "Have you ever been treated with gold injections or tablets (e.g. for arthritis)?"
    ),
    "melasma": "Do you have melasma (diagnosed or suspected)?",
    "immunosuppressed_or_poor_healing": (
        "Do you take immunosuppressants, have uncontrolled diabetes, or heal slowly?"
    ),
    "suspicious_lesion": (
        "Do you have a new, changing or undiagnosed mole or dark patch in the area?"
    ),
}


@dataclass(frozen=True)
class Question:
    """One item of the intake questionnaire, named by its contract code."""

    code: str
    text: str
    type: str  # FHIR item type: boolean, choice, integer, text
    options: tuple[tuple[str, str], ...] = ()
    required: bool = False
    repeats: bool = False
    read_only: bool = False

    def display(self, value: Any) -> str:
        """The answer in words, for people ("" when there is none)."""
        if value is None or value == "" or value == []:
            return ""
        if self.type == "boolean":
            return "Yes" if value else "No"
        if self.options:
            labels = dict(self.options)
            values = value if isinstance(value, list) else [value]
            return "; ".join(labels.get(str(v), str(v)) for v in values)
        return str(value)


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    questions: tuple[Question, ...]


INTAKE_SECTIONS: tuple[Section, ...] = (
    Section(
        "about_you",
        "About you",
        (
            Question(
                "age",
                "Age when you sent your answers (from your date of birth)",
                "integer",
                required=True,
                read_only=True,
            ),
        ),
    ),
    Section(
        "skin",
        "Your skin",
        (
            Question(
                "fitzpatrick",
                "Your skin type (how your skin burns and tans)",
                "choice",
                FITZPATRICK_TYPES,
                required=True,
            ),
            Question(
                "fitzpatrick_source",
                "How the skin type was set",
                "choice",
                tuple(FitzpatrickSource.choices),
                required=True,
                read_only=True,
            ),
            Question(
                "fitzpatrick_self_report",
                "The skin type you picked from the descriptions",
                "choice",
                FITZPATRICK_TYPES,
            ),
            Question("fitzpatrick_score", "Your skin type self-test score (0 to 40)", "integer"),
            Question(
                "sebum",
                "How your skin feels and looks a few hours after washing",
                "choice",
                tuple(Sebum.choices),
                required=True,
            ),
        ),
    ),
    Section(
        "goals",
        "Your goals",
        (
            Question(
                "goals",
                "What you would like to improve (your main goal first)",
                "choice",
                tuple(Goal.choices),
                required=True,
                repeats=True,
            ),
            Question(
                "downtime_tolerance",
                "How much recovery time (redness, flaking) is acceptable to you",
                "choice",
                tuple(DowntimeTolerance.choices),
            ),
            Question("previous_treatments", "Treatments you have had before", "text"),
        ),
    ),
    Section(
        "health",
        "Health and medicines",
        (
            *(
                Question(code, HEALTH_QUESTIONS[code], "boolean", required=True)
                for code in HEALTH_FIELDS
            ),
            Question("other_medicines", "Other medicines you take", "text"),
            Question("allergies", "Allergies", "text"),
        ),
    ),
)

QUESTIONS: dict[str, Question] = {q.code: q for s in INTAKE_SECTIONS for q in s.questions}
# Answer values whose FHIR coding is a string but whose record value is a whole number.
_INTEGER_CHOICES = ("fitzpatrick", "fitzpatrick_self_report")


def consultation_values(consultation: Consultation) -> dict[str, Any]:
    """Every questionnaire answer the consultation holds now, by code."""
    return {code: getattr(consultation, code) for code in QUESTIONS}


def answer_sections(values: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section title, [(question, answer in words)]) for display; unanswered items left out."""
    sections = []
    for section in INTAKE_SECTIONS:
        rows = [
            (q.text, q.display(values.get(q.code)))
            for q in section.questions
            if q.display(values.get(q.code))
        ]
        sections.append((section.title, rows))
    return sections


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
    item: dict[str, Any] = {
        "linkId": question.code,
        "text": question.text,
        "type": question.type,
        "required": question.required,
    }
    if question.repeats:
        item["repeats"] = True
    if question.read_only:
        item["readOnly"] = True
    if question.options:
        item["answerOption"] = [
            {"valueCoding": _coding(question.code, code, display)}
            for code, display in question.options
        ]
    return item


def questionnaire() -> dict[str, Any]:
    """The intake definition, version QUESTIONNAIRE_VERSION."""
    return {
        "resourceType": "Questionnaire",
        "id": _uuid("Questionnaire", f"{QUESTIONNAIRE_NAME}|{QUESTIONNAIRE_VERSION}"),
        "url": questionnaire_url(),
        "version": QUESTIONNAIRE_VERSION,
        "name": "PoreTreatmentIntake",
        "title": "Pore treatment consultation intake",
        "status": "active",
        "subjectType": ["Patient"],
        "item": [
            {
                "linkId": section.code,
                "text": section.title,
                "type": "group",
                "item": [_questionnaire_item(q) for q in section.questions],
            }
            for section in INTAKE_SECTIONS
        ],
    }


# --- QuestionnaireResponse ---------------------------------------------------------------------


def _answers(question: Question, value: Any) -> list[dict[str, Any]]:
    if value is None or value == "":
        return []
    values = value if question.repeats else [value]
    if question.type == "boolean":
        return [{"valueBoolean": bool(v)} for v in values]
    if question.type == "integer":
        return [{"valueInteger": int(v)} for v in values]
    if question.type == "text":
        return [{"valueString": str(v)} for v in values]
    labels = dict(question.options)
    return [{"valueCoding": _coding(question.code, str(v), labels.get(str(v), ""))} for v in values]


def questionnaire_response(
    consultation: Consultation, *, patient: dict[str, Any], amended: bool
) -> dict[str, Any]:
    values = consultation_values(consultation)
    groups = []
    for section in INTAKE_SECTIONS:
        items = []
        for question in section.questions:
            answers = _answers(question, values[question.code])
            if answers:
                items.append({"linkId": question.code, "text": question.text, "answer": answers})
        if items:
            groups.append({"linkId": section.code, "text": section.title, "item": items})
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
    return {
        "resourceType": "Patient",
        "id": _uuid("Patient", patient.pk),
        "identifier": [{"system": code_system("patient"), "value": str(patient.pk)}],
        "name": [{"family": patient.last_name, "given": [patient.first_name]}],
        "birthDate": patient.date_of_birth.isoformat(),
        "telecom": telecom,
    }


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
    if decision.notes:
        notes.append(f"Practitioner's notes: {decision.notes}")
    resource["note"] = [{"text": text} for text in notes]
    return resource


# --- Bundles -----------------------------------------------------------------------------------


def export_queryset(consultations: QuerySet[Consultation]) -> QuerySet[Consultation]:
    """The consultations that can be exported, with what a bundle needs in a fixed number of
    queries (drafts have no answers to export)."""
    return (
        consultations.exclude(status=Consultation.Status.DRAFT)
        .exclude(latest_evaluation__isnull=True)
        .select_related("patient", "latest_evaluation")
        .annotate(
            has_corrections=Exists(AnswerCorrection.objects.filter(consultation=OuterRef("pk")))
        )
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.current().select_related("decided_by"),
                to_attr="current_decisions",
            )
        )
    )


def consultation_bundle(consultation: Consultation) -> dict[str, Any]:
    """The Bundle for one consultation taken from `export_queryset`."""
    patient = patient_resource(consultation)
    response = questionnaire_response(
        consultation, patient=patient, amended=consultation.has_corrections
    )
    risk = risk_assessment(consultation, patient=patient, response=response)
    resources = [questionnaire(), response, patient]
    if risk is not None:
        resources.append(risk)
    for decision in consultation.current_decisions:
        request = service_request(decision, patient=patient, response=response, risk=risk)
        if request is not None:
            resources.append(request)
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


def bundles(consultations: QuerySet[Consultation]) -> Iterator[dict[str, Any]]:
    """One bundle per exportable consultation, in reference order."""
    for consultation in export_queryset(consultations).order_by("reference"):
        yield consultation_bundle(consultation)


__all__ = [
    "FHIR_CONTENT_TYPE",
    "INTAKE_SECTIONS",
    "QUESTIONS",
    "answer_sections",
    "bundles",
    "consultation_bundle",
    "consultation_values",
    "export_queryset",
    "questionnaire",
    "response_values",
]
