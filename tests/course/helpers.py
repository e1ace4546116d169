"""What the course tests share: a course at the chair, its check-in answered, a check-in that
blocked a session, and what the session record form posts."""

from __future__ import annotations

from django.utils import timezone

from consultations.models import (
    CheckIn,
    CheckInSource,
    Consultation,
    CourseSession,
    EvaluationTrigger,
)
from consultations.services import evaluation_create
from consultations.services.checkins import (
    PRE_SESSION_CODES,
    check_in_answer_pre,
    pre_session_check_in,
)
from tests.factories import coursed


def peel_course(**fields) -> Consultation:
    """A decided consultation whose course is a chemical peel (the rules' first suggestion
    for the safe answers, every agent allowed unless `fields` remove some)."""
    return coursed(treatment="chemical_peel", **fields)


def session(consultation: Consultation, number: int = 1) -> CourseSession:
    return consultation.course.sessions.get(number=number)


def checked_in(consultation: Consultation, number: int = 1, now=None) -> CheckIn:
    """The session's pre-session check-in answered on the clinic's tablet (at `now`), with
    nothing new: every answer as the consultation has it."""
    consultation.refresh_from_db()
    answers = {code: getattr(consultation, code) for code in PRE_SESSION_CODES}
    answers["isotretinoin_timing"] = answers["isotretinoin_timing"] or ""
    check_in = pre_session_check_in(session(consultation, number))
    check_in_answer_pre(
        check_in=check_in, answers=answers, source=CheckInSource.CLINIC_TABLET, now=now
    )
    check_in.refresh_from_db()
    return check_in


def blocked(consultation: Consultation, number: int = 1, reasons=None, **answers) -> CourseSession:
    """What a pre-session check-in leaves when the patient reports something new: the answers
    updated, the rules run again, the session blocked with its reasons."""
    for name, value in answers.items():
        setattr(consultation, name, value)
    consultation.save()
    evaluation_create(consultation=consultation, trigger=EvaluationTrigger.CHECK_IN)
    consultation.refresh_from_db()
    blocked_session = session(consultation, number)
    blocked_session.blocked_at = timezone.now()
    blocked_session.block_reasons = reasons or [
        {"rule": "R12", "flag": "RECENT_TAN", "text": "Tanned in the last 4 weeks"}
    ]
    blocked_session.save()
    return blocked_session


def peel_record_data(user, **overrides) -> dict:
    """The session record form as a practitioner fills it for a peel with a mild reaction."""
    data = {
        "performed_on": timezone.localdate().isoformat(),
        "performed_by": str(user.pk),
        "treatment": "chemical_peel",
        "peel_agent": "mandelic",
        "peel_concentration_pct": "30",
        "peel_contact_minutes": "3",
        "peel_layers": "1",
        "peel_neutralisation": "water",
        "frosting": "0",
        "erythema_grade": "1",
        "pain": "3",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}
