"""Synthetic treatment courses for seed_demo: sessions, session records, follow-ups, outcomes.

For every demo decision with a treatment: a course planned as the review services plan one
(the first session a week after the decision, then every `plan_interval_weeks`), the sessions
whose date has passed done and recorded with the treatment's usual parameters (a peel's agent
from the decision's allowed agents), each after its pre-session check-in answered with nothing
new (or, for a few, the practitioner's override), and the day-2 and day-14 follow-ups of
each, answered by most patients. Outcomes scatter realistically: mostly fine, some mild
redness, a few adverse events (more often after laser on darker skin), a few courses ended
early, and a couple of red flags left open for the practitioners' queue. Bulk inserts only;
deterministic with the seed. Every value is made up.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from consultations import rules
from consultations.models import (
    AdverseEvent,
    CheckIn,
    CheckInKind,
    CheckInOverride,
    CheckInSource,
    Course,
    CourseEndReason,
    CourseEvent,
    CourseEventKind,
    CourseSession,
    CourseStatus,
    DarkPatches,
    Decision,
    PoresNow,
    Redness,
    SessionRecord,
    SessionStatus,
    session_dates,
)
from consultations.services.checkins import PRE_SESSION_CODES

if TYPE_CHECKING:
    from django.contrib.auth.models import User

FIRST_SESSION_AFTER = datetime.timedelta(days=7)
# Adverse events a session record may name (demo codes: the session form owns the vocabulary).
# The session form's vocabulary (AdverseEvent), without "other" (which needs notes).
ADVERSE_EVENTS = tuple(code for code in AdverseEvent.values if code != AdverseEvent.OTHER)
EARLY_END_REASONS = (
    CourseEndReason.PATIENT_CHOICE,
    CourseEndReason.SIDE_EFFECT,
    CourseEndReason.NO_RESPONSE,
    CourseEndReason.MOVED_AWAY,
)
# One done session in this many was recorded without the patient's check-in (an override).
OVERRIDE_EVERY = 12
# How many red flags stay open (not yet handled) per batch: "a couple" on the queue.
OPEN_RED_FLAGS = 2
PEEL_STRENGTH = {  # agent: concentrations (%) clinics use for superficial peels
    "salicylic": (20, 30),
    "mandelic": (30, 40),
    "lactic": (30, 50),
    "glycolic": (20, 35, 50),
    "jessner": (None,),
    "tca": (10, 15),
}


def allowed_agents(decision: Decision) -> list[str]:
    """The peel agents the decision's evaluation allowed (all when it named none)."""
    for suggestion in decision.evaluation.output.get("suggestions", []):
        if suggestion["treatment"] == "chemical_peel" and suggestion.get("agents"):
            return list(suggestion["agents"])
    return list(rules.PEEL_AGENTS)


def _parameters(treatment: str, decision: Decision, rng: random.Random) -> dict[str, Any]:
    if treatment == "laser":
        return {
            "laser_device": rng.choice(("PicoWay", "PicoSure Pro", "Discovery Pico")),
            "laser_wavelength_nm": 1064,
            "laser_spot_mm": Decimal(rng.choice(("6.0", "8.0", "10.0"))),
            "laser_fluence_j_cm2": Decimal(rng.choice(("0.80", "1.00", "1.20", "1.50"))),
            "laser_passes": rng.choice((2, 3, 3, 4)),
        }
    if treatment == "chemical_peel":
        agent = rng.choice(allowed_agents(decision))
        strength = rng.choice(PEEL_STRENGTH.get(agent, (None,)))
        return {
            "peel_agent": agent,
            "peel_concentration_pct": None if strength is None else Decimal(strength),
            "peel_contact_minutes": Decimal(rng.choice(("2.0", "3.0", "4.0", "5.0"))),
            "peel_layers": rng.choice((1, 1, 2, 3)),
            "peel_neutralisation": rng.choice(("Water", "Sodium bicarbonate", "Self-neutralising")),
            "frosting": rng.choices((0, 1, 2), weights=(70, 25, 5))[0],
        }
    return {
        "mda_tip": rng.choice(("Diamond, medium grit", "Diamond, fine grit", "Crystal")),
        "mda_vacuum": rng.choice(("Low", "Medium")),
        "mda_passes": rng.choice((2, 2, 3)),
    }


def _adverse_chance(treatment: str, phototype: int | None) -> float:
    darker = (phototype or 3) >= 4
    return {"laser": 0.06 if darker else 0.025, "chemical_peel": 0.04 if darker else 0.02}.get(
        treatment, 0.01
    )


