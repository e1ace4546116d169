"""The check-ins' emails on the task queue: with the clock moved on, each goes exactly once, at
its time; none after the course ends or the patient is erased; two workers at once queue each
once."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from clinic.queue import enqueue_due
from consultations.models import (
    CheckIn,
    CheckInKind,
    EmailKind,
    EmailStatus,
    OutboundEmail,
    SessionStatus,
)
from consultations.services.checkin_emails import check_ins_send_due
from consultations.services.checkins import follow_ups_plan, pre_session_check_in
from consultations.services.course import course_end, course_pause, course_resume
from consultations.services.insight import patient_anonymise
from tests.course.checkins import on_tablet, pre_body, url
from tests.factories import PractitionerFactory, coursed
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


def _course(**fields):
    consultation = coursed(treatment="laser", plan_sessions=3, plan_interval_weeks=4, **fields)
    run_queued_tasks()  # the decision's email
    mail.outbox.clear()
    return consultation


def _at(day: datetime.date) -> datetime.datetime:
    """Nine in the morning, clinic time, on `day`."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def _sent_check_in_emails() -> list[mail.EmailMessage]:
    run_queued_tasks()
    return [m for m in mail.outbox if "session" in m.subject]


def test_each_check_in_email_goes_once_at_its_time_as_the_clock_moves_on():
    consultation = _course()
    first = consultation.course.sessions.get(number=1)
    day = first.target_date

    # A week before the session: nothing yet, however often the task runs.
    assert check_ins_send_due(now=_at(day - datetime.timedelta(days=7))).queued == 0
    assert not CheckIn.objects.exists()
    # Two days before: the pre-session check-in is made and its email queued, once.
    report = check_ins_send_due(now=_at(day - datetime.timedelta(days=2)))
    assert (report.created, report.queued) == (1, 1)
    for _ in range(3):
        assert check_ins_send_due(now=_at(day - datetime.timedelta(days=2))).queued == 0
    assert check_ins_send_due(now=_at(day - datetime.timedelta(days=1))).queued == 0
    pre = CheckIn.objects.get(kind=CheckInKind.PRE_SESSION)
    (email,) = _sent_check_in_emails()
    assert email.to == [consultation.patient.email]
    assert email.subject == "Before your next session: a short safety check"
    assert url(pre) in email.body
    assert "/c/" not in email.body  # only the check-in's own link

    # The session is done; the follow-ups go 2 and 14 days after it, once each.
    first.status = SessionStatus.DONE
    first.save(update_fields=["status"])
    follow_ups_plan(first, day)
    mail.outbox.clear()
    sent = []
    for offset in range(0, 20):
        now = _at(day + datetime.timedelta(days=offset))
        sent.append(check_ins_send_due(now=now).queued + check_ins_send_due(now=now).queued)
    assert [offset for offset, n in enumerate(sent) if n] == [2, 14]
    assert set(sent) == {0, 1}
    emails = _sent_check_in_emails()
    assert [m.subject for m in emails] == ["How is your skin after your session?"] * 2
    day_2 = CheckIn.objects.get(kind=CheckInKind.DAY_2)
    assert url(day_2) in emails[0].body
    assert OutboundEmail.objects.filter(check_in=day_2).count() == 1


def test_no_email_goes_after_the_course_ends_not_even_one_queued_before():
    consultation = _course()
    day = consultation.course.sessions.get(number=1).target_date
    assert check_ins_send_due(now=_at(day - datetime.timedelta(days=2))).queued == 1
    course_end(consultation=consultation, user=PractitionerFactory(), reason="moved_away")
    assert _sent_check_in_emails() == []
    assert OutboundEmail.objects.get(kind=EmailKind.CHECK_IN_PRE_SESSION).status == (
        EmailStatus.CANCELLED
    )
    later = consultation.course.sessions.get(number=2).target_date
    for offset in range(-3, 20):
        assert check_ins_send_due(now=_at(later + datetime.timedelta(days=offset))).queued == 0
    assert not CheckIn.objects.filter(cancelled_at__isnull=True).exists()


