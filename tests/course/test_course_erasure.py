"""Erasure and retention cover the course: free text goes, nothing more is sent, rows purged."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from consultations.models import (
    AnswerUpdate,
    CheckIn,
    Course,
    CourseEndReason,
    CourseEvent,
    CourseSession,
    CourseStatus,
    SessionClearance,
    SessionRecord,
    SessionStatus,
)
from consultations.services import course as course_service
from consultations.services.insight import REMOVED_TEXT, patient_anonymise
from consultations.services.retention import retention_purge
from tests.factories import (
    DraftConsultationFactory,
    PractitionerFactory,
    SessionRecordFactory,
    coursed,
)

pytestmark = pytest.mark.django_db


def a_course_with_everything():
    """A peel course: session 1 done with an amended record, its follow-ups (one answered
    with a handled red flag, one not), a pre-session check-in with free text for session 2
    (blocked, then cleared), and a paused-then-resumed course."""
    user = PractitionerFactory()
    consultation = coursed(treatment="chemical_peel", user=user, plan_sessions=3)
    first, second = consultation.course.sessions.filter(number__in=[1, 2])
    first.status = SessionStatus.DONE
    first.save()
    record = SessionRecordFactory(
        session=first,
        notes="Patient mentioned her sister Mei Tan had the same peel.",
        adverse_notes="Small blister near the left ear.",
        adverse_events=["blistering"],
        peel_agent="tca",
        agent_override_reason="Agreed with Dr Lim on 3 March.",
    )
    SessionRecordFactory(
        session=first, supersedes=record, amendment_reason="Typo in the notes, said Mrs Tan."
    )
    CourseSession.objects.filter(pk=first.pk).update(
        check_in_override="other",
        check_in_override_notes="Her phone was with her husband, Mr Tan.",
    )
    CheckIn.objects.create(
        session=first,
        kind=CheckIn.Kind.DAY_2,
        due_on=first.target_date,
        sent_at=timezone.now(),
        answered_at=timezone.now(),
        source=CheckIn.Source.PATIENT_LINK,
        blisters_or_crusts=True,
        red_flag=True,
        satisfaction=4,
        red_flag_handled_at=timezone.now(),
        red_flag_handled_by=user,
        red_flag_note="Called her at home in Tampines.",
    )
    CheckIn.objects.create(session=first, kind=CheckIn.Kind.DAY_14, due_on=first.target_date)
    pre = CheckIn.objects.create(
        session=second,
        kind=CheckIn.Kind.PRE_SESSION,
        due_on=second.target_date,
        answered_at=timezone.now(),
        source=CheckIn.Source.CLINIC_TABLET,
        answers={"takes_other_medicines": True, "other_medicines": "Roaccutane from Dr Goh"},
    )
    AnswerUpdate.objects.create(
        consultation=consultation,
        check_in=pre,
        field="other_medicines",
        old_value="",
        new_value="Roaccutane from Dr Goh",
        source=CheckIn.Source.CLINIC_TABLET,
    )
    AnswerUpdate.objects.create(
        consultation=consultation,
        check_in=pre,
        field="isotretinoin_last_6_months",
        old_value=False,
        new_value=True,
        source=CheckIn.Source.CLINIC_TABLET,
    )
    SessionClearance.objects.create(
        session=second,
        check_in=pre,
        outcome="proceed",
        reason="Discussed with her husband David; stopped three months ago.",
        by=user,
    )
    course_service.course_pause(
        consultation=consultation, user=user, note="Travelling to Penang to see family."
    )
    course_service.course_resume(consultation=consultation, user=user)
    consultation.refresh_from_db()
    return consultation, user


def test_erasure_removes_the_free_text_of_the_course_and_keeps_the_codes():
    consultation, user = a_course_with_everything()
    tokens = set(CheckIn.objects.values_list("token", flat=True))

    patient_anonymise(patient=consultation.patient, user=user)

    for record in SessionRecord.objects.filter(session__course__consultation=consultation):
        for field in ("notes", "adverse_notes", "agent_override_reason", "amendment_reason"):
            assert getattr(record, field) in ("", REMOVED_TEXT)
    first = SessionRecord.objects.get(supersedes__isnull=True)
    assert first.adverse_events == ["blistering"] and first.peel_agent == "tca"
    flagged = CheckIn.objects.get(kind=CheckIn.Kind.DAY_2)
    assert flagged.red_flag_note == REMOVED_TEXT
    assert (flagged.red_flag, flagged.satisfaction) == (True, 4)
    pre = CheckIn.objects.get(kind=CheckIn.Kind.PRE_SESSION)
    assert pre.answers == {"takes_other_medicines": True, "other_medicines": ""}
    updates = dict(AnswerUpdate.objects.values_list("field", "new_value"))
    assert updates == {"other_medicines": "", "isotretinoin_last_6_months": True}
    assert SessionClearance.objects.get().reason == REMOVED_TEXT
    done = CourseSession.objects.get(course__consultation=consultation, number=1)
    assert (done.check_in_override, done.check_in_override_notes) == ("other", REMOVED_TEXT)
    paused = CourseEvent.objects.get(kind=CourseEvent.Kind.PAUSED)
    assert "Penang" not in paused.detail
    assert not tokens & set(CheckIn.objects.values_list("token", flat=True))


def test_erasure_stops_every_check_in_and_session_still_to_come():
    consultation, user = a_course_with_everything()

    patient_anonymise(patient=consultation.patient, user=user)

    assert not CheckIn.objects.filter(answered_at__isnull=True, cancelled_at__isnull=True)
    assert CheckIn.objects.get(kind=CheckIn.Kind.DAY_14).cancelled_at is not None
    course = Course.objects.get()
    assert course.status == CourseStatus.ENDED
    assert course.end_reason == CourseEndReason.OTHER
    assert not course.sessions.filter(status=SessionStatus.PLANNED).exists()
    # Done sessions stay done: the analytics still count what happened.
    assert course.sessions.filter(status=SessionStatus.DONE).count() == 1
    # A second erasure request changes nothing more and does not fail.
    patient_anonymise(patient=consultation.patient, user=user)
    assert Course.objects.get().end_reason == CourseEndReason.OTHER


def test_an_ended_course_keeps_its_reason_and_loses_its_notes():
    user = PractitionerFactory()
    consultation = coursed(treatment="laser", user=user)
    course_service.course_end(
        consultation=consultation,
        user=user,
        reason=CourseEndReason.OTHER,
        notes="Moving to Jakarta with her employer, Acme Pte Ltd.",
    )
    patient_anonymise(patient=consultation.patient, user=user)
    course = Course.objects.get()
    assert course.end_reason == CourseEndReason.OTHER
    assert course.end_notes == REMOVED_TEXT


def test_retention_purges_a_consultation_with_its_course_rows(settings):
    kept, _user = a_course_with_everything()
    stale = DraftConsultationFactory()
    # A course under the purged consultation (its decision belongs to another record, since
    # a draft has none): every row under it goes first, as the foreign keys protect them.
    decision = kept.decisions.get()
    course = Course.objects.create(
        consultation=stale, decision=decision, treatment="laser", interval_weeks=4
    )
    session = CourseSession.objects.create(
        course=course, number=1, target_date=datetime.date(2026, 1, 5)
    )
    record = SessionRecordFactory(session=session, treatment="laser")
    SessionRecordFactory(session=session, supersedes=record, amendment_reason="Fluence.")
    CheckIn.objects.create(session=session, kind=CheckIn.Kind.DAY_2, due_on=session.target_date)
    CourseEvent.objects.create(course=course, kind=CourseEvent.Kind.CREATED, by=_user)
    later = timezone.now() + datetime.timedelta(days=settings.RETENTION_DRAFT_DAYS + 1)

    counts = retention_purge(dry_run=False, now=later)

    assert counts["drafts"] == 1
    assert not Course.objects.filter(pk=course.pk).exists()
    assert not CourseSession.objects.filter(course_id=course.pk).exists()
    assert not SessionRecord.objects.filter(session_id=session.pk).exists()
    # The decided consultation's course is not touched.
    assert Course.objects.filter(consultation=kept).exists()
    assert SessionRecord.objects.filter(session__course__consultation=kept).count() == 2
