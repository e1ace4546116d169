"""The course in the admin: every page loads for an admin, nothing can be changed there, and
only staff who may see consultations see it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from consultations.models import (
    AccessLog,
    AnswerUpdate,
    CheckIn,
    Course,
    CourseEvent,
    SessionClearance,
    SessionRecord,
)
from tests.course.helpers import peel_course, session
from tests.factories import AdminFactory, SessionRecordFactory, UserFactory

pytestmark = pytest.mark.django_db
MODELS = [Course, SessionRecord, SessionClearance, CheckIn, CourseEvent, AnswerUpdate]


@pytest.fixture
def course_world():
    consultation = peel_course()
    first = session(consultation)
    record = SessionRecordFactory(session=first, adverse_events=["crusting"])
    check_in = CheckIn.objects.create(session=first, kind="day_2", due_on=timezone.localdate())
    SessionClearance.objects.create(
        session=session(consultation, 2),
        outcome="proceed",
        reason="Tan faded",
        by=record.performed_by,
    )
    AnswerUpdate.objects.create(
        consultation=consultation,
        check_in=check_in,
        field="recent_tan",
        old_value=False,
        new_value=True,
        source="clinic_tablet",
    )
    return consultation


def pages(model):
    opts = model._meta
    some = model._default_manager.first()
    return [
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[some.pk]),
    ]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_course_admin_page_loads_for_an_admin_and_offers_no_change(
    client, course_world, model
):
    client.force_login(AdminFactory())
    changelist, change = pages(model)
    assert client.get(changelist).status_code == 200
    response = client.get(change)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="_save"' not in page
    opts = model._meta
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403


def test_the_course_page_shows_its_sessions_and_events_and_logs_the_view(client, course_world):
    admin = AdminFactory()
    client.force_login(admin)
    response = client.get(pages(Course)[1])
    page = response.content.decode()
    assert "Course planned" in page and "Target date" in page
    # Session 1 went ahead without the patient's check-in (the factory's override): who.
    assert "Without the check-in" in page and "Answered verbally at the chair (" in page
    assert "Change the course on the review page" in page
    assert AccessLog.objects.filter(
        action=AccessLog.Action.VIEW, detail="admin", user=admin, consultation=course_world
    ).exists()


def test_a_session_record_reads_in_clinical_terms(client, course_world):
    client.force_login(AdminFactory())
    page = client.get(pages(SessionRecord)[1]).content.decode()
    assert "agent mandelic acid" in page and "Adverse events: Crusting" in page


def test_the_check_in_token_is_never_shown(client, course_world):
    client.force_login(AdminFactory())
    check_in = CheckIn.objects.get()
    page = client.get(pages(CheckIn)[1]).content.decode()
    assert check_in.token not in page


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_only_staff_who_may_see_consultations_see_the_course(client, course_world, model):
    staff = UserFactory(is_staff=True)
    own = Permission.objects.get(codename=f"view_{model._meta.model_name}")
    staff.user_permissions.add(own)
    client.force_login(staff)
    changelist, change = pages(model)
    assert client.get(changelist).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_consultation"))
    client.force_login(UserFactory(username=staff.username))  # signed in again
    assert client.get(changelist).status_code == 200
    assert client.get(change).status_code == 200
