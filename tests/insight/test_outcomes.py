"""Outcomes that teach the rules: adverse events and satisfaction, completion, per rule."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from consultations.insight.analytics import DateRange
from consultations.insight.outcome_snapshots import CACHE_PREFIX, MAX_AGE, snapshot_count
from consultations.insight.outcomes import MIN_N, Proportion, outcomes, wilson_interval
from consultations.models import CheckIn, Consultation, CourseEndReason, SessionRecord
from consultations.services import course as course_service
from tests.factories import PractitionerFactory, SessionRecordFactory, coursed
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db

URL = "/staff/analytics/"


def follow_up(session, kind="day_14", *, satisfaction=None, red_flag=False) -> CheckIn:
    """An answered follow-up of `session` (the patient's own words, as the check-in stores)."""
    return CheckIn.objects.create(
        session=session,
        kind=kind,
        due_on=session.target_date + datetime.timedelta(days=14),
        answered_at=timezone.now(),
        source=CheckIn.Source.PATIENT_LINK,
        satisfaction=satisfaction,
        blisters_or_crusts=red_flag,
        red_flag=red_flag,
    )


def treated(
    *,
    treatment="chemical_peel",
    adverse=(),
    red_flag=False,
    satisfaction=None,
    agent="mandelic",
    **answers,
) -> Consultation:
    """A consultation whose first session was performed and recorded."""
    consultation = coursed(treatment=treatment, **answers)
    session = consultation.course.sessions.get(number=1)
    SessionRecordFactory(
        session=session,
        treatment=treatment,
        peel_agent=agent if treatment == "chemical_peel" else "",
        adverse_events=list(adverse),
    )
    if satisfaction is not None or red_flag:
        follow_up(session, satisfaction=satisfaction, red_flag=red_flag)
    return consultation


def test_wilson_intervals_match_the_published_values():
    # Newcombe (1998), table I: 81/263 gives 0.2553 to 0.3662; 0/10 gives 0 to 0.2775.
    low, high = wilson_interval(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    low, high = wilson_interval(0, 10)
    assert low == 0 and round(high, 4) == 0.2775
    assert wilson_interval(0, 0) is None


def test_a_proportion_below_the_threshold_is_not_enough_to_say():
    assert not Proportion(1, MIN_N - 1).enough
    assert Proportion(1, MIN_N).enough


def test_it_counts_adverse_events_and_satisfaction_by_treatment_phototype_and_agent():
    treated(fitzpatrick=3, satisfaction=9)
    treated(fitzpatrick=3, adverse=["blistering"], satisfaction=4)
    treated(fitzpatrick=3, red_flag=True, satisfaction=6)  # a red flag counts as adverse
    treated(fitzpatrick=3, agent="glycolic", satisfaction=8)
    treated(fitzpatrick=5, treatment="microdermabrasion")

    report = outcomes()

    rows = {(r.treatment, r.phototype, r.agent): r for r in report.groups}
    mandelic = rows[("chemical_peel", 3, "mandelic")]
    assert (mandelic.adverse.k, mandelic.adverse.n) == (2, 3)
    assert (mandelic.satisfied.k, mandelic.satisfied.n) == (1, 3)
    assert mandelic.mean_satisfaction == round((9 + 4 + 6) / 3, 1)
    glycolic = rows[("chemical_peel", 3, "glycolic")]
    assert (glycolic.adverse.k, glycolic.adverse.n, glycolic.satisfied.k) == (0, 1, 1)
    mda = rows[("microdermabrasion", 5, "")]
    assert (mda.adverse.n, mda.satisfied.n, mda.mean_satisfaction) == (1, 0, None)
    assert report.sessions == 5


def test_an_amended_record_counts_once_as_amended():
    consultation = treated(adverse=["blistering"])
    first = SessionRecord.objects.get(session__course__consultation=consultation)
    SessionRecordFactory(
        session=first.session,
        supersedes=first,
        amendment_reason="Blistering was a typo: mild erythema only.",
        adverse_events=[],
    )
    (row,) = outcomes().groups
    assert (row.adverse.k, row.adverse.n) == (0, 1)


def test_course_completion_counts_completed_and_early_ends_by_reason():
    user = PractitionerFactory()
    for reason in (
        CourseEndReason.COMPLETED,
        CourseEndReason.COMPLETED,
        CourseEndReason.SIDE_EFFECT,
    ):
        consultation = coursed(treatment="laser", user=user)
        course_service.course_end(consultation=consultation, user=user, reason=reason)
    coursed(treatment="laser", user=user)  # still running

    report = outcomes()

    assert report.courses_completed == 2
    assert report.courses_ended_early == [("Side effect", 1)]
    assert report.courses_running == 1
    assert (report.completion.k, report.completion.n) == (2, 3)


def test_time_to_first_adverse_event_is_the_median_days_from_the_first_session():
    for days in (3, 10, 30):
        consultation = coursed(treatment="chemical_peel", plan_sessions=3)
        first, second = consultation.course.sessions.filter(number__in=[1, 2])
        SessionRecordFactory(session=first, performed_on=datetime.date(2026, 1, 1))
        SessionRecordFactory(
            session=second,
            performed_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=days),
            adverse_events=["pih"],
        )
    treated()  # no adverse event: not counted

    report = outcomes()

    assert report.days_to_first_adverse == 10
    assert report.days_to_first_adverse_n == 3


def test_per_rule_it_compares_adverse_events_with_and_without_the_caution():
    # R26 (cold sores) is a caution: 3 treated with it, 2 of them with an adverse event.
    treated(hsv_history=True, adverse=["hsv_reactivation"])
    treated(hsv_history=True, red_flag=True)
    treated(hsv_history=True)
    # Without it: 4 treated, 1 with an adverse event.
    treated(adverse=["blistering"])
    treated()
    treated()
    treated()
    coursed(hsv_history=True, treatment="chemical_peel")  # not treated yet: not counted

    report = outcomes()

    assert (report.treated.k, report.treated.n) == (3, 7)
    row = next(r for r in report.by_rule if r.rule == "R26")
    assert (row.fired.k, row.fired.n) == (2, 3)
    assert (row.not_fired.k, row.not_fired.n) == (1, 4)


def _isotretinoin_at_check_in(consultation, number: int) -> None:
    """Session `number`'s check-in reports a new isotretinoin prescription (R07, a caution
    for a peel): the session is blocked until a practitioner decides."""
    from consultations.models import CheckInSource
    from consultations.services.checkins import (
        PRE_SESSION_CODES,
        check_in_answer_pre,
        pre_session_check_in,
    )

    answers = {code: getattr(consultation, code) for code in PRE_SESSION_CODES}
    answers.update(isotretinoin_last_6_months=True, isotretinoin_timing="current")
    check_in = pre_session_check_in(consultation.course.sessions.get(number=number))
    answered = check_in_answer_pre(
        check_in=check_in, answers=answers, source=CheckInSource.CLINIC_TABLET
    )
    assert answered.blocked


def _performed(consultation, number: int, user, **fields) -> None:
    """Session `number` recorded at the chair through the service (its check-in answered)."""
    from consultations.services.sessions import SessionInput, session_record

    session_record(
        consultation=consultation,
        user=user,
        number=number,
        given=SessionInput(
            performed_on=timezone.localdate(),
            performed_by_id=user.pk,
            treatment="chemical_peel",
            peel_agent="salicylic",
            agent_override_reason="Superficial salicylic peel, as planned.",
            erythema_grade=1,
            pain=2,
            **fields,
        ),
    )


def test_a_caution_cleared_at_a_check_in_counts_as_fired_once_the_session_went_ahead():
    from consultations.services.sessions import block_mark, session_clear

    user = PractitionerFactory()
    # Decided without R07; session 1 done; session 2's check-in reports isotretinoin.
    consultation = coursed(treatment="chemical_peel", user=user, plan_sessions=3)
    treated(adverse=["blistering"])  # without R07: 1 of 1 with an adverse event
    SessionRecordFactory(session=consultation.course.sessions.get(number=1))
    _isotretinoin_at_check_in(consultation, 2)
    second = consultation.course.sessions.get(number=2)
    session_clear(
        consultation=consultation,
        user=user,
        number=2,
        block=block_mark(second),
        outcome="proceed",
        reason="Low-dose isotretinoin; superficial peel only, as consensus allows.",
    )
    # Cleared, but session 2 not performed yet: the treatment has not gone ahead with it.
    assert "R07" not in {r.rule for r in outcomes().by_rule}

    _performed(consultation, 2, user, adverse_events=("pih",))

    report = outcomes()
    row = next(r for r in report.by_rule if r.rule == "R07")
    assert (row.fired.k, row.fired.n) == (1, 1)
    assert (row.not_fired.k, row.not_fired.n) == (1, 1)


def test_a_caution_at_a_check_in_cleared_by_changing_or_stopping_does_not_count():
    from consultations.services.sessions import block_mark, session_clear

    user = PractitionerFactory()
    consultation = coursed(treatment="chemical_peel", user=user, plan_sessions=3)
    SessionRecordFactory(session=consultation.course.sessions.get(number=1))
    _isotretinoin_at_check_in(consultation, 2)
    session_clear(
        consultation=consultation,
        user=user,
        number=2,
        block=block_mark(consultation.course.sessions.get(number=2)),
        outcome="stop_course",
        reason="Waits until the isotretinoin course is over.",
    )
    assert "R07" not in {r.rule for r in outcomes().by_rule}


def test_outcomes_follow_the_date_range():
    treated(adverse=["blistering"])
    future = DateRange(start=timezone.localdate() + datetime.timedelta(days=1))
    report = outcomes(future)
    assert report.groups == [] and report.treated.n == 0


def counted_page(client) -> str:
    """The analytics page once the task queue has counted the outcomes."""
    client.get(URL)  # asks for the count
    run_queued_tasks()
    return client.get(URL).content.decode()


def counts_asked() -> int:
    return DBTaskResult.objects.filter(
        task_path="consultations.insight.outcome_snapshots.outcomes_count"
    ).count()


def test_the_page_shows_counts_intervals_and_too_few_to_say(client, practitioner):
    treated(fitzpatrick=3, adverse=["blistering"], satisfaction=9)
    treated(fitzpatrick=3, satisfaction=8)

    html = counted_page(client)

    table = re.search(r'<table[^>]*id="table-outcomes".*?</table>', html, re.S).group(0)
    assert "Chemical peel, type 3, mandelic acid" in table
    assert "1 of 2" in table
    assert "too few to say" in table
    assert 'id="outcome-courses"' in html
    assert 'id="table-outcome-rules"' in html


def test_enough_sessions_show_a_percentage_with_its_interval(client, practitioner):
    treated(fitzpatrick=3, adverse=["blistering"])
    for _ in range(MIN_N - 1):
        treated(fitzpatrick=3)

    html = counted_page(client)

    table = re.search(r'<table[^>]*id="table-outcomes".*?</table>', html, re.S).group(0)
    low, high = wilson_interval(1, MIN_N)
    assert f"1 of {MIN_N}" in table
    assert f"5.0% (95% CI {100 * low:.1f}–{100 * high:.1f}%)" in table


def test_the_page_asks_the_task_queue_once_and_says_the_count_is_coming(client, practitioner):
    treated(adverse=["blistering"])

    first = client.get(URL).content.decode()
    client.get(URL)  # a second look, or a colleague's, asks for nothing more

    assert "being counted in the background" in first
    assert 'id="table-outcomes"' not in first
    assert counts_asked() == 1
    run_queued_tasks()
    assert 'id="outcomes-counted"' in client.get(URL).content.decode()


def test_an_old_count_is_shown_with_its_time_while_a_new_one_is_made(client, practitioner):
    treated(adverse=["blistering"])
    snapshot_count(DateRange())
    # As if that count had been made before MAX_AGE.
    key = f"{CACHE_PREFIX}:"  # the count for all dates
    kept = cache.get(key)
    old = timezone.now() - MAX_AGE - datetime.timedelta(minutes=1)
    cache.set(key, {**kept, "counted_at": old.isoformat()})
    treated()

    html = client.get(URL).content.decode()

    assert "a new count has been asked for" in html
    assert "1 of 1" in html  # the old count, until the new one is made
    assert counts_asked() == 1
    run_queued_tasks()
    assert "1 of 2" in client.get(URL).content.decode()


def test_each_date_range_has_its_own_count(client, practitioner):
    treated(adverse=["blistering"])
    snapshot_count(DateRange())
    html = client.get(URL, {"date_from": "2020-01-01", "date_to": "2020-01-31"}).content.decode()
    assert "being counted in the background" in html
    run_queued_tasks()
    html = client.get(URL, {"date_from": "2020-01-01", "date_to": "2020-01-31"}).content.decode()
    assert "No sessions recorded for consultations in this period." in html


def test_the_outcomes_use_a_fixed_number_of_queries(client, practitioner):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            outcomes()
        return len(captured)

    treated(hsv_history=True, adverse=["blistering"], satisfaction=3)
    one = queries()
    for n in range(6):
        treated(hsv_history=n % 2 == 0, red_flag=n % 3 == 0, satisfaction=n)
    assert queries() == one
