"""A session a check-in blocked: the practitioner proceeds (with a reason), changes the
treatment to one the latest rules' run allows, or stops the course. And the pre-session
check-in started on the clinic's tablet."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consultations.models import (
    AccessLog,
    CheckIn,
    CourseEvent,
    CourseStatus,
    Decision,
    SessionClearance,
    SessionStatus,
)
from consultations.services import sessions as session_services
from consultations.services.course import CourseRefused
from tests.course.checkins import pre_body
from tests.course.helpers import blocked, peel_course, session
from tests.factories import UserFactory, coursed

pytestmark = pytest.mark.django_db


def clear_url(consultation, number=1):
    return reverse("review:session_clear", args=[consultation.reference, number])


def clear(client, consultation, number=1, **data):
    mark = session_services.block_mark(session(consultation, number))
    return client.post(clear_url(consultation, number), {"block": mark, **data})


def test_proceed_needs_a_reason_then_clears_the_block_and_leaves_a_trace(client, practitioner):
    consultation = peel_course()
    blocked(consultation, 1, recent_tan=True)
    response = clear(client, consultation, outcome="proceed", reason="  ")
    assert response.status_code == 200
    assert "Give the reason for your decision" in response.content.decode()
    assert "Tanned in the last 4 weeks" in response.content.decode()  # why, on that page too
    assert session(consultation).is_blocked
    response = clear(client, consultation, outcome="proceed", reason="Tan has faded; test patch")
    assert response.status_code == 302
    first = session(consultation)
    assert not first.is_blocked
    clearance = SessionClearance.objects.get()
    assert (clearance.outcome, clearance.by, clearance.treatment) == ("proceed", practitioner, "")
    assert AccessLog.objects.filter(action=AccessLog.Action.CLEAR, user=practitioner).exists()
    page = client.get(reverse("review:detail", args=[consultation.reference])).content.decode()
    assert "Record session 1" in page and "Tan has faded; test patch" in page


def test_change_switches_the_course_to_an_allowed_treatment_without_a_new_decision(
    client, practitioner
):
    consultation = coursed(treatment="laser", plan_sessions=3)
    decisions = Decision.objects.count()
    # A new tan: the rules now exclude the laser.
    blocked(consultation, 2, recent_tan=True)
    form = (
        client.get(reverse("review:detail", args=[consultation.reference]))
        .context["course_panel"]["rows"][1]
        .clearance_form
    )
    assert [value for value, _ in form.fields["treatment"].choices] == [
        "",
        "microdermabrasion",
        "chemical_peel",
    ]
    response = clear(client, consultation, 2, outcome="change", reason="Tanned", treatment="laser")
    assert "Choose a treatment the latest rules" in response.content.decode()
    response = clear(client, consultation, 2, outcome="change", reason="Tanned")
    assert "Choose the new treatment." in response.content.decode()
    clear(client, consultation, 2, outcome="change", treatment="microdermabrasion", reason="Tan")
    course = consultation.course
    course.refresh_from_db()
    assert course.treatment == "microdermabrasion"
    assert course.events.filter(kind=CourseEvent.Kind.TREATMENT_CHANGED, by=practitioner)
    assert Decision.objects.count() == decisions
    assert SessionClearance.objects.get().treatment == "microdermabrasion"
    assert not session(consultation, 2).is_blocked


def test_the_service_refuses_a_treatment_the_latest_rules_exclude():
    consultation = peel_course()
    user = UserFactory()
    blocked(consultation, 1, recent_tan=True)
    with pytest.raises(CourseRefused, match="does not allow picosecond laser"):
        session_services.session_clear(
            consultation=consultation,
            user=user,
            number=1,
            block=None,
            outcome="change",
            treatment="laser",
            reason="Patient asked",
        )
    assert session(consultation).is_blocked


def test_stop_ends_the_course_for_safety_and_cancels_what_is_planned(client, practitioner):
    consultation = peel_course()
    blocked(consultation, 2, isotretinoin_last_6_months=True, isotretinoin_timing="current")
    later = session(consultation, 2)
    CheckIn.objects.create(session=later, kind="pre_session", due_on=later.target_date)
    clear(client, consultation, 2, outcome="stop_course", reason="Started isotretinoin")
    course = consultation.course
    course.refresh_from_db()
    assert course.status == CourseStatus.ENDED and course.end_reason == "safety_stop"
    assert set(course.sessions.values_list("status", flat=True)) == {SessionStatus.CANCELLED}
    assert CheckIn.objects.get().cancelled_at is not None
    assert SessionClearance.objects.get().check_in is not None


def test_a_clearance_built_on_an_earlier_block_saves_nothing(client, practitioner):
    consultation = peel_course()
    first = blocked(consultation, 1, recent_tan=True)
    stale = session_services.block_mark(first)
    first.blocked_at = first.blocked_at.replace(
        microsecond=(first.blocked_at.microsecond + 1) % 10**6
    )
    first.save()
    response = client.post(
        clear_url(consultation), {"block": stale, "outcome": "proceed", "reason": "OK"}, follow=True
    )
    assert "blocked again by a newer check-in" in response.content.decode()
    assert session(consultation).is_blocked and not SessionClearance.objects.exists()


def test_a_second_clearance_of_the_same_block_saves_nothing(client, practitioner):
    consultation = peel_course()
    blocked(consultation, 1, recent_tan=True)
    mark = session_services.block_mark(session(consultation))
    data = {"block": mark, "outcome": "proceed", "reason": "Tan faded"}
    client.post(clear_url(consultation), data)
    response = client.post(clear_url(consultation), data, follow=True)
    assert "Nothing was saved" in response.content.decode()
    assert SessionClearance.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"block": "x" * 40, "outcome": "proceed", "reason": "r"},
        {"block": "1", "outcome": "explode", "reason": "r"},
        {"outcome": "change", "treatment": "../../etc", "reason": "r"},
    ],
)
def test_hostile_clearance_bodies_get_a_message_never_a_500(client, practitioner, body):
    consultation = peel_course()
    blocked(consultation, 1, recent_tan=True)
    response = client.post(clear_url(consultation), body, follow=True)
    assert response.status_code == 200
    assert session(consultation).is_blocked


def test_clearing_needs_a_login_and_the_review_permission(client):
    consultation = peel_course()
    blocked(consultation, 1, recent_tan=True)
    data = {"outcome": "proceed", "reason": "fine"}
    response = client.post(clear_url(consultation), data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(UserFactory(is_staff=True))
    assert client.post(clear_url(consultation), data).status_code == 403
    assert session(consultation).is_blocked


# --- The check-in on the clinic's tablet


def check_in_url(consultation, number=1):
    return reverse("review:session_check_in", args=[consultation.reference, number])


def test_the_tablet_button_opens_the_patient_s_check_in_with_its_source(client, practitioner):
    consultation = peel_course()
    response = client.post(check_in_url(consultation, 2))
    check_in = CheckIn.objects.get(session=session(consultation, 2), kind="pre_session")
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:check_in", args=[check_in.token])
    # The patient's own check-in page opens on the tablet, with nothing ticked ...
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Before your session: a short safety check" in page.content.decode()
    # ... and the practitioner is signed out: Back, or a typed address, shows no record.
    staff = client.get(reverse("review:detail", args=[consultation.reference]))
    assert staff.status_code == 302 and staff["Location"].startswith(reverse("login"))
    # A second press (signed in again) opens the same check-in.
    client.force_login(practitioner)
    assert client.post(check_in_url(consultation, 2))["Location"] == response["Location"]
    assert CheckIn.objects.count() == 1
    assert AccessLog.objects.filter(action=AccessLog.Action.COURSE, user=practitioner).exists()
    # The answers given on it are recorded as given at the clinic.
    client.post(response["Location"], pre_body())
    check_in.refresh_from_db()
    assert check_in.source == "clinic_tablet"


def test_no_tablet_check_in_for_a_paused_course_or_a_session_done(client, practitioner):
    consultation = peel_course()
    first = session(consultation)
    first.status = SessionStatus.DONE
    first.save()
    response = client.post(check_in_url(consultation, 1), follow=True)
    assert "Only a planned session has a check-in before it." in response.content.decode()
    client.post(reverse("review:course_pause", args=[consultation.reference]))
    response = client.post(check_in_url(consultation, 2), follow=True)
    assert "Resume it first" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_the_tablet_check_in_needs_the_review_permission_and_the_right_consultation(client):
    consultation, other = peel_course(), peel_course()
    response = client.post(check_in_url(consultation))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(UserFactory(is_staff=True))
    assert client.post(check_in_url(consultation)).status_code == 403
    from tests.factories import PractitionerFactory

    client.force_login(PractitionerFactory())
    assert client.get(check_in_url(consultation)).status_code == 405
    assert client.post(check_in_url(other, 99)).status_code == 404
    assert not CheckIn.objects.exists()
