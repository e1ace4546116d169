"""The pre-session check-in and the session's date (review of #16): answers count only when
given in the week before the session, never after it, whatever path records or amends it; the
tablet works for a session running late; answers given weeks early are asked again by email."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from consultations.models import CheckIn, CourseSession, SessionStatus
from consultations.selectors_course import CHECK_IN_LATE_FOR, EXPIRED, OPEN, check_in_state
from consultations.services import sessions as session_services
from consultations.services.checkin_emails import check_ins_send_due
from consultations.services.checkins import pre_session_check_in
from consultations.services.course import CourseRefused
from consultations.services.session_check_in import check_in_on_tablet
from tests.course.helpers import blocked, checked_in, peel_course, session
from tests.course.test_session_check_in_required import _at, _given, coursed_laser
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.timedelta(0)
DAY = datetime.timedelta(days=1)


def test_answers_given_after_the_session_date_do_not_count_for_it():
    consultation = peel_course()
    checked_in(consultation)  # answered today
    user = PractitionerFactory()
    with pytest.raises(CourseRefused, match="after the session's date"):
        session_services.session_record(
            consultation=consultation,
            user=user,
            number=1,
            given=_given(user, performed_on=timezone.localdate() - 5 * DAY),
        )
    assert session(consultation).status == SessionStatus.PLANNED


def test_an_amendment_cannot_move_the_date_out_of_what_the_check_in_covers():
    consultation = peel_course()
    checked_in(consultation, now=timezone.now() - 3 * DAY)
    user = PractitionerFactory()
    recorded = session_services.session_record(
        consultation=consultation, user=user, number=1, given=_given(user)
    ).record
    for moved_to, message in (
        (timezone.localdate() - 4 * DAY, "after the session's date"),
        (timezone.localdate() - 12 * DAY, "after the session's date"),
    ):
        with pytest.raises(CourseRefused, match=message):
            session_services.session_record_amend(
                consultation=consultation,
                user=user,
                number=1,
                record_id=recorded.pk,
                given=_given(user, performed_on=moved_to),
                amendment_reason="Wrong date typed.",
            )
    # A date the answers still cover is a fine correction.
    amended = session_services.session_record_amend(
        consultation=consultation,
        user=user,
        number=1,
        record_id=recorded.pk,
        given=_given(user, performed_on=timezone.localdate() - DAY),
        amendment_reason="Wrong date typed.",
    ).record
    assert amended.performed_on == timezone.localdate() - DAY


def test_the_tablet_works_for_a_session_running_late_within_two_weeks():
    consultation = coursed_laser()
    user = PractitionerFactory()
    first = session(consultation)
    CourseSession.objects.filter(pk=first.pk).update(target_date=timezone.localdate() - 3 * DAY)
    check_in = check_in_on_tablet(consultation=consultation, user=user, number=1)
    assert check_in_state(check_in) == OPEN
    assert checked_in(consultation) == check_in
    session_services.session_record(
        consultation=consultation,
        user=user,
        number=1,
        given=_given(user, treatment="laser", peel_agent="", laser_wavelength_nm=1064),
    )
    assert session(consultation).status == SessionStatus.DONE
    # Past CHECK_IN_LATE_FOR the session is moved (which asks afresh), not checked in late.
    other = coursed_laser()
    late = session(other)
    CourseSession.objects.filter(pk=late.pk).update(
        target_date=timezone.localdate() - CHECK_IN_LATE_FOR - DAY
    )
    assert check_in_state(pre_session_check_in(session(other))) == EXPIRED


def test_answers_given_weeks_early_on_the_tablet_are_asked_again_by_email():
    consultation = coursed_laser()
    day = session(consultation).target_date
    early = checked_in(consultation, now=_at(day - 28 * DAY))
    report = check_ins_send_due(now=_at(day - 2 * DAY))
    assert report.queued == 1
    early.refresh_from_db()
    assert early.cancelled_at is not None  # kept, with its answers, no longer in force
    fresh = CheckIn.objects.get(kind="pre_session", cancelled_at__isnull=True)
    assert fresh.sent_at is not None and fresh.answered_at is None
    assert check_ins_send_due(now=_at(day - DAY)).queued == 0


def test_answers_given_within_the_week_are_not_asked_again():
    consultation = coursed_laser()
    day = session(consultation).target_date
    checked_in(consultation, now=_at(day - 5 * DAY))
    assert check_ins_send_due(now=_at(day - 2 * DAY)).queued == 0
    assert CheckIn.objects.filter(kind="pre_session").count() == 1


def test_no_tablet_check_in_while_the_session_waits_for_a_practitioner():
    consultation = peel_course()
    checked_in(consultation)
    blocked(consultation, 1, recent_tan=True)
    with pytest.raises(CourseRefused, match="blocked by the patient's check-in"):
        check_in_on_tablet(consultation=consultation, user=PractitionerFactory(), number=1)
    assert CheckIn.objects.filter(kind="pre_session").count() == 1
