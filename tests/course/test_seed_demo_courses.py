"""seed_demo makes courses for the decided demo consultations, with a scatter of outcomes."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from consultations import rules
from consultations.demo_courses import allowed_agents, create_courses
from consultations.insight.outcomes import outcomes
from consultations.models import (
    CheckIn,
    Course,
    CourseSession,
    CourseStatus,
    Decision,
    SessionRecord,
    SessionStatus,
)
from consultations.selectors_course import check_in_counts_for, pre_session_in_force
from consultations.services.course_erasure import course_rows_delete

pytestmark = pytest.mark.django_db


def seed(seed: int = 7, count: int = 400) -> None:
    call_command("seed_demo", "--consultations", str(count), "--seed", str(seed), stdout=StringIO())


def test_every_decided_treatment_gets_a_course_with_its_planned_sessions(settings):
    settings.DEBUG = True
    seed()
    treated = Decision.objects.exclude(treatment="")
    assert Course.objects.count() == treated.count() > 0
    for course in Course.objects.select_related("decision")[:20]:
        assert course.treatment == course.decision.treatment
        assert course.sessions.count() == course.decision.plan_sessions
    # Sessions whose date has passed are done and recorded (or cancelled when the patient
    # stopped); those to come are planned.
    done = CourseSession.objects.filter(status=SessionStatus.DONE)
    assert SessionRecord.objects.count() == done.count() > 0


def test_records_carry_each_treatments_parameters_and_peels_an_allowed_agent(settings):
    settings.DEBUG = True
    seed()
    for record in SessionRecord.objects.select_related("session__course__decision__evaluation"):
        if record.treatment == "chemical_peel":
            decision = record.session.course.decision
            assert record.peel_agent in allowed_agents(decision)
            assert record.peel_agent in rules.PEEL_AGENTS
        elif record.treatment == "laser":
            assert record.laser_device and record.laser_fluence_j_cm2
        else:
            assert record.mda_tip and record.mda_passes


def test_outcomes_scatter_mostly_fine_with_a_few_adverse_events_and_open_red_flags(settings):
    settings.DEBUG = True
    seed(count=1500)
    records = SessionRecord.objects.count()
    adverse = SessionRecord.objects.exclude(adverse_events=[]).count()
    assert 0 < adverse < 0.1 * records
    answered = CheckIn.objects.filter(answered_at__isnull=False)
    assert answered.exists() and answered.filter(satisfaction__isnull=False).exists()
    open_flags = CheckIn.objects.filter(red_flag=True, red_flag_handled_at__isnull=True)
    assert 1 <= open_flags.count() <= 2
    statuses = set(Course.objects.values_list("status", flat=True))
    assert CourseStatus.ENDED in statuses and CourseStatus.ACTIVE in statuses
    report = outcomes()
    assert report.sessions == records and report.courses_completed > 0


def test_the_same_seed_makes_the_same_courses(settings):
    settings.DEBUG = True
    seed(count=150)
    decisions = list(Decision.objects.select_related("consultation", "evaluation").order_by("pk"))
    practitioner = decisions[0].decided_by
    now = timezone.now()

    def made() -> list[tuple]:
        create_courses(decisions, practitioner=practitioner, rng=random.Random(11), now=now)
        rows = list(
            SessionRecord.objects.order_by(
                "session__course__consultation__reference", "session__number", "recorded_at"
            ).values_list(
                "session__course__consultation__reference",
                "treatment",
                "peel_agent",
                "erythema_grade",
                "adverse_events",
            )
        )
        course_rows_delete(list(Course.objects.values_list("consultation_id", flat=True)))
        return rows

    course_rows_delete(list(Course.objects.values_list("consultation_id", flat=True)))
    first = made()
    assert first and made() == first


def test_every_session_done_had_its_check_in_answered_or_an_override(settings):
    # As the product records them: before each session the patient answers a check-in, or
    # the practitioner says why the session went ahead without it (who and when).
    settings.DEBUG = True
    seed()
    done = CourseSession.objects.filter(status=SessionStatus.DONE).prefetch_related(
        "check_ins", "records"
    )
    overrides = 0
    for session in done:
        (record,) = session.records.all()
        pre = pre_session_in_force(c for c in session.check_ins.all() if c.kind == "pre_session")
        if session.check_in_override:
            overrides += 1
            assert session.check_in_override_by_id and session.check_in_override_at
            assert pre is None or pre.answered_at is None
        else:
            assert check_in_counts_for(pre, record.performed_on)
            assert pre is not None and pre.answered_at <= record.recorded_at
    assert 0 < overrides < done.count() / 5
