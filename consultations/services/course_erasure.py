"""Erasure and retention of the treatment course: what the clinic keeps, and what goes.

Erasure (`course_erase`, called by `patient_anonymise` under the consultation row locks) keeps
what the clinic learns from, as it does for the consultation: the course's dates and statuses,
what was performed with its parameters (device, agent, strength: not about the person), the
immediate reaction, the coded adverse events, the follow-up answers (codes, yes/no, 0-10) and
the pre-session answers that are codes. It removes what may identify the person, i.e. free text:

- session records: notes, adverse-event notes, the reason for an agent outside the allowed
  list and an amendment's reason (replaced by REMOVED_TEXT where a constraint needs text);
- clearances' reasons, a course's end notes, a pause's note, red-flag notes, the notes of a
  session recorded without its check-in (the override's code stays);
- check-ins: free-text answers of a pre-session check-in (other medicines, allergies, previous
  treatments), and every check-in's private token, so that an old link leads nowhere;
- answer updates: the old and new values of free-text answers (coded values stay, as they do
  in the consultation's own columns and its correction history).

Nothing more is sent or planned: check-ins not answered are cancelled, planned sessions
cancelled and an open course ended (reason "other", noted as ended by the erasure).

Retention (`course_rows_delete`): a consultation that is purged takes its course rows with it.
Their foreign keys PROTECT, so children go first.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q
from django.utils import timezone

from consultations import questionnaire
from consultations.models import (
    AnswerUpdate,
    CheckIn,
    Course,
    CourseEndReason,
    CourseEvent,
    CourseEventKind,
    CourseSession,
    CourseStatus,
    SessionClearance,
    SessionRecord,
    SessionStatus,
    new_public_token,
)
from consultations.services.insight import REMOVED_TEXT

# Answers a patient types in their own words (names, medicines, allergies, past treatments).
FREE_TEXT_CODES = frozenset(
    q.code for q in questionnaire.QUESTIONS if q.kind in (questionnaire.TEXT, questionnaire.STRING)
)
ERASED_END_NOTE = "Ended when the patient's record was anonymised (erasure request)."


def course_erase(*, consultation_ids: Collection[int]) -> None:
    """Remove the free text of the consultations' courses and stop everything still to come
    (the caller holds the consultations' row locks, in its transaction)."""
    now = timezone.now()
    courses = Course.objects.filter(consultation_id__in=consultation_ids)
    sessions = CourseSession.objects.filter(course__in=courses)
    check_ins = CheckIn.objects.filter(session__in=sessions)

    check_ins.filter(answered_at__isnull=True, cancelled_at__isnull=True).update(cancelled_at=now)
    sessions.filter(status=SessionStatus.PLANNED).update(
        status=SessionStatus.CANCELLED, blocked_at=None
    )
    courses.exclude(status=CourseStatus.ENDED).update(
        status=CourseStatus.ENDED,
        end_reason=CourseEndReason.OTHER,
        end_notes=ERASED_END_NOTE,
        ended_at=now,
    )
    courses.exclude(Q(end_notes="") | Q(end_notes=ERASED_END_NOTE)).update(end_notes=REMOVED_TEXT)
    CourseEvent.objects.filter(course__in=courses, kind=CourseEventKind.PAUSED).exclude(
        detail=""
    ).update(detail=REMOVED_TEXT)
    SessionClearance.objects.filter(session__in=sessions).update(reason=REMOVED_TEXT)
    # Why a session went ahead without its check-in: the code stays, the notes go.
    sessions.exclude(check_in_override_notes="").update(check_in_override_notes=REMOVED_TEXT)

    records = SessionRecord.objects.filter(session__in=sessions)
    for field in ("notes", "adverse_notes", "agent_override_reason", "amendment_reason"):
        records.exclude(**{field: ""}).update(**{field: REMOVED_TEXT})

    check_ins.exclude(red_flag_note="").update(red_flag_note=REMOVED_TEXT)
    for check_in in check_ins.only("pk", "answers"):
        answers = {
            code: ("" if code in FREE_TEXT_CODES and value else value)
            for code, value in (check_in.answers or {}).items()
        }
        # One token per row: the column is unique.
        CheckIn.objects.filter(pk=check_in.pk).update(token=new_public_token(), answers=answers)
    AnswerUpdate.objects.filter(
        consultation_id__in=consultation_ids, field__in=FREE_TEXT_CODES
    ).update(old_value="", new_value="")


def course_rows_delete(consultation_ids: Collection[int]) -> int:
    """Delete the courses of these consultations and every row under them; how many courses."""
    courses = Course.objects.filter(consultation_id__in=consultation_ids)
    sessions = CourseSession.objects.filter(course__in=courses)
    AnswerUpdate.objects.filter(
        Q(consultation_id__in=consultation_ids) | Q(check_in__session__in=sessions)
    ).delete()
    SessionClearance.objects.filter(session__in=sessions).delete()
    records = SessionRecord.objects.filter(session__in=sessions)
    # An amendment protects the record it amends: the latest of each chain first.
    while records.exists():
        records.filter(superseded_by__isnull=True).delete()
    CheckIn.objects.filter(session__in=sessions).delete()
    sessions.delete()
    CourseEvent.objects.filter(course__in=courses).delete()
    return courses.delete()[0]
