"""The detail page: answers as the patient gave them, the explained suggestion, the history."""

from __future__ import annotations

import html

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.models import AccessLog
from consultations.services.corrections import correction_apply
from tests.factories import decided, submitted

pytestmark = pytest.mark.django_db


def detail(client, consultation):
    response = client.get(reverse("review:detail", kwargs={"reference": consultation.reference}))
    assert response.status_code == 200
    return response


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_it_shows_every_reason_constraint_exclusion_and_flag_of_the_evaluation(
    client, practitioner
):
    consultation = submitted(
        fitzpatrick=5,
        sebum="oily",
        pregnant=True,
        salicylate_allergy=True,
        active_inflamed_acne=True,
        hsv_history=True,
        systemic_gold_therapy_ever=True,
    )
    output = consultation.latest_evaluation.output
    assert output["flags"] and output["excluded"] and output["suggestions"]
    page = text(detail(client, consultation))

    for suggestion in output["suggestions"]:
        for reason in suggestion["reasons"]:
            assert reason["rule"] in page
            assert reason["text"] in page
        for constraint in suggestion["constraints"]:
            assert constraint in page
    for excluded in output["excluded"]:
        for reason in excluded["reasons"]:
            assert reason["text"] in page
    for flag in output["flags"]:
        assert flag["code"] in page
        assert flag["message"] in page
    assert f"Ruleset {output['ruleset_version']}" in page


def test_flags_are_listed_stop_first(client, practitioner):
    consultation = submitted(melasma=True, active_infection_or_cold_sore=True)
    card = detail(client, consultation).context["card"]
    severities = [flag["severity"] for flag in card["flags"]]
    assert severities[0] == "stop"
    assert severities == sorted(severities, key=["stop", "caution", "info"].index)


def test_a_deferred_suggestion_says_why_and_offers_no_accept(client, practitioner):
    consultation = submitted(active_infection_or_cold_sore=True)
    response = detail(client, consultation)
    page = text(response)
    assert "Defer to practitioner" in page
    assert consultation.latest_evaluation.output["defer_reason"] in page
    assert "Accept the suggestion" not in page
    assert "there is nothing to accept" in page


def test_answers_are_grouped_as_the_patient_saw_them_in_clinical_terms(client, practitioner):
    consultation = submitted(fitzpatrick=4, sebum="very_oily", keloid_history=True)
    response = detail(client, consultation)
    groups = [group.title for group in response.context["answer_groups"]]
    assert groups == [
        "About the patient",
        "Skin",
        "Goals",
        "Pregnancy and medicines",
        "Skin now (treatment area)",
        "Previous treatments",
        "Medical history and allergies",
    ]
    page = text(response)
    assert "Type IV" in page
    assert "Very oily" in page
    assert "Keloid or hypertrophic scarring" in page
    assert consultation.patient.email in page


def test_every_view_of_a_consultation_is_logged(client, practitioner):
    consultation = submitted()
    detail(client, consultation)
    detail(client, consultation)
    logs = AccessLog.objects.filter(action=AccessLog.Action.VIEW)
    assert logs.count() == 2
    log = logs.first()
    assert log.user == practitioner
    assert log.consultation == consultation
    assert log.patient_id == consultation.patient_id


def test_a_decided_consultation_shows_the_decision_and_offers_an_amendment(client, practitioner):
    consultation = decided(plan_sessions=5, plan_interval_weeks=3)
    response = detail(client, consultation)
    page = text(response)
    assert "Accepted the suggestion: Chemical peel" in page
    assert "Plan: 5 sessions, 3 weeks apart" in page
    assert "Amend this decision" in page
    assert response.context["decision_form"] is None
    assert "Correct answers" not in page


def test_the_detail_page_uses_a_fixed_number_of_queries_however_long_the_history(
    client, practitioner
):
    def count(consultation) -> int:
        url = reverse("review:detail", kwargs={"reference": consultation.reference})
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return len(queries)

    # Both have a history (a page runs no query for a history it does not have).
    short = submitted(melasma=True)
    long = submitted(melasma=True)
    for consultation, fitzpatricks in ((short, (4,)), (long, (4, 5, 6))):
        for fitzpatrick in fitzpatricks:
            consultation.refresh_from_db()
            correction_apply(
                consultation=consultation,
                user=practitioner,
                lock_version=consultation.lock_version,
                changes={"fitzpatrick": fitzpatrick},
            )
    assert short.evaluations.count() == 2
    assert long.evaluations.count() == 4
    assert count(long) == count(short)


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/staff/consultations/%00/", "get"),
        ("/staff/consultations/PX-%00%00%00%00%00/", "get"),
        ("/staff/consultations/%00/correct/", "get"),
        ("/staff/consultations/%00/decide/", "post"),
        ("/staff/consultations/%00/amend/", "post"),
    ],
)
def test_a_mangled_reference_in_the_address_is_not_found(client, practitioner, path, method):
    response = getattr(client, method)(path)
    assert response.status_code == 404


def test_the_detail_page_links_to_the_printable_summary_and_the_fhir_export(client, practitioner):
    practitioner.user_permissions.add(Permission.objects.get(codename="export_consultation"))
    consultation = submitted()
    page = text(detail(client, consultation))
    assert reverse("insight:print", kwargs={"reference": consultation.reference}) in page
    assert reverse("insight:fhir", kwargs={"reference": consultation.reference}) in page


def test_the_staff_navigation_offers_the_queue_and_the_analytics(client, practitioner):
    page = text(detail(client, submitted()))
    assert reverse("review:queue") in page
    assert reverse("insight:analytics") in page
    assert reverse("admin:index") not in page  # practitioners are not admin staff
