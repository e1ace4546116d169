"""FHIR R4 export: a consultation as a Bundle that validates and gives back every answer."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire

from consultations import fhir, rules, selectors, services
from consultations.models import (
    QUESTIONNAIRE_VERSION,
    AccessLog,
    AnswerCorrection,
    Consultation,
    DecisionOutcome,
    DecisionReason,
)
from tests.factories import (
    AdminFactory,
    DraftConsultationFactory,
    PractitionerFactory,
    UserFactory,
    decided,
    submitted,
)

pytestmark = pytest.mark.django_db


def bundle_for(consultation: Consultation) -> dict:
    return fhir.consultation_bundle(selectors.exportable().get(pk=consultation.pk))


def given_answers(consultation: Consultation) -> dict:
    """The rules' input for the consultation, without the version (the response names it in
    `questionnaire`) and without follow-ups that do not apply."""
    answers = services.consultation_answers(consultation)
    return {
        code: value
        for code, value in answers.items()
        if value is not None and code != "questionnaire_version"
    }


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def flagged_and_decided() -> Consultation:
    return decided(
        outcome=DecisionOutcome.CHANGED,
        treatment="laser",
        reason_code=DecisionReason.PATIENT_PREFERENCE,
        notes="Prefers fewer sessions.",
        plan_sessions=4,
        plan_interval_weeks=4,
        plan_constraints=["test patch first"],
        fitzpatrick=5,
        sebum="oily",
        goals=["pore_size", "acne_scars", "texture"],
        hsv_history=True,
        recent_tan=True,
        other_medicines="Vitamin D",
        allergies="Penicillin",
        previous_treatments="Two facials",
        downtime_tolerance="few_days",
        fitzpatrick_self_report=4,
        fitzpatrick_score=29,
    )


def test_the_bundle_validates_as_fhir_r4b():
    consultation = flagged_and_decided()
    bundle = bundle_for(consultation)
    parsed = Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == [
        "Questionnaire",
        "QuestionnaireResponse",
        "Patient",
        "RiskAssessment",
        "ServiceRequest",
    ]


def test_the_questionnaire_is_versioned_and_its_link_ids_are_the_contract_codes():
    questionnaire = fhir.questionnaire()
    Questionnaire.model_validate(questionnaire)
    assert questionnaire["version"] == QUESTIONNAIRE_VERSION
    assert questionnaire["url"].endswith("/fhir/Questionnaire/pore-treatment-intake")
    items = {i["linkId"]: i for g in questionnaire["item"] for i in g["item"]}
    for code in services.rules.ANSWER_FIELDS:
        assert code in items
    assert [o["valueCoding"]["code"] for o in items["sebum"]["answerOption"]] == [
        "dry",
        "normal",
        "oily",
        "very_oily",
    ]
    assert items["goals"]["repeats"] is True
    assert len(items["goals"]["answerOption"]) == 6
    assert [o["valueCoding"]["code"] for o in items["fitzpatrick"]["answerOption"]] == list(
        "123456"
    )
    assert items["pregnant"]["type"] == "boolean"


def test_the_response_gives_back_every_answer():
    consultation = flagged_and_decided()
    bundle = bundle_for(consultation)
    (response,) = resources(bundle, "QuestionnaireResponse")
    read = fhir.response_values(response)
    answers = given_answers(consultation)
    assert {code: read[code] for code in answers} == answers
    assert read["goals"] == ["pore_size", "acne_scars", "texture"]  # in the patient's order
    assert read["other_medicines"] == "Vitamin D"
    assert read["allergies"] == "Penicillin"
    assert read["previous_treatments"] == "Two facials"
    assert read["downtime_tolerance"] == "few_days"
    assert read["fitzpatrick_self_report"] == 4
    assert read["fitzpatrick_score"] == 29
    assert response["questionnaire"] == f"{fhir.questionnaire_url()}|{QUESTIONNAIRE_VERSION}"
    assert response["status"] == "completed"


def test_the_response_carries_the_answers_as_corrected_by_a_practitioner():
    consultation = submitted(fitzpatrick=2)
    practitioner = PractitionerFactory()
    Consultation.objects.filter(pk=consultation.pk).update(
        fitzpatrick=4, fitzpatrick_source="practitioner"
    )
    AnswerCorrection.objects.create(
        consultation=consultation,
        field="fitzpatrick",
        old_value=2,
        new_value=4,
        corrected_by=practitioner,
    )
    consultation.refresh_from_db()
    (response,) = resources(bundle_for(consultation), "QuestionnaireResponse")
    read = fhir.response_values(response)
    assert (read["fitzpatrick"], read["fitzpatrick_source"]) == (4, "practitioner")
    assert response["status"] == "amended"
    answers = given_answers(consultation)
    assert {code: read[code] for code in answers} == answers


def test_each_flag_is_a_prediction_with_its_code_and_severity():
    consultation = flagged_and_decided()
    bundle = bundle_for(consultation)
    (risk,) = resources(bundle, "RiskAssessment")
    flags = consultation.latest_evaluation.output["flags"]
    assert flags  # the answers above raise HSV_HISTORY, RECENT_TAN and PIH_RISK
    predicted = [
        (p["outcome"]["coding"][0]["code"], p["qualitativeRisk"]["coding"][0]["code"])
        for p in risk["prediction"]
    ]
    assert predicted == [(f["code"], f["severity"]) for f in flags]
    assert {"HSV_HISTORY", "RECENT_TAN", "PIH_RISK"} <= {code for code, _ in predicted}
    (response,) = resources(bundle, "QuestionnaireResponse")
    assert risk["basis"] == [{"reference": f"urn:uuid:{response['id']}"}]


def test_the_decision_is_a_service_request_with_the_treatment_and_plan():
    bundle = bundle_for(flagged_and_decided())
    (request,) = resources(bundle, "ServiceRequest")
    assert request["code"]["coding"][0]["code"] == "laser"
    assert request["occurrenceTiming"] == {"repeat": {"count": 4, "period": 4, "periodUnit": "wk"}}
    notes = [n["text"] for n in request["note"]]
    assert "Plan constraint: test patch first" in notes
    assert request["reasonCode"][0]["coding"][0]["code"] == "patient_preference"


def test_a_declined_or_undecided_consultation_has_no_service_request():
    declined = decided(outcome=DecisionOutcome.DECLINED, reason_code=DecisionReason.REFER_TO_DOCTOR)
    undecided = submitted()
    for consultation in (declined, undecided):
        bundle = bundle_for(consultation)
        Bundle.model_validate(bundle)
        assert resources(bundle, "ServiceRequest") == []


def test_practitioners_with_the_export_permission_download_it_as_fhir_json_logged(client):
    consultation = flagged_and_decided()
    user = PractitionerFactory()
    user.user_permissions.add(Permission.objects.get(codename="export_consultation"))
    client.force_login(user)
    response = client.get(reverse("insight:fhir", args=[consultation.reference]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert response["Content-Disposition"] == (
        f'attachment; filename="{consultation.reference}.fhir.json"'
    )
    Bundle.model_validate(json.loads(response.content))
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT_FHIR)
    assert (log.user, log.consultation_id, log.patient_id) == (
        user,
        consultation.pk,
        consultation.patient_id,
    )


def test_the_export_url_needs_a_login_and_the_export_permission(client):
    consultation = submitted()
    url = reverse("insight:fhir", args=[consultation.reference])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(AdminFactory())
    assert client.get(url).status_code == 200
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT_FHIR).count() == 1


def test_a_draft_or_unknown_reference_is_not_found(client, practitioner):
    practitioner.user_permissions.add(Permission.objects.get(codename="export_consultation"))
    draft = DraftConsultationFactory()
    assert client.get(reverse("insight:fhir", args=[draft.reference])).status_code == 404
    assert client.get(reverse("insight:fhir", args=["PX-NOPE0"])).status_code == 404
    assert not AccessLog.objects.exists()


def test_the_admin_action_exports_one_bundle_per_line_and_logs_each(admin_client):
    chosen = [flagged_and_decided(), submitted(), decided()]
    draft = DraftConsultationFactory()
    response = admin_client.post(
        reverse("admin:consultations_consultation_changelist"),
        {"action": "export_fhir", "_selected_action": [c.pk for c in [*chosen, draft]]},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+ndjson")
    lines = response.content.decode().splitlines()
    assert len(lines) == 3
    references = []
    for line in lines:
        bundle = json.loads(line)
        Bundle.model_validate(bundle)
        references.append(bundle["identifier"]["value"])
    assert references == sorted(c.reference for c in chosen)
    logged = AccessLog.objects.filter(action=AccessLog.Action.EXPORT_FHIR)
    assert sorted(logged.values_list("consultation_id", flat=True)) == sorted(c.pk for c in chosen)


def test_the_admin_export_uses_a_fixed_number_of_queries(admin_client):
    def export_queries(consultations: list[Consultation]) -> int:
        admin_client.get(reverse("admin:index"))  # the first staff request writes the session
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.post(
                reverse("admin:consultations_consultation_changelist"),
                {"action": "export_fhir", "_selected_action": [c.pk for c in consultations]},
            )
        assert response.status_code == 200
        return len(queries)

    few = [flagged_and_decided()]
    one = export_queries(few)
    many = few + [flagged_and_decided() for _ in range(5)] + [submitted() for _ in range(5)]
    assert export_queries(many) == one


def test_the_2026_2_questions_are_items_with_their_follow_ups_enabled_after_yes():
    items = {
        item["linkId"]: item for group in fhir.questionnaire()["item"] for item in group["item"]
    }
    assert fhir.questionnaire()["version"] == "2026.2"
    for code in rules.NEW_CODES_2026_2:
        assert code in items, code
    timing = items["isotretinoin_timing"]
    assert timing["enableWhen"] == [
        {"question": "isotretinoin_last_6_months", "operator": "=", "answerBoolean": True}
    ]
    assert [o["valueCoding"]["code"] for o in timing["answerOption"]] == list(
        rules.ISOTRETINOIN_TIMINGS
    )


def test_the_response_and_the_risk_assessment_carry_the_new_answers_and_flags():
    consultation = submitted(vitiligo=True, isotretinoin_last_6_months=True)
    bundle = bundle_for(consultation)
    (response,) = resources(bundle, "QuestionnaireResponse")
    read = fhir.response_values(response)
    assert read["vitiligo"] is True
    assert read["isotretinoin_timing"] == "current"
    (risk,) = resources(bundle, "RiskAssessment")
    predicted = {p["outcome"]["coding"][0]["code"] for p in risk["prediction"]}
    assert {"VITILIGO", "ISOTRETINOIN_RECENT"} <= predicted


def test_a_peel_plan_names_its_allowed_agents():
    consultation = decided(
        fitzpatrick=5,
        salicylate_allergy=True,
        plan_sessions=5,
        plan_interval_weeks=3,
        plan_constraints=["agents allowed: mandelic acid, lactic acid", "superficial peel only"],
    )
    assert consultation.decisions.get().treatment == "chemical_peel"
    (request,) = resources(bundle_for(consultation), "ServiceRequest")
    notes = [note["text"] for note in request["note"]]
    assert "Peel agents allowed: mandelic acid, lactic acid" in notes
