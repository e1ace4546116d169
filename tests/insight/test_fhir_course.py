"""FHIR export of the course: CarePlan, Procedure per session record, check-in responses."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from consultations import fhir, selectors
from consultations.models import CheckIn, Consultation, CourseEndReason, SessionStatus
from consultations.services import course as course_service
from tests.factories import PractitionerFactory, SessionRecordFactory, coursed

pytestmark = pytest.mark.django_db


def bundle_for(consultation: Consultation) -> dict:
    return fhir.consultation_bundle(selectors.exportable().get(pk=consultation.pk))


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def with_a_session(**record) -> Consultation:
    """A peel course whose first session was recorded, with a day-2 follow-up answered."""
    consultation = coursed(treatment="chemical_peel", plan_sessions=3)
    first = consultation.course.sessions.get(number=1)
    first.status = SessionStatus.DONE
    first.save()
    SessionRecordFactory(
        session=first,
        peel_agent="mandelic",
        peel_concentration_pct=30,
        peel_contact_minutes=3,
        peel_layers=2,
        peel_neutralisation="Water",
        **record,
    )
    CheckIn.objects.create(
        session=first,
        kind=CheckIn.Kind.DAY_2,
        due_on=first.target_date + datetime.timedelta(days=2),
        answered_at=timezone.now(),
        source=CheckIn.Source.PATIENT_LINK,
        redness="under_1_day",
        swelling=False,
        satisfaction=8,
        pores_now="better",
    )
    CheckIn.objects.create(  # not answered yet: not exported
        session=first,
        kind=CheckIn.Kind.DAY_14,
        due_on=first.target_date + datetime.timedelta(days=14),
    )
    return consultation


def test_a_bundle_with_a_course_validates_and_holds_the_plan_sessions_and_check_ins():
    consultation = with_a_session()
    bundle = bundle_for(consultation)

    Bundle.model_validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("CarePlan") == 1
    assert kinds.count("Procedure") == 1
    assert kinds.count("QuestionnaireResponse") == 2  # the intake's and the day-2 follow-up's


def test_the_care_plan_lists_each_planned_session_with_its_date_and_status():
    consultation = with_a_session()
    (plan,) = resources(bundle_for(consultation), "CarePlan")
    sessions = list(consultation.course.sessions.order_by("number"))

    assert plan["status"] == "active"
    starts = [a["detail"]["scheduledPeriod"]["start"] for a in plan["activity"]]
    assert starts == [s.target_date.isoformat() for s in sessions]
    assert [a["detail"]["status"] for a in plan["activity"]] == [
        "completed",
        "scheduled",
        "scheduled",
    ]
    (procedure,) = resources(bundle_for(consultation), "Procedure")
    assert plan["activity"][0]["outcomeReference"] == [{"reference": f"urn:uuid:{procedure['id']}"}]


def test_an_early_end_is_a_revoked_plan_with_its_reason():
    user = PractitionerFactory()
    consultation = with_a_session()
    course_service.course_end(
        consultation=consultation, user=user, reason=CourseEndReason.SIDE_EFFECT
    )
    (plan,) = resources(bundle_for(consultation), "CarePlan")
    assert plan["status"] == "revoked"
    assert plan["note"][0]["text"].startswith("Ended: Side effect")
    assert {a["detail"]["status"] for a in plan["activity"][1:]} == {"cancelled"}


def test_the_procedure_carries_the_peel_parameters_performer_and_date():
    consultation = with_a_session(adverse_events=["blistering"])
    (procedure,) = resources(bundle_for(consultation), "Procedure")
    record = consultation.course.sessions.get(number=1).records.get()
    notes = [n["text"] for n in procedure["note"]]

    assert procedure["code"]["coding"][0]["code"] == "chemical_peel"
    assert procedure["performedDateTime"] == record.performed_on.isoformat()
    assert procedure["performer"][0]["actor"]["display"] == record.performed_by.get_full_name()
    assert {
        "Peel agent: mandelic acid",
        "Concentration: 30.0%",
        "Layers: 2",
        "Neutralisation: Water",
    } <= set(notes)
    assert procedure["complication"][0]["coding"][0]["code"] == "blistering"
    # No check-in answered before it: the factory records the practitioner's override.
    assert (
        "Went ahead without the pre-session check-in answered (Answered verbally at the chair)"
        in notes
    )


def test_an_amended_record_replaces_the_one_it_amends_and_says_so():
    consultation = with_a_session()
    first = consultation.course.sessions.get(number=1).records.get()
    SessionRecordFactory(
        session=first.session,
        supersedes=first,
        amendment_reason="Two layers, not one.",
        peel_layers=2,
    )
    (procedure,) = resources(bundle_for(consultation), "Procedure")
    notes = [n["text"] for n in procedure["note"]]
    assert "Amended record (replaces an earlier one): Two layers, not one." in notes
    Bundle.model_validate(bundle_for(consultation))


def test_a_follow_up_is_a_response_part_of_the_session_procedure():
    consultation = with_a_session()
    bundle = bundle_for(consultation)
    (procedure,) = resources(bundle, "Procedure")
    (follow_up,) = [
        r
        for r in resources(bundle, "QuestionnaireResponse")
        if r["questionnaire"].endswith("follow-up")
    ]
    answers = {item["linkId"]: item["answer"][0] for item in follow_up["item"]}
    assert follow_up["partOf"] == [{"reference": f"urn:uuid:{procedure['id']}"}]
    assert answers["satisfaction"] == {"valueInteger": 8}
    assert answers["swelling"] == {"valueBoolean": False}
    assert answers["redness"]["valueCoding"]["code"] == "under_1_day"


def test_the_export_of_courses_uses_a_fixed_number_of_queries():
    def export_queries(consultations: list[Consultation]) -> int:
        ids = [c.pk for c in consultations]
        with CaptureQueriesContext(connection) as queries:
            list(fhir.bundles(Consultation.objects.filter(pk__in=ids)))
        return len(queries)

    one = export_queries([with_a_session()])
    assert export_queries([with_a_session() for _ in range(4)]) == one


def test_a_pre_session_check_in_is_a_response_with_its_answers():
    consultation = with_a_session()
    second = consultation.course.sessions.get(number=2)
    CheckIn.objects.create(
        session=second,
        kind=CheckIn.Kind.PRE_SESSION,
        due_on=second.target_date,
        answered_at=timezone.now(),
        source=CheckIn.Source.CLINIC_TABLET,
        answers={
            "pregnant": False,
            "takes_other_medicines": True,
            "other_medicines": "Doxycycline",
        },
    )
    bundle = bundle_for(consultation)
    Bundle.model_validate(bundle)
    (pre,) = [
        r
        for r in resources(bundle, "QuestionnaireResponse")
        if r["questionnaire"].endswith("pre-session")
    ]
    answers = {item["linkId"]: item["answer"][0] for item in pre["item"]}
    assert answers["pregnant"] == {"valueBoolean": False}
    assert answers["other_medicines"] == {"valueString": "Doxycycline"}
    assert "partOf" not in pre  # session 2 is not done yet
