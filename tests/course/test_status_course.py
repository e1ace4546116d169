"""The patient's status page shows the course: sessions done and the next one, the aftercare
for the last session, and the next check-in (its link once it is due)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.aftercare import aftercare_for
from consultations.models import SessionStatus
from consultations.services.checkins import follow_ups_plan, pre_session_check_in
from consultations.services.course import course_end
from tests.course.checkins import url
from tests.factories import PractitionerFactory, SessionRecordFactory, coursed

pytestmark = pytest.mark.django_db


def status_page(client, consultation) -> str:
    response = client.get(reverse("intake:status", kwargs={"token": consultation.public_token}))
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_course_shows_the_first_session_and_the_safety_check_to_come(client):
    consultation = coursed(treatment="laser", plan_sessions=4)
    first = consultation.course.sessions.get(number=1)
    html = status_page(client, consultation)
    assert "Your treatment course" in html
    assert "Sessions done:</strong> 0 of 4" in html
    assert f"planned for {first.target_date:%A} {first.target_date.day}" in html
    assert "Two days before your session, we will email you a few short safety questions" in html


def test_a_due_check_in_is_linked_from_the_status_page(client):
    consultation = coursed(treatment="laser")
    session = consultation.course.sessions.get(number=1)
    session.target_date = timezone.localdate() + datetime.timedelta(days=2)
    session.save(update_fields=["target_date"])
    check_in = pre_session_check_in(session)
    html = status_page(client, consultation)
    assert "A short safety check before your next session" in html
    assert f'href="{url(check_in)}"' in html


def test_a_check_in_not_due_yet_is_announced_without_its_link(client):
    consultation = coursed(treatment="laser")
    check_in = pre_session_check_in(consultation.course.sessions.get(number=1))
    html = status_page(client, consultation)
    assert f"from {check_in.due_on.day} {check_in.due_on:%B %Y}" in html
    assert url(check_in) not in html


def test_after_a_session_the_aftercare_for_its_treatment_and_the_follow_up_are_shown(client):
    consultation = coursed(treatment="chemical_peel", plan_sessions=3)
    session = consultation.course.sessions.get(number=1)
    done_on = timezone.localdate() - datetime.timedelta(days=2)
    SessionRecordFactory(session=session, performed_on=done_on)
    session.status = SessionStatus.DONE
    session.save(update_fields=["status"])
    day_2, _day_14 = follow_ups_plan(session, done_on)

    html = status_page(client, consultation)

    assert "Sessions done:</strong> 1 of 3" in html
    assert "After your last session (chemical peel" in html
    care = aftercare_for("chemical_peel")
    assert html.count(care.after[0].replace("'", "&#x27;")) == 1  # said once, not twice
    assert "How your skin is doing, 2 days after your session" in html
    assert f'href="{url(day_2)}"' in html


def test_an_ended_course_says_so_and_links_no_check_in(client):
    consultation = coursed(treatment="laser")
    session = consultation.course.sessions.get(number=1)
    session.target_date = timezone.localdate() + datetime.timedelta(days=1)
    session.save(update_fields=["target_date"])
    check_in = pre_session_check_in(session)
    course_end(consultation=consultation, user=PractitionerFactory(), reason="patient_choice")
    html = status_page(client, consultation)
    assert "Your course has ended" in html
    assert url(check_in) not in html


def test_the_status_page_costs_the_same_queries_however_far_the_course_has_gone(client):
    consultation = coursed(treatment="chemical_peel", plan_sessions=6)
    status_page(client, consultation)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            status_page(client, consultation)
        return len(queries)

    before = count()
    for number in (1, 2, 3):
        session = consultation.course.sessions.get(number=number)
        SessionRecordFactory(session=session)
        session.status = SessionStatus.DONE
        session.save(update_fields=["status"])
        follow_ups_plan(session, session.target_date)
    assert count() == before
