"""The course on the consultation page: what the practitioner sees, and the changes they make."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.models import AccessLog, CourseEvent, CourseStatus, SessionStatus
from tests.course.helpers import blocked, peel_course, session
from tests.factories import SessionRecordFactory, UserFactory, coursed

pytestmark = pytest.mark.django_db


def detail(client, consultation):
    return client.get(reverse("review:detail", args=[consultation.reference]))


def course_url(consultation, action):
    return reverse(f"review:course_{action}", args=[consultation.reference])


def test_the_page_shows_the_course_its_sessions_and_who_planned_it(client, practitioner):
    consultation = coursed(treatment="laser", plan_sessions=3, user=practitioner)
    first = session(consultation)
    first.status = SessionStatus.DONE
    first.save()
    SessionRecordFactory(
        session=first,
        treatment="laser",
        peel_agent="",
        peel_concentration_pct=None,
        laser_wavelength_nm=755,
        laser_fluence_j_cm2="0.8",
        laser_passes=2,
    )
    page = detail(client, consultation).content.decode()
    assert "Treatment course" in page
    assert "Picosecond laser" in page and "Active" in page
    assert "Session 1" in page and "Session 3" in page
    assert "wavelength 755 nm" in page and "fluence 0.8 J/cm²" in page
    assert "Course planned" in page and practitioner.last_name in page
    assert "Record session 2" in page and "Record session 1" not in page
    assert "Check-in on this tablet" in page


def test_a_blocked_session_says_why_at_the_top_of_the_course(client, practitioner):
    consultation = peel_course()
    blocked(
        consultation,
        2,
        reasons=[
            {"rule": "R20", "flag": "ISOTRETINOIN_RECENT", "text": "New isotretinoin"},
            "Cold sore this week",
        ],
    )
    page = detail(client, consultation).content.decode()
    alert = page.split('class="alert alert-danger course-blocked"')[1].split("</div>")[0]
    assert "Session 2 is blocked" in alert
    assert "New isotretinoin (R20 · ISOTRETINOIN_RECENT)" in alert
    assert "Cold sore this week" in alert
    assert "Record session 2" not in page
    assert "Your decision on session 2" in page


def test_the_course_panel_costs_the_same_queries_for_two_sessions_or_eight(client, practitioner):
    small = coursed(treatment="laser", plan_sessions=3)
    large = coursed(treatment="laser", plan_sessions=6)
    SessionRecordFactory(session=session(large), treatment="laser", peel_agent="")
    blocked(large, 2)
    # The same kinds of history (a block runs the rules again): the page reads no history a
    # consultation does not have, so only the number of sessions and records differs here.
    blocked(small, 2)
    detail(client, small)  # a warm-up request

    def count(consultation):
        with CaptureQueriesContext(connection) as queries:
            assert detail(client, consultation).status_code == 200
        return len(queries)

    assert count(small) == count(large)


def test_rescheduling_moves_the_later_sessions_too_unless_unticked(client, practitioner):
    consultation = coursed(treatment="laser", plan_sessions=3)
    second, third = session(consultation, 2), session(consultation, 3)
    new_date = second.target_date + datetime.timedelta(days=5)
    response = client.post(
        course_url(consultation, "reschedule"),
        {"session": "2", "target_date": new_date.isoformat(), "move_later": "on"},
    )
    assert response.status_code == 302
    third_before = third.target_date
    third.refresh_from_db()
    assert third.target_date == third_before + datetime.timedelta(days=5)
    client.post(
        course_url(consultation, "reschedule"),
        {"session": "2", "target_date": (new_date + datetime.timedelta(days=1)).isoformat()},
    )
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.target_date == new_date + datetime.timedelta(days=1)
    assert third.target_date == third_before + datetime.timedelta(days=5)
    assert AccessLog.objects.filter(action=AccessLog.Action.COURSE, user=practitioner).count() == 2


def test_a_date_in_the_past_comes_back_with_its_message_and_the_date_kept(client, practitioner):
    consultation = coursed(treatment="laser")
    past = timezone.localdate() - datetime.timedelta(days=3)
    response = client.post(
        course_url(consultation, "reschedule"), {"session": "1", "target_date": past.isoformat()}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose today or a later date for the session." in page
    assert f'value="{past.isoformat()}"' in page
    assert 'id="error-summary"' in page


def test_a_session_done_meanwhile_cannot_be_moved_and_the_practitioner_is_told(
    client, practitioner
):
    consultation = coursed(treatment="laser")
    first = session(consultation)
    first.status = SessionStatus.DONE
    first.save()
    response = client.post(
        course_url(consultation, "reschedule"),
        {"session": "1", "target_date": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "That session is no longer planned" in response.content.decode()


def test_a_maintenance_session_is_added_after_the_course(client, practitioner):
    consultation = coursed(treatment="laser", plan_sessions=3)
    date = timezone.localdate() + datetime.timedelta(weeks=30)
    client.post(course_url(consultation, "maintenance"), {"target_date": date.isoformat()})
    added = consultation.course.sessions.get(number=4)
    assert added.kind == "maintenance" and added.target_date == date


def test_pause_then_resume(client, practitioner):
    consultation = coursed(treatment="laser")
    client.post(course_url(consultation, "pause"), {"note": "Travelling"})
    consultation.course.refresh_from_db()
    assert consultation.course.status == CourseStatus.PAUSED
    page = detail(client, consultation).content.decode()
    assert "Resume the course" in page and "Record session 1" not in page
    client.post(course_url(consultation, "resume"))
    consultation.course.refresh_from_db()
    assert consultation.course.status == CourseStatus.ACTIVE


def test_resuming_an_active_course_is_refused_with_a_message_not_an_error(client, practitioner):
    consultation = coursed(treatment="laser")
    response = client.post(course_url(consultation, "resume"), follow=True)
    assert response.status_code == 200
    assert "Only a paused course can be resumed." in response.content.decode()


def test_ending_early_with_other_needs_notes(client, practitioner):
    consultation = coursed(treatment="laser")
    response = client.post(course_url(consultation, "end"), {"reason": "other", "notes": "  "})
    assert "Say why in the notes when the reason is &#x27;Other&#x27;." in response.content.decode()
    assert consultation.course.status == CourseStatus.ACTIVE
    client.post(course_url(consultation, "end"), {"reason": "moved_away"})
    consultation.course.refresh_from_db()
    assert consultation.course.status == CourseStatus.ENDED
    assert consultation.course.end_reason == "moved_away"
    assert set(consultation.course.sessions.values_list("status", flat=True)) == {"cancelled"}
    assert consultation.course.events.filter(kind=CourseEvent.Kind.ENDED, by=practitioner)
    page = detail(client, consultation).content.decode()
    assert "Course ended</strong>: moved away" in page


def test_the_system_s_own_end_reasons_cannot_be_posted(client, practitioner):
    consultation = coursed(treatment="laser")
    response = client.post(course_url(consultation, "end"), {"reason": "safety_stop"})
    assert "Choose one of the reasons listed." in response.content.decode()
    consultation.course.refresh_from_db()
    assert consultation.course.status == CourseStatus.ACTIVE


def test_a_consultation_without_a_course_shows_none_and_refuses_changes(client, practitioner):
    from tests.factories import submitted

    consultation = submitted()
    assert "Treatment course" not in detail(client, consultation).content.decode()
    response = client.post(course_url(consultation, "pause"), follow=True)
    assert "This consultation has no treatment course." in response.content.decode()


@pytest.mark.parametrize("action", ["reschedule", "maintenance", "pause", "resume", "end"])
def test_course_changes_need_a_login_and_the_review_permission(client, action):
    consultation = coursed(treatment="laser")
    response = client.post(course_url(consultation, action))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(UserFactory(is_staff=True))
    assert client.post(course_url(consultation, action)).status_code == 403
    consultation.course.refresh_from_db()
    assert consultation.course.status == CourseStatus.ACTIVE


@pytest.mark.parametrize(
    "body",
    [
        {"session": "abc", "target_date": "2030-01-01"},
        {"session": "99999999999999999999999", "target_date": "2030-01-01"},
        {"session": "1", "target_date": "99999-99-99"},
        {"session": "1", "target_date": "2030-02-30"},
        {"session": ["1", "2"], "target_date": "\x00"},
    ],
)
def test_hostile_reschedule_bodies_get_a_message_never_a_500(client, practitioner, body):
    consultation = coursed(treatment="laser")
    before = list(consultation.course.sessions.values_list("target_date", flat=True))
    response = client.post(course_url(consultation, "reschedule"), body, follow=True)
    assert response.status_code == 200
    assert "Nothing was changed" in response.content.decode() or "Enter a real date" in (
        response.content.decode()
    )
    assert list(consultation.course.sessions.values_list("target_date", flat=True)) == before


def test_an_anonymised_patient_s_course_cannot_be_changed(client, practitioner):
    from consultations.services.insight import patients_anonymise

    consultation = coursed(treatment="laser")
    patients_anonymise(patients=[consultation.patient], user=practitioner)
    response = client.post(course_url(consultation, "pause"), follow=True)
    assert "anonymised" in response.content.decode()
    consultation.course.refresh_from_db()
    assert consultation.course.status != CourseStatus.PAUSED
