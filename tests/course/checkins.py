"""Helpers for the check-in tests: a course with a check-in, and the forms' POST bodies."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from consultations.models import CheckIn, CheckInKind, Consultation, SessionStatus
from consultations.services.checkins import PRE_SESSION_CODES, follow_ups_plan, pre_session_check_in
from tests.factories import coursed


def pre_session(**fields) -> CheckIn:
    """The first session's pre-session check-in of a freshly decided course."""
    consultation = coursed(**fields)
    return pre_session_check_in(consultation.course.sessions.get(number=1))


def follow_up(kind: str = CheckInKind.DAY_2, **fields) -> CheckIn:
    """A follow-up of the first session, done today."""
    consultation = coursed(**fields)
    session = consultation.course.sessions.get(number=1)
    session.status = SessionStatus.DONE
    session.save(update_fields=["status"])
    today = timezone.localdate()
    day_2, day_14 = follow_ups_plan(session, today - datetime.timedelta(days=2))
    return day_2 if kind == CheckInKind.DAY_2 else day_14


def on_tablet(client, check_in: CheckIn) -> None:
    """What the practitioner's "check-in on this tablet" leaves in the browser's session."""
    from consultations.selectors_course import TABLET_CHECK_IN

    session = client.session
    session[TABLET_CHECK_IN] = check_in.token
    session.save()


def url(check_in: CheckIn, **query: str) -> str:
    path = reverse("intake:check_in", kwargs={"token": check_in.token})
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def pre_body(**answers: str) -> dict[str, str]:
    """Every pre-session question answered "no", but those given."""
    body = {code: "no" for code in PRE_SESSION_CODES if code != "isotretinoin_timing"}
    body.update(answers)
    return body


def follow_up_body(**answers: str) -> dict[str, str]:
    """A day-2 follow-up with nothing wrong, but the answers given."""
    body = {
        "redness": "under_1_day",
        "swelling": "no",
        "breakouts": "no",
        "dark_patches": "none",
        "blisters_or_crusts": "no",
        "infection_signs": "no",
        "satisfaction": "8",
        "pores_now": "better",
    }
    body.update(answers)
    return body


def consultation_of(check_in: CheckIn) -> Consultation:
    return Consultation.objects.get(pk=check_in.session.course.consultation_id)
