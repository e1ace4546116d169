"""A decision with a treatment becomes a course of planned sessions; practitioners manage it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from consultations.models import (
    AccessLog,
    CheckIn,
    CourseEndReason,
    CourseEvent,
    CourseStatus,
    DecisionOutcome,
    DecisionReason,
    SessionStatus,
)
from consultations.services import course as course_service
from consultations.services.course import CourseRefused
from consultations.services.review import DecisionInput, decision_amend
from tests.factories import PractitionerFactory, coursed, decided

pytestmark = pytest.mark.django_db


def test_accepting_a_treatment_plans_its_sessions_at_the_interval():
    consultation = coursed(treatment="laser", plan_sessions=4, plan_interval_weeks=4)
    course = consultation.course
    dates = [s.target_date for s in course.sessions.all()]
    first = timezone.localdate(course.decision.decided_at) + datetime.timedelta(days=7)
    assert course.treatment == "laser"
    assert course.status == CourseStatus.ACTIVE
    assert dates == [first + datetime.timedelta(weeks=4 * i) for i in range(4)]
    assert [s.number for s in course.sessions.all()] == [1, 2, 3, 4]
    assert course.events.get().kind == CourseEvent.Kind.CREATED


def test_a_declined_decision_plans_no_course():
    consultation = decided(outcome=DecisionOutcome.DECLINED, reason_code="refer_to_doctor")
    assert not hasattr(consultation, "course") or consultation.course is None


def _amend(consultation, user, **choice):
    consultation.refresh_from_db()
    current = consultation.decisions.current().get()
    return decision_amend(
        consultation=consultation,
        user=user,
        decision_id=current.pk,
        evaluation_id=consultation.latest_evaluation_id,
        lock_version=consultation.lock_version,
        choice=DecisionInput(**choice),
        amendment_reason="Reviewed at the first visit.",
    )


def test_an_amendment_to_decline_ends_the_course_and_cancels_what_is_planned():
    user = PractitionerFactory()
    consultation = coursed(treatment="chemical_peel", user=user)
    _amend(
        consultation,
        user,
        outcome=DecisionOutcome.DECLINED,
        reason_code=DecisionReason.REFER_TO_DOCTOR,
    )
    course = consultation.course
    course.refresh_from_db()
    assert course.status == CourseStatus.ENDED
    assert course.end_reason == CourseEndReason.DECISION_AMENDED
    assert set(course.sessions.values_list("status", flat=True)) == {SessionStatus.CANCELLED}


def test_an_amendment_to_another_treatment_replans_only_what_is_not_done():
    user = PractitionerFactory()
    consultation = coursed(treatment="chemical_peel", user=user, plan_sessions=3)
    course = consultation.course
    first = course.sessions.get(number=1)
    first.status = SessionStatus.DONE
    first.save()
    _amend(
        consultation,
        user,
        outcome=DecisionOutcome.CHANGED,
        treatment="microdermabrasion",
        reason_code=DecisionReason.PATIENT_PREFERENCE,
        plan_sessions=6,
        plan_interval_weeks=2,
    )
    course.refresh_from_db()
    assert course.treatment == "microdermabrasion"
    statuses = list(course.sessions.values_list("number", "status"))
    assert statuses[0] == (1, SessionStatus.DONE)
    assert [n for n, s in statuses if s == SessionStatus.CANCELLED] == [2, 3]
    assert [n for n, s in statuses if s == SessionStatus.PLANNED] == [4, 5, 6, 7, 8]


def test_rescheduling_moves_later_sessions_and_their_check_in_emails():
    user = PractitionerFactory()
    consultation = coursed(treatment="laser", user=user, plan_sessions=3)
    second, third = consultation.course.sessions.filter(number__in=[2, 3])
    check_in = CheckIn.objects.create(
        session=third, kind=CheckIn.Kind.PRE_SESSION, due_on=third.target_date
    )
    new_date = second.target_date + datetime.timedelta(days=10)
    course_service.session_reschedule(
        consultation=consultation, user=user, session_id=second.pk, target_date=new_date
    )
    third_before = third.target_date
    second.refresh_from_db()
    third.refresh_from_db()
    check_in.refresh_from_db()
    assert second.target_date == new_date
    assert third.target_date == third_before + datetime.timedelta(days=10)
    assert check_in.due_on == third.target_date - datetime.timedelta(days=2)
    assert AccessLog.objects.filter(action=AccessLog.Action.COURSE, user=user).exists()


def test_pause_resume_and_end_leave_a_trace_and_stop_check_ins():
    user = PractitionerFactory()
    consultation = coursed(treatment="laser", user=user)
    session = consultation.course.sessions.first()
    check_in = CheckIn.objects.create(
        session=session, kind=CheckIn.Kind.PRE_SESSION, due_on=session.target_date
    )
    course_service.course_pause(consultation=consultation, user=user)
    with pytest.raises(CourseRefused):
        course_service.course_pause(consultation=consultation, user=user)
    course_service.course_resume(consultation=consultation, user=user)
    course_service.maintenance_add(
        consultation=consultation,
        user=user,
        target_date=timezone.localdate() + datetime.timedelta(weeks=30),
    )
    course_service.course_end(
        consultation=consultation, user=user, reason=CourseEndReason.SIDE_EFFECT
    )
    check_in.refresh_from_db()
    course = consultation.course
    course.refresh_from_db()
    assert course.status == CourseStatus.ENDED and course.ended_at is not None
    assert check_in.cancelled_at is not None
    assert list(course.events.order_by("pk").values_list("kind", flat=True)) == [
        "created",
        "paused",
        "resumed",
        "maintenance_added",
        "ended",
    ]
    with pytest.raises(CourseRefused):
        course_service.maintenance_add(
            consultation=consultation, user=user, target_date=timezone.localdate()
        )


def test_other_as_an_end_reason_needs_notes():
    user = PractitionerFactory()
    consultation = coursed(treatment="laser", user=user)
    with pytest.raises(ValueError):
        course_service.course_end(
            consultation=consultation, user=user, reason=CourseEndReason.OTHER, notes="  "
        )


def test_an_amendment_that_keeps_the_plan_keeps_the_booked_dates_and_an_ended_course_ended():
    user = PractitionerFactory()
    consultation = coursed(
        treatment="chemical_peel", user=user, plan_sessions=5, plan_interval_weeks=3
    )
    course = consultation.course
    dates = list(course.sessions.values_list("pk", "target_date"))
    course_service.course_end(
        consultation=consultation, user=user, reason=CourseEndReason.SIDE_EFFECT
    )
    _amend(
        consultation,
        user,
        outcome=DecisionOutcome.ACCEPTED,
        treatment="chemical_peel",
        notes="Discussed the side effect; course stopped.",
        plan_sessions=5,
        plan_interval_weeks=3,
    )
    course.refresh_from_db()
    assert course.status == CourseStatus.ENDED
    assert course.end_reason == CourseEndReason.SIDE_EFFECT
    assert course.decision == consultation.decisions.current().get()
    assert list(course.sessions.values_list("pk", "target_date")) == dates