def create_courses(
    decisions: list[Decision], *, practitioner: User, rng: random.Random, now: datetime.datetime
) -> dict[str, int]:
    """Courses, sessions, records, follow-ups and events for the decisions with a treatment;
    how many of each were made."""
    today = timezone.localdate(now)
    treated = [d for d in decisions if d.treatment and d.plan_sessions]
    courses = Course.objects.bulk_create(
        Course(
            consultation_id=d.consultation_id,
            decision=d,
            treatment=d.treatment,
            interval_weeks=d.plan_interval_weeks or 3,
            created_at=d.decided_at,
        )
        for d in treated
    )
    sessions, plans = [], []
    for decision, course in zip(treated, courses, strict=True):
        start = timezone.localdate(decision.decided_at) + FIRST_SESSION_AFTER
        dates = session_dates(start, decision.plan_sessions or 1, course.interval_weeks)
        roll = rng.random()
        # Some patients stop early, after one or two sessions; a few courses are paused.
        stop_after = rng.choice((1, 2)) if roll < 0.08 else None
        plans.append((decision, course, roll))
        for number, date in enumerate(dates, start=1):
            done = date <= today and (stop_after is None or number <= stop_after)
            # The session after the last one the patient came to has passed: they stopped.
            stopped = (
                stop_after is not None
                and number > stop_after
                and dates[min(stop_after, len(dates) - 1)] <= today
            )
            status = (
                SessionStatus.DONE
                if done
                else SessionStatus.CANCELLED
                if stopped
                else SessionStatus.PLANNED
            )
            sessions.append(
                CourseSession(course=course, number=number, target_date=date, status=status)
            )
    sessions = CourseSession.objects.bulk_create(sessions)
    by_course: dict[int, list[CourseSession]] = {}
    for session in sessions:
        by_course.setdefault(session.course_id, []).append(session)

    records, check_ins, events, ended = [], [], [], []
    for decision, course, roll in plans:
        phototype = decision.consultation.fitzpatrick
        events.append(
            CourseEvent(
                course=course,
                kind=CourseEventKind.CREATED,
                detail=f"{decision.plan_sessions} sessions",
                by=practitioner,
                at=decision.decided_at,
            )
        )
        for session in by_course[course.pk]:
            if session.status != SessionStatus.DONE:
                continue
            performed_on = session.target_date + datetime.timedelta(days=rng.choice((0, 0, 1, 3)))
            performed_on = min(performed_on, today)
            adverse = rng.random() < _adverse_chance(course.treatment, phototype)
            record = SessionRecord(
                session=session,
                performed_on=performed_on,
                performed_by=practitioner,
                recorded_by=practitioner,
                treatment=course.treatment,
                erythema_grade=rng.choices((0, 1, 2, 3), weights=(20, 55, 20, 5))[0],
                pain=rng.choices(range(0, 8), weights=(5, 15, 25, 25, 15, 8, 5, 2))[0],
                adverse_events=[rng.choice(ADVERSE_EVENTS)] if adverse else [],
                adverse_notes="Synthetic demo record." if adverse else "",
                recorded_at=timezone.make_aware(
                    datetime.datetime.combine(performed_on, datetime.time(15))
                ),
                **_parameters(course.treatment, decision, rng),
            )
            records.append(record)
            check_ins.append(_pre_session(session, decision, record, practitioner, len(records)))
            check_ins += _follow_ups(session, record, rng=rng, today=today)
        end = _course_end(course, by_course[course.pk], roll, rng=rng, today=today)
        if end is not None:
            ended.append(course)
            events.append(
                CourseEvent(course=course, kind=CourseEventKind.ENDED, detail=end, by=practitioner)
            )
        elif roll > 0.97 and course.status == CourseStatus.ACTIVE:
            course.status = CourseStatus.PAUSED
            ended.append(course)
            events.append(CourseEvent(course=course, kind=CourseEventKind.PAUSED, by=practitioner))
    SessionRecord.objects.bulk_create(records)
    CourseSession.objects.bulk_update(
        [s for s in sessions if s.check_in_override],
        ["check_in_override", "check_in_override_by", "check_in_override_at"],
    )
    _red_flags_handled(check_ins, practitioner=practitioner, rng=rng)
    CheckIn.objects.bulk_create(check_ins)
    CourseEvent.objects.bulk_create(events)
    Course.objects.bulk_update(ended, ["status", "end_reason", "end_notes", "ended_at"])
    return {
        "courses": len(courses),
        "sessions": len(sessions),
        "records": len(records),
        "check_ins": len(check_ins),
    }


def _course_end(
    course: Course,
    sessions: list[CourseSession],
    roll: float,
    *,
    rng: random.Random,
    today: datetime.date,
) -> str | None:
    """End the course when every session is done (completed) or the patient stopped early."""
    done = [s for s in sessions if s.status == SessionStatus.DONE]
    if not done or any(s.status == SessionStatus.PLANNED for s in sessions):
        return None
    if any(s.status == SessionStatus.CANCELLED for s in sessions):
        reason = EARLY_END_REASONS[int(roll * 1000) % len(EARLY_END_REASONS)]
    else:
        reason = CourseEndReason.COMPLETED
    last = max(s.target_date for s in done)
    ended_on = min(last + datetime.timedelta(days=rng.choice((1, 7, 21))), today)
    course.status = CourseStatus.ENDED
    course.end_reason = reason
    course.ended_at = timezone.make_aware(datetime.datetime.combine(ended_on, datetime.time(10)))
    return str(reason)


