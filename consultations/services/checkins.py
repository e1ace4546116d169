"""The patient's check-ins around each session: the rows, the answers, and red flags.

- Before a session: `pre_session_check_in` (get or create), its email due PRE_SESSION_NOTICE
  before the target date; the clinic's tablet opens the same check-in on the spot.
  `check_in_answer_pre` stores the answers, writes those that changed to the consultation
  (an AnswerUpdate each), runs the rules again and blocks the session on a new stop flag or
  a new contraindication of the course's treatment.
- After a session: `follow_ups_plan` creates the day-2 and day-14 check-ins when the session
  is recorded; `check_in_answer_follow_up` stores how the skin is doing and raises a red flag
  on blisters or crusts, signs of infection or spreading dark patches, until a practitioner
  marks it handled (`red_flag_handle`).

One check-in per session and kind (a unique constraint), so a retry or a second click finds
the same row. Every answer is taken under the consultation's row lock (`locked_for_review`,
which refuses an anonymised patient), as every course write is (docs/decisions/0008).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from consultations import rules
from consultations.models import (
    AccessLog,
    AnswerUpdate,
    CheckIn,
    CheckInKind,
    CheckInSource,
    Consultation,
    CourseSession,
    DarkPatches,
    EvaluationTrigger,
    PoresNow,
    Redness,
)
from consultations.selectors_course import (
    ANSWERED,
    CHECK_IN_FRESH_FOR,
    OPEN,
    check_in_state,
)
from consultations.services import access_log_record, evaluation_create
from consultations.services.check_in_blocks import block_reasons, earlier_evaluations
from consultations.services.course import PRE_SESSION_NOTICE
from consultations.services.review import ReviewRefused, lock_version_bump, locked_for_review

if TYPE_CHECKING:
    from django.contrib.auth.models import User

FOLLOW_UP_DAYS = {CheckInKind.DAY_2: 2, CheckInKind.DAY_14: 14}

# The answers that drive stop and caution rules, asked again before every session (and the
# isotretinoin follow-up, asked after "yes").
PRE_SESSION_CODES: tuple[str, ...] = (
    "pregnant",
    "breastfeeding",
    "isotretinoin_last_6_months",
    "isotretinoin_timing",
    "photosensitising_meds",
    "topical_retinoid_last_7_days",
    "recent_tan",
    "sun_exposure_next_4_weeks",
    "active_infection_or_cold_sore",
    "injectable_last_2_weeks",
    "resurfacing_in_area_last_4_weeks",
    "hair_removal_in_area_last_7_days",
    "surgery_in_area_last_6_months",
)
FOLLOW_UP_FIELDS: tuple[str, ...] = (
    "redness",
    "swelling",
    "breakouts",
    "dark_patches",
    "blisters_or_crusts",
    "infection_signs",
    "satisfaction",
    "pores_now",
)


class CheckInClosed(Exception):
    """The check-in can no longer be answered (cancelled or expired); nothing was saved."""


@dataclass(frozen=True)
class CheckInAnswered:
    """A check-in after its answers: whether they blocked the session, raised a red flag, and
    whether this call stored nothing because it had been answered already (a double submit)."""

    check_in: CheckIn
    repeated: bool = False

    @property
    def blocked(self) -> bool:
        return self.check_in.session.is_blocked

    @property
    def red_flag(self) -> bool:
        return self.check_in.red_flag


def _in_force(session: CourseSession):  # -> QuerySet[CheckIn]
    return CheckIn.objects.filter(
        session=session, kind=CheckInKind.PRE_SESSION, cancelled_at__isnull=True
    )


def pre_session_check_in(session: CourseSession) -> CheckIn:
    """The session's pre-session check-in in force, created if it has none (a cancelled one
    is kept for the record and no longer counts)."""
    due_on = session.target_date - PRE_SESSION_NOTICE
    existing = _in_force(session).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return CheckIn.objects.create(
                session=session, kind=CheckInKind.PRE_SESSION, due_on=due_on
            )
    except IntegrityError:  # created meanwhile by another request or the scheduled task
        return _in_force(session).get()


def pre_session_refresh(session: CourseSession, on: datetime.date) -> CheckIn | None:
    """The session's pre-session check-in in force, made to fit a session on `on` (its new
    date, or today at the tablet); None when it has none yet. One answered (or emailed) more
    than CHECK_IN_FRESH_FOR before `on` no longer counts: it is cancelled, kept with its
    answers, and a fresh one takes its place, emailed PRE_SESSION_NOTICE before the session
    (for a blocked session, once a practitioner has cleared it: the scheduled task makes it
    then, as for any session). One not sent yet moves with the session."""
    check_in = _in_force(session).first()
    if check_in is None:
        return None
    given_at = check_in.answered_at or check_in.sent_at
    if given_at is not None and timezone.localdate(given_at) < on - CHECK_IN_FRESH_FOR:
        CheckIn.objects.filter(pk=check_in.pk).update(cancelled_at=timezone.now())
        return None if session.is_blocked else pre_session_check_in(session)
    due_on = session.target_date - PRE_SESSION_NOTICE
    if check_in.sent_at is None and check_in.due_on != due_on:
        check_in.due_on = due_on
        check_in.save(update_fields=["due_on"])
    return check_in


def follow_ups_plan(session: CourseSession, performed_on: datetime.date) -> list[CheckIn]:
    """The day-2 and day-14 follow-ups of a session performed on `performed_on` (an amended
    date moves those not sent yet)."""
    follow_ups = []
    for kind, days in FOLLOW_UP_DAYS.items():
        due_on = performed_on + datetime.timedelta(days=days)
        check_in, created = CheckIn.objects.get_or_create(
            session=session, kind=kind, defaults={"due_on": due_on}
        )
        if not created and check_in.sent_at is None and check_in.due_on != due_on:
            check_in.due_on = due_on
            check_in.save(update_fields=["due_on"])
        follow_ups.append(check_in)
    return follow_ups


def _locked_check_in(check_in: CheckIn, kinds: tuple[str, ...]) -> tuple[Consultation, CheckIn]:
    """The consultation row-locked first (as every course write takes it), then the check-in
    with its session and course, as they are now."""
    if check_in.kind not in kinds:
        raise ValueError(f"a {check_in.kind} check-in does not take these answers")
    consultation = locked_for_review(check_in.session.course.consultation)
    locked = (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("session__course__decision__evaluation")
        .get(pk=check_in.pk)
    )
    return consultation, locked


def _opened(locked: CheckIn, source: str, now: datetime.datetime) -> CheckInAnswered | None:
    """The answer to a check-in answered already (the same one: nothing stored again), or
    None when it is open; refused when it is closed."""
    state = check_in_state(locked, timezone.localdate(now))
    if state == ANSWERED:
        return CheckInAnswered(check_in=locked, repeated=True)
    if state != OPEN:
        raise CheckInClosed(state)
    if source not in CheckInSource.values:
        raise ValueError("unknown check-in source")
    return None


@transaction.atomic
def check_in_answer_pre(
    *,
    check_in: CheckIn,
    answers: Mapping[str, Any],
    source: str,
    now: datetime.datetime | None = None,
) -> CheckInAnswered:
    """Store a pre-session check-in's answers (every one, as given now), write those that
    changed to the consultation with an AnswerUpdate each, run the rules again, and block the
    session on a stop flag or a contraindication of the course's treatment that the decision
    in force did not have.

    Raises CheckInClosed (cancelled or expired), ReviewRefused (the patient was anonymised),
    ValueError (answers that are not the check-in's questions or cannot be read by the rules).
    """
    now = now or timezone.now()
    consultation, locked = _locked_check_in(check_in, (CheckInKind.PRE_SESSION,))
    if (answered := _opened(locked, source, now)) is not None:
        return answered
    given = _pre_session_answers(answers)
    diffs = {
        code: (getattr(consultation, code), value)
        for code, value in given.items()
        if getattr(consultation, code) != value
    }
    for code, (_old, new) in diffs.items():
        setattr(consultation, code, new)
    try:
        rules.Answers.from_mapping(consultation.rules_input())
    except rules.AnswersError as exc:  # the form checks the same: this is the last guard
        raise ValueError(f"answers the rules cannot read: {sorted(exc.errors)}") from exc
    if diffs:
        lock_version_bump(consultation, *diffs)
    evaluation = evaluation_create(consultation=consultation, trigger=EvaluationTrigger.CHECK_IN)
    AnswerUpdate.objects.bulk_create(
        AnswerUpdate(
            consultation=consultation,
            check_in=locked,
            field=code,
            old_value=old,
            new_value=new,
            source=source,
            at=now,
        )
        for code, (old, new) in diffs.items()
    )
    locked.answers = given
    locked.source = source
    locked.answered_at = now
    locked.evaluation = evaluation
    locked.save(update_fields=["answers", "source", "answered_at", "evaluation"])
    course = locked.session.course
    # New against what a practitioner last weighed, and against the check-in before this
    # one: a condition that went away and came back (or worsened) is asked about again.
    reasons: list[str] = []
    for before in earlier_evaluations(course, locked):
        for reason in block_reasons(before=before, after=evaluation, treatment=course.treatment):
            if reason not in reasons:
                reasons.append(reason)
    if reasons:
        session = locked.session
        session.blocked_at = now
        session.block_reasons = reasons
        session.save(update_fields=["blocked_at", "block_reasons"])
    return CheckInAnswered(check_in=locked)


def _pre_session_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Every pre-session answer, checked: yes/no answers are booleans, the isotretinoin
    timing is one of its codes after "yes" and blank after "no"."""
    unknown = set(answers) - set(PRE_SESSION_CODES)
    if unknown:
        raise ValueError(f"not a pre-session question: {', '.join(sorted(unknown))}")
    given = {code: answers.get(code) for code in PRE_SESSION_CODES}
    for code, value in given.items():
        if code != "isotretinoin_timing" and not isinstance(value, bool):
            raise ValueError(f"{code} needs a yes or no")
    timing = given["isotretinoin_timing"] or ""
    _parent, timings = rules.FOLLOW_UPS["isotretinoin_timing"]
    if given["isotretinoin_last_6_months"] and timing not in timings:
        raise ValueError("isotretinoin_timing is needed after yes")
    given["isotretinoin_timing"] = timing if given["isotretinoin_last_6_months"] else ""
    return given


@transaction.atomic
def check_in_answer_follow_up(
    *,
    check_in: CheckIn,
    answers: Mapping[str, Any],
    source: str,
    now: datetime.datetime | None = None,
) -> CheckInAnswered:
    """Store how the skin is doing after a session (day 2 or day 14); blisters or crusts,
    signs of infection or spreading dark patches raise a red flag for the practitioners.

    Raises CheckInClosed, ReviewRefused (anonymised) or ValueError (an answer out of range).
    """
    now = now or timezone.now()
    consultation, locked = _locked_check_in(check_in, (CheckInKind.DAY_2, CheckInKind.DAY_14))
    del consultation  # locked for the write; nothing on it changes
    if (answered := _opened(locked, source, now)) is not None:
        return answered
    _follow_up_answers_check(answers)
    for name in FOLLOW_UP_FIELDS:
        setattr(locked, name, answers[name])
    locked.red_flag = red_flagged(answers)
    locked.source = source
    locked.answered_at = now
    locked.save()
    return CheckInAnswered(check_in=locked)


_FOLLOW_UP_CHOICES: dict[str, list[object]] = {
    "redness": list(Redness.values),
    "dark_patches": list(DarkPatches.values),
    "pores_now": list(PoresNow.values),
    "satisfaction": list(range(11)),
}


def _follow_up_answers_check(answers: Mapping[str, Any]) -> None:
    """Every follow-up question answered, each with one of its answers."""
    if set(answers) != set(FOLLOW_UP_FIELDS):
        raise ValueError("every follow-up question needs an answer, and nothing else")
    for name in FOLLOW_UP_FIELDS:
        value = answers[name]
        allowed = _FOLLOW_UP_CHOICES.get(name)
        if allowed is None and not isinstance(value, bool):
            raise ValueError(f"{name} needs a yes or no")
        if allowed is not None and (isinstance(value, bool) or value not in allowed):
            raise ValueError(f"{name} is not one of its answers")


def red_flagged(answers: Mapping[str, Any]) -> bool:
    """Blisters or crusts, signs of infection, or dark patches that are spreading."""
    return bool(
        answers.get("blisters_or_crusts")
        or answers.get("infection_signs")
        or answers.get("dark_patches") == DarkPatches.SPREADING
    )


@transaction.atomic
def red_flag_handle(
    *, consultation: Consultation, user: User, check_in_id: int, note: str
) -> CheckIn:
    """A practitioner has seen to a follow-up's red flag: who, when and what they did. The
    consultation leaves the top of the queue once none is open. Raises ReviewRefused when
    there is no open red flag with that id (handled meanwhile) or the patient was anonymised.
    """
    note = note.strip()
    if not note:
        raise ValueError("a note is needed")
    locked_for_review(consultation)
    check_in = (
        CheckIn.objects.select_for_update(of=("self",))
        .filter(pk=check_in_id, session__course__consultation=consultation, red_flag=True)
        .first()
    )
    if check_in is None:
        raise ReviewRefused("There is no such red flag on this consultation.")
    if check_in.red_flag_handled_at is not None:
        handled_at = timezone.localtime(check_in.red_flag_handled_at)
        raise ReviewRefused(
            f"This red flag was marked handled at {handled_at:%H:%M} already. Nothing was changed."
        )
    check_in.red_flag_handled_at = timezone.now()
    check_in.red_flag_handled_by = user
    check_in.red_flag_note = note
    check_in.save(update_fields=["red_flag_handled_at", "red_flag_handled_by", "red_flag_note"])
    access_log_record(
        user=user,
        action=AccessLog.Action.RED_FLAG,
        consultation=consultation,
        detail=f"{check_in.kind} check-in {check_in.pk}",
    )
    return check_in
