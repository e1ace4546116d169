"""Before each session the patient answers its check-in (issue #16): a session is recorded
only with that check-in answered (and not blocked), or with the practitioner's coded override,
kept with who and when. A session moved more than a week past the answers needs a fresh
check-in, emailed two days before the new date: nothing is carried over."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import (
    CheckIn,
    CheckInSource,
    SessionRecord,
    SessionStatus,
)
from consultations.services import sessions as session_services
from consultations.services.checkin_emails import check_ins_send_due
from consultations.services.checkins import check_in_answer_pre, pre_session_check_in
from consultations.services.course import CourseRefused, session_reschedule
from consultations.services.session_check_in import CheckInOverrideGiven, check_in_on_tablet
from tests.course.checkins import pre_body
from tests.course.helpers import blocked, checked_in, peel_course, peel_record_data, session
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.django_db


def record_url(consultation, number=1):
    return reverse("review:session_record", args=[consultation.reference, number])


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _given(user, **fields) -> session_services.SessionInput:
    values = {
        "performed_on": timezone.localdate(),
        "performed_by_id": user.pk,
        "treatment": "chemical_peel",
        "peel_agent": "mandelic",
        "erythema_grade": 1,
        "pain": 2,
    }
    values.update(fields)
    return session_services.SessionInput(**values)


# --- 1. No session without its check-in, or an override


def test_the_service_refuses_a_session_whose_check_in_is_not_answered():
    consultation = peel_course()
    user = PractitionerFactory()
    pre_session_check_in(session(consultation))  # emailed, not answered
    with pytest.raises(CourseRefused, match="has not answered the check-in"):
        session_services.session_record(
            consultation=consultation, user=user, number=1, given=_given(user)
        )
    assert not SessionRecord.objects.exists()
    assert session(consultation).status == SessionStatus.PLANNED


def test_an_answered_check_in_lets_the_session_be_recorded_with_no_override():
    consultation = peel_course()
    checked_in(consultation)
    user = PractitionerFactory()
    session_services.session_record(
        consultation=consultation,
        user=user,
        number=1,
        given=_given(user),
        override=CheckInOverrideGiven(reason="answered_verbally"),
    )
    first = session(consultation)
    assert first.status == SessionStatus.DONE
    # Not needed, so not kept: the record does not say the check-in was skipped.
    assert (first.check_in_override, first.check_in_override_by) == ("", None)


def test_the_override_is_kept_with_its_reason_who_and_when():
    consultation = peel_course()
    user = PractitionerFactory()
    before = timezone.now()
    session_services.session_record(
        consultation=consultation,
        user=user,
        number=1,
        given=_given(user),
        override=CheckInOverrideGiven(reason="could_not_use_link"),
    )
    first = session(consultation)
    assert first.status == SessionStatus.DONE
    assert first.check_in_override == "could_not_use_link"
    assert first.check_in_override_by == user and first.check_in_override_at >= before
    with pytest.raises(ValueError, match="needs notes"):
        other = peel_course()
        session_services.session_record(
            consultation=other,
            user=user,
            number=1,
            given=_given(user),
            override=CheckInOverrideGiven(reason="other", notes="  "),
        )


def test_an_override_does_not_go_round_a_blocked_session():
    consultation = peel_course()
    checked_in(consultation)
    blocked(consultation, 1, recent_tan=True)
    user = PractitionerFactory()
    with pytest.raises(CourseRefused, match="blocked by the patient's check-in"):
        session_services.session_record(
            consultation=consultation,
            user=user,
            number=1,
            given=_given(user),
            override=CheckInOverrideGiven(reason="answered_verbally"),
        )
    assert not SessionRecord.objects.exists()


def test_the_form_shows_the_missing_check_in_the_tablet_and_the_override(client, practitioner):
    consultation = peel_course()
    response = client.get(record_url(consultation))
    page = response.content.decode()
    assert "does not cover this session" in page
    assert "The patient has not answered the check-in before this session." in page
    assert reverse("review:session_check_in", args=[consultation.reference, 1]) in page
    assert "Check in on this tablet now" in page
    assert "Answered verbally at the chair" in page and "Patient could not use the link" in page


def test_the_form_shows_an_answered_check_in_and_no_override(client, practitioner):
    consultation = peel_course()
    checked_in(consultation)
    page = client.get(record_url(consultation)).content.decode()
    assert "Check-in before the session:</strong> answered" in page
    assert "patient, on a tablet at the clinic" in page
    assert "does not cover this session" not in page
    assert "Answered verbally at the chair" not in page


def test_without_check_in_or_override_the_form_says_so_beside_the_field(client, practitioner):
    consultation = peel_course()
    response = client.post(record_url(consultation), peel_record_data(practitioner))
    assert response.status_code == 200
    (error,) = response.context["form"].errors["check_in_override"]
    assert error.startswith("The patient has not answered the check-in before this session.")
    assert "check in on the tablet first" in error
    assert 'href="#id_check_in_override"' in response.content.decode()
    data = peel_record_data(practitioner, check_in_override="other")
    response = client.post(record_url(consultation), data)
    assert response.context["form"].errors["check_in_override_notes"] == [
        "Say why the session goes ahead without the check-in."
    ]
    response = client.post(record_url(consultation), {**data, "check_in_override": "tattoo"})
    assert response.context["form"].errors["check_in_override"] == [
        "Choose one of the reasons listed."
    ]
    assert not SessionRecord.objects.exists()
    client.post(
        record_url(consultation),
        {**data, "check_in_override_notes": "Phone died; asked every question at the chair."},
    )
    first = session(consultation)
    assert first.status == SessionStatus.DONE
    assert first.check_in_override == "other"
    assert first.check_in_override_notes == "Phone died; asked every question at the chair."
    assert first.check_in_override_by == practitioner
    panel = client.get(reverse("review:detail", args=[consultation.reference])).content.decode()
    assert (
        "Recorded without the patient's check-in: Phone died; asked every question at the "
        "chair." in panel
    )


def test_answers_over_a_week_before_the_session_date_need_the_override(client, practitioner):
    # Answered 2 days before the planned date; the session done (recorded late) 8 days after.
    consultation = peel_course()
    first = session(consultation)
    answered_at = _at(timezone.localdate() - datetime.timedelta(days=10))
    first.target_date = answered_at.date() + datetime.timedelta(days=2)
    first.save(update_fields=["target_date"])
    checked_in(consultation, now=answered_at)
    performed = timezone.localdate()
    response = client.post(record_url(consultation), peel_record_data(practitioner))
    (error,) = response.context["form"].errors["check_in_override"]
    assert "more than a week before the session: its answers no longer count" in error
    assert not SessionRecord.objects.exists()
    # Done eight days ago instead: the answers count.
    earlier = performed - datetime.timedelta(days=8)
    client.post(record_url(consultation), peel_record_data(practitioner, performed_on=earlier))
    assert SessionRecord.objects.get().performed_on == earlier
    assert session(consultation).check_in_override == ""


# --- 2. A session moved far: a fresh check-in, emailed two days before the new date


def test_a_session_moved_weeks_later_needs_a_fresh_check_in_emailed_before_the_new_date():
    consultation = coursed_laser()
    user = PractitionerFactory()
    first = session(consultation)
    day = first.target_date
    # Two days before the session the email goes and the patient answers: nothing new.
    assert check_ins_send_due(now=_at(day - datetime.timedelta(days=2))).queued == 1
    old = CheckIn.objects.get(kind="pre_session")
    check_in_answer_pre(
        check_in=old,
        answers=_no(),
        source=CheckInSource.PATIENT_LINK,
        now=_at(day - datetime.timedelta(days=2), 10),
    )
    # The patient cannot come: the session moves four weeks on.
    new_day = day + datetime.timedelta(weeks=4)
    session_reschedule(
        consultation=consultation,
        user=user,
        session_id=first.pk,
        target_date=new_day,
    )
    old.refresh_from_db()
    # The old answers are kept, with their rules' run, but no longer count ...
    assert old.answered_at is not None and old.answers["recent_tan"] is False
    assert old.evaluation_id is not None and old.cancelled_at is not None
    # ... a fresh check-in is asked, its email due two days before the new date.
    fresh = CheckIn.objects.get(kind="pre_session", cancelled_at__isnull=True)
    assert fresh.pk != old.pk and fresh.answered_at is None
    assert fresh.due_on == new_day - datetime.timedelta(days=2)
    # With the clock moved on: nothing before its day, then once, and never again.
    assert check_ins_send_due(now=_at(new_day - datetime.timedelta(days=3))).queued == 0
    assert check_ins_send_due(now=_at(new_day - datetime.timedelta(days=2))).queued == 1
    assert check_ins_send_due(now=_at(new_day - datetime.timedelta(days=2), 15)).queued == 0
    assert check_ins_send_due(now=_at(new_day - datetime.timedelta(days=1))).queued == 0
    fresh.refresh_from_db()
    assert fresh.sent_at is not None
    assert pre_session_check_in(first) == fresh
    # Until it is answered, the session is not recorded on the old answers.
    with pytest.raises(CourseRefused, match="has not answered the check-in"):
        session_services.session_record(
            consultation=consultation,
            user=user,
            number=1,
            given=_given(user, treatment="laser", peel_agent="", notes=""),
        )


def test_a_session_moved_a_few_days_keeps_its_answered_check_in():
    consultation = coursed_laser()
    user = PractitionerFactory()
    first = session(consultation)
    day = first.target_date
    check_in = pre_session_check_in(first)
    check_in_answer_pre(
        check_in=check_in,
        answers=_no(),
        source=CheckInSource.PATIENT_LINK,
        now=_at(day - datetime.timedelta(days=2)),
    )
    session_reschedule(
        consultation=consultation,
        user=user,
        session_id=first.pk,
        target_date=day + datetime.timedelta(days=3),
    )
    check_in.refresh_from_db()
    assert check_in.cancelled_at is None
    assert list(CheckIn.objects.filter(kind="pre_session")) == [check_in]


def test_an_email_sent_weeks_before_the_new_date_is_sent_again_at_the_right_time():
    consultation = coursed_laser()
    user = PractitionerFactory()
    first = session(consultation)
    day = first.target_date
    assert check_ins_send_due(now=_at(day - datetime.timedelta(days=2))).queued == 1
    new_day = day + datetime.timedelta(weeks=3)
    session_reschedule(
        consultation=consultation, user=user, session_id=first.pk, target_date=new_day
    )
    (fresh,) = CheckIn.objects.filter(kind="pre_session", cancelled_at__isnull=True)
    assert fresh.sent_at is None and fresh.due_on == new_day - datetime.timedelta(days=2)
    assert check_ins_send_due(now=_at(new_day - datetime.timedelta(days=2))).queued == 1


def test_the_tablet_asks_afresh_when_the_answers_are_over_a_week_old():
    consultation = coursed_laser()
    user = PractitionerFactory()
    first = session(consultation)
    old = checked_in(consultation, now=timezone.now() - datetime.timedelta(days=8))
    check_in = check_in_on_tablet(consultation=consultation, user=user, number=1)
    old.refresh_from_db()
    assert old.cancelled_at is not None and check_in.pk != old.pk
    assert check_in.answered_at is None and check_in.session_id == first.pk
    # Answered now: the session can be recorded without an override.
    assert checked_in(consultation) == check_in
    session_services.session_record(
        consultation=consultation,
        user=user,
        number=1,
        given=_given(
            user,
            treatment="laser",
            peel_agent="",
            laser_wavelength_nm=1064,
            notes="",
        ),
    )
    assert session(consultation).status == SessionStatus.DONE


def test_the_tablet_answers_given_today_are_the_same_check_in(client, practitioner):
    consultation = peel_course()
    check_in = pre_session_check_in(session(consultation))
    url = reverse("review:session_check_in", args=[consultation.reference, 1])
    response = client.post(url)
    assert response["Location"] == reverse("intake:check_in", args=[check_in.token])
    client.post(response["Location"], pre_body())
    client.force_login(practitioner)
    response = client.post(record_url(consultation), peel_record_data(practitioner))
    assert response.status_code == 302
    assert session(consultation).status == SessionStatus.DONE


def coursed_laser():
    from tests.factories import coursed

    return coursed(treatment="laser", plan_sessions=3, plan_interval_weeks=4)


def _no() -> dict:
    from consultations.services.checkins import PRE_SESSION_CODES

    answers = dict.fromkeys(PRE_SESSION_CODES, False)
    answers["isotretinoin_timing"] = ""
    return answers


def test_the_old_link_of_a_moved_session_tells_the_patient_a_new_one_will_come(client):
    consultation = coursed_laser()
    first = session(consultation)
    day = first.target_date
    check_ins_send_due(now=_at(day - datetime.timedelta(days=2)))
    old = CheckIn.objects.get(kind="pre_session")
    session_reschedule(
        consultation=consultation,
        user=PractitionerFactory(),
        session_id=first.pk,
        target_date=day + datetime.timedelta(weeks=3),
    )
    page = client.get(reverse("intake:check_in", args=[old.token])).content.decode()
    assert "we will email you a new link 2 days before the new date" in page
    assert client.post(reverse("intake:check_in", args=[old.token]), pre_body()).status_code == 200
    old.refresh_from_db()
    assert old.answered_at is None


def test_a_clearance_after_the_session_moved_weighs_the_check_in_that_blocked_it():
    from consultations.services.sessions import block_mark, session_clear

    consultation = coursed_laser()
    user = PractitionerFactory()
    first = session(consultation)
    day = first.target_date
    answering = pre_session_check_in(first)
    answered = check_in_answer_pre(
        check_in=answering,
        answers={**_no(), "recent_tan": True},
        source=CheckInSource.PATIENT_LINK,
        now=_at(day - datetime.timedelta(days=2)),
    )
    assert answered.blocked
    session_reschedule(
        consultation=consultation,
        user=user,
        session_id=first.pk,
        target_date=day + datetime.timedelta(weeks=4),
    )
    first.refresh_from_db()
    assert first.is_blocked  # moving a session does not lift its block
    # The old answers no longer count; no new link is emailed while the session waits for
    # the practitioner's decision.
    answering.refresh_from_db()
    assert answering.cancelled_at is not None
    assert not CheckIn.objects.filter(kind="pre_session", cancelled_at__isnull=True).exists()
    clearance = session_clear(
        consultation=consultation,
        user=user,
        number=1,
        block=block_mark(first),
        outcome="proceed",
        reason="Tan has faded; test patch fine.",
    )
    assert clearance.check_in == answering
    # Cleared: two days before the new date the task makes the fresh check-in and emails it.
    new_day = day + datetime.timedelta(weeks=4)
    report = check_ins_send_due(now=_at(new_day - datetime.timedelta(days=2)))
    assert (report.created, report.queued) == (1, 1)