def _pre_session(
    session: CourseSession, decision: Decision, record: SessionRecord, practitioner: User, n: int
) -> CheckIn:
    """The check-in before a session done: emailed two days before, answered by the patient
    with nothing new; or, every OVERRIDE_EVERY-th session, not answered and the session
    recorded with the practitioner's override (asked verbally at the chair). No draw from the
    seeded generator, so the rest of the scatter stays as it was."""
    due_on = session.target_date - datetime.timedelta(days=2)
    sent = timezone.make_aware(datetime.datetime.combine(due_on, datetime.time(9)))
    check_in = CheckIn(session=session, kind=CheckInKind.PRE_SESSION, due_on=due_on, sent_at=sent)
    if n % OVERRIDE_EVERY == 0:
        session.check_in_override = CheckInOverride.ANSWERED_VERBALLY
        session.check_in_override_by = practitioner
        session.check_in_override_at = record.recorded_at
        return check_in
    consultation = decision.consultation
    answers = {code: getattr(consultation, code) for code in PRE_SESSION_CODES}
    answers["isotretinoin_timing"] = answers["isotretinoin_timing"] or ""
    check_in.answers = answers
    check_in.answered_at = sent + datetime.timedelta(hours=1 + n % 10)
    check_in.source = CheckInSource.PATIENT_LINK
    return check_in


def _follow_ups(
    session: CourseSession, record: SessionRecord, *, rng: random.Random, today: datetime.date
) -> list[CheckIn]:
    """The day-2 and day-14 follow-ups: sent when due, most answered, a few red flags."""
    made = []
    adverse = bool(record.adverse_events)
    for kind, days in ((CheckInKind.DAY_2, 2), (CheckInKind.DAY_14, 14)):
        due_on = record.performed_on + datetime.timedelta(days=days)
        check_in = CheckIn(session=session, kind=kind, due_on=due_on)
        if due_on <= today:
            sent = timezone.make_aware(datetime.datetime.combine(due_on, datetime.time(9)))
            check_in.sent_at = sent
            if rng.random() < 0.8:
                _answer(check_in, sent, adverse=adverse, day_2=kind == CheckInKind.DAY_2, rng=rng)
        made.append(check_in)
    return made


def _answer(
    check_in: CheckIn,
    sent: datetime.datetime,
    *,
    adverse: bool,
    day_2: bool,
    rng: random.Random,
) -> None:
    check_in.answered_at = sent + datetime.timedelta(hours=rng.randrange(1, 30))
    check_in.source = CheckInSource.PATIENT_LINK
    check_in.redness = (
        rng.choice((Redness.DAYS_1_TO_3, Redness.OVER_3_DAYS))
        if adverse
        else rng.choices(
            (Redness.NONE, Redness.UNDER_1_DAY, Redness.DAYS_1_TO_3), weights=(30, 50, 20)
        )[0]
    )
    check_in.swelling = rng.random() < (0.3 if day_2 else 0.05)
    check_in.breakouts = rng.random() < 0.1
    check_in.dark_patches = (
        rng.choice((DarkPatches.SOME, DarkPatches.SPREADING))
        if adverse and rng.random() < 0.5
        else DarkPatches.NONE
    )
    # A red flag: after an adverse event often, otherwise rarely.
    flagged = rng.random() < (0.5 if adverse else 0.01)
    check_in.blisters_or_crusts = flagged and rng.random() < 0.6
    check_in.infection_signs = flagged and not check_in.blisters_or_crusts
    check_in.red_flag = bool(
        check_in.blisters_or_crusts
        or check_in.infection_signs
        or check_in.dark_patches == DarkPatches.SPREADING
    )
    mean = 4.5 if adverse else 7.5
    check_in.satisfaction = max(0, min(10, round(rng.gauss(mean, 1.5))))
    check_in.pores_now = (
        PoresNow.WORSE
        if adverse and rng.random() < 0.4
        else rng.choices((PoresNow.BETTER, PoresNow.SAME), weights=(60, 40))[0]
    )


def _red_flags_handled(check_ins: list[CheckIn], *, practitioner: User, rng: random.Random) -> None:
    """Every red flag handled by a practitioner the next day, but the latest OPEN_RED_FLAGS."""
    flagged = sorted(
        (c for c in check_ins if c.red_flag and c.answered_at is not None),
        key=lambda c: c.answered_at or timezone.now(),
    )
    for check_in in flagged[: max(len(flagged) - OPEN_RED_FLAGS, 0)]:
        assert check_in.answered_at is not None
        check_in.red_flag_handled_at = check_in.answered_at + datetime.timedelta(
            hours=rng.randrange(1, 24)
        )
        check_in.red_flag_handled_by = practitioner
        check_in.red_flag_note = "Called the patient; seen in clinic (synthetic demo note)."