def test_follow_ups_of_a_done_session_stop_when_the_course_ends():
    consultation = _course()
    first = consultation.course.sessions.get(number=1)
    first.status = SessionStatus.DONE
    first.save(update_fields=["status"])
    follow_ups_plan(first, first.target_date)
    course_end(consultation=consultation, user=PractitionerFactory(), reason="completed")
    for offset in range(0, 20):
        day = first.target_date + datetime.timedelta(days=offset)
        assert check_ins_send_due(now=_at(day)).queued == 0


def test_a_paused_course_gets_no_pre_session_email_until_it_resumes():
    user = PractitionerFactory()
    consultation = _course(user=user)
    day = consultation.course.sessions.get(number=1).target_date
    course_pause(consultation=consultation, user=user)
    assert check_ins_send_due(now=_at(day - datetime.timedelta(days=2))).queued == 0
    course_resume(consultation=consultation, user=user)
    assert check_ins_send_due(now=_at(day - datetime.timedelta(days=1))).queued == 1


def test_nothing_goes_to_an_erased_patient_and_their_links_stop_working(client):
    consultation = _course()
    day = consultation.course.sessions.get(number=1).target_date
    assert check_ins_send_due(now=_at(day - datetime.timedelta(days=2))).queued == 1
    check_in = CheckIn.objects.get()
    link = url(check_in)
    check_in.red_flag_note = "Called Mrs Tan's daughter"
    check_in.save(update_fields=["red_flag_note"])

    patient_anonymise(patient=consultation.patient, user=None)

    assert _sent_check_in_emails() == []
    check_in.refresh_from_db()
    assert check_in.cancelled_at is not None
    assert "Tan" not in check_in.red_flag_note
    assert client.get(link).status_code == 404
    for offset in range(-2, 60):
        report = check_ins_send_due(now=_at(day + datetime.timedelta(days=offset)))
        assert (report.created, report.queued) == (0, 0)


def test_the_worker_runs_the_task_on_its_schedule(settings):
    consultation = _course()
    session = consultation.course.sessions.get(number=1)
    session.target_date = timezone.localdate() + datetime.timedelta(days=2)
    session.save(update_fields=["target_date"])
    assert "check-ins-send-due" in enqueue_due()
    assert "check-ins-send-due" not in enqueue_due()  # once per period
    run_queued_tasks()
    assert [m.subject for m in mail.outbox] == ["Before your next session: a short safety check"]


def test_a_check_in_answered_on_the_tablet_before_its_email_gets_none(client):
    consultation = _course()
    session = consultation.course.sessions.get(number=1)
    check_in = pre_session_check_in(session)
    on_tablet(client, check_in)
    client.post(url(check_in), pre_body())
    assert check_ins_send_due(now=_at(session.target_date - datetime.timedelta(days=2))).queued == 0


def test_an_email_queued_and_then_made_needless_by_an_answer_is_not_sent(client):
    consultation = _course()
    day = consultation.course.sessions.get(number=1).target_date
    assert check_ins_send_due(now=_at(day - datetime.timedelta(days=2))).queued == 1
    on_tablet(client, CheckIn.objects.get())
    client.post(url(CheckIn.objects.get()), pre_body())
    assert _sent_check_in_emails() == []
    assert OutboundEmail.objects.get(kind=EmailKind.CHECK_IN_PRE_SESSION).status == (
        EmailStatus.CANCELLED
    )


def test_a_session_recorded_late_sends_no_follow_up_whose_link_has_closed():
    from consultations.services.checkins import follow_ups_plan

    consultation = _course()
    session = consultation.course.sessions.get(number=1)
    follow_ups_plan(session, timezone.localdate() - datetime.timedelta(days=40))
    assert check_ins_send_due(now=timezone.now()).queued == 0


def test_a_pre_session_email_queued_before_a_pause_is_not_sent(client):
    consultation = _course()
    day = consultation.course.sessions.get(number=1).target_date
    assert check_ins_send_due(now=_at(day - datetime.timedelta(days=2))).queued == 1
    course_pause(consultation=consultation, user=PractitionerFactory())
    assert _sent_check_in_emails() == []
    # ... and its link says it is not needed for now.
    response = client.get(url(CheckIn.objects.get()))
    assert "Send my answers" not in response.content.decode()
