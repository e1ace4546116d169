"""The pre-session safety check-in: asked afresh, changes recorded, the rules run again, and a
new stop or contraindication blocks the session until a practitioner decides."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from consultations.models import (
    AnswerUpdate,
    CheckInSource,
    EvaluationTrigger,
    SessionStatus,
)
from consultations.selectors_course import CHECK_IN_LATE_FOR
from consultations.services.course import course_end
from consultations.services.insight import patient_anonymise
from tests.course.checkins import consultation_of, on_tablet, pre_body, pre_session, url
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.django_db


def test_the_page_asks_every_safety_question_afresh_with_nothing_ticked(client):
    # The patient said yes to retinoid cream at intake: the check-in does not assume it.
    check_in = pre_session(topical_retinoid_last_7_days=True)
    response = client.get(url(check_in))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Before your session: a short safety check" in html
    assert "Are you pregnant, or trying to get pregnant?" in html
    assert "apart from your sessions with us" in html
    assert "checked" not in html
    assert html.count('type="submit"') == 1


def test_unchanged_answers_are_stored_and_the_rules_run_again_without_blocking(client):
    check_in = pre_session()
    consultation = consultation_of(check_in)
    lock_version = consultation.lock_version

    response = client.post(url(check_in), pre_body())

    assert response.status_code == 302
    check_in.refresh_from_db()
    consultation.refresh_from_db()
    assert check_in.answered_at is not None
    assert check_in.source == CheckInSource.PATIENT_LINK
    assert check_in.answers["pregnant"] is False
    assert check_in.answers["isotretinoin_timing"] == ""
    assert check_in.evaluation.trigger == EvaluationTrigger.CHECK_IN
    assert consultation.latest_evaluation_id == check_in.evaluation_id
    assert consultation.lock_version == lock_version
    assert not AnswerUpdate.objects.exists()
    assert not check_in.session.is_blocked
    page = client.get(response["Location"]).content.decode()
    assert "Thank you" in page
    assert "We will call you" not in page


def test_a_new_cold_sore_blocks_the_session_and_says_why_to_the_practitioner(client):
    check_in = pre_session(treatment="chemical_peel")
    consultation = consultation_of(check_in)

    on_tablet(client, check_in)
    response = client.post(url(check_in), pre_body(active_infection_or_cold_sore="yes"))

    consultation.refresh_from_db()
    check_in.refresh_from_db()
    session = check_in.session
    assert consultation.active_infection_or_cold_sore is True
    update = AnswerUpdate.objects.get()
    assert (update.field, update.old_value, update.new_value) == (
        "active_infection_or_cold_sore",
        False,
        True,
    )
    assert update.source == CheckInSource.CLINIC_TABLET == check_in.source
    assert consultation.lock_version == 2  # the decision made it 1
    assert session.blocked_at is not None
    assert any(r.startswith("R01 stop flag ACTIVE_INFECTION") for r in session.block_reasons)
    assert any("R01 now contraindicates chemical peel" in r for r in session.block_reasons)
    page = client.get(response["Location"]).content.decode()
    assert "We will call you before your session" in page
    assert "+65" in page  # the clinic's phone
    assert "ACTIVE_INFECTION" not in page and "R01" not in page


def test_new_isotretinoin_needs_its_timing_and_is_recorded_with_it(client):
    check_in = pre_session(treatment="chemical_peel")
    response = client.post(url(check_in), pre_body(isotretinoin_last_6_months="yes"))
    assert response.status_code == 200
    assert "Tell us if you are taking isotretinoin now, or when you stopped" in (
        response.content.decode()
    )
    response = client.post(
        url(check_in),
        pre_body(isotretinoin_last_6_months="yes", isotretinoin_timing="current"),
    )
    assert response.status_code == 302
    consultation = consultation_of(check_in)
    assert consultation.isotretinoin_timing == "current"
    assert set(AnswerUpdate.objects.values_list("field", flat=True)) == {
        "isotretinoin_last_6_months",
        "isotretinoin_timing",
    }


def test_pregnancy_with_isotretinoin_blocks_any_treatment(client):
    check_in = pre_session(treatment="microdermabrasion")
    client.post(
        url(check_in),
        pre_body(pregnant="yes", isotretinoin_last_6_months="yes", isotretinoin_timing="current"),
    )
    check_in.refresh_from_db()
    reasons = check_in.session.block_reasons
    assert any("ISOTRETINOIN_PREGNANCY" in r for r in reasons)


def test_a_stop_flag_the_decision_already_had_does_not_block_again(client):
    # R09 with type IV: a tan is a stop flag; the practitioner decided knowing it.
    check_in = pre_session(treatment="microdermabrasion", fitzpatrick=4, recent_tan=True)
    client.post(url(check_in), pre_body(recent_tan="yes"))
    check_in.refresh_from_db()
    assert not check_in.session.is_blocked


def test_answers_taking_back_an_earlier_yes_are_recorded_without_blocking(client):
    check_in = pre_session(treatment="chemical_peel", sun_exposure_next_4_weeks=True)
    client.post(url(check_in), pre_body())
    consultation = consultation_of(check_in)
    assert consultation.sun_exposure_next_4_weeks is False
    assert AnswerUpdate.objects.get().field == "sun_exposure_next_4_weeks"
    check_in.refresh_from_db()
    assert not check_in.session.is_blocked


def test_a_double_submit_is_the_same_answer(client):
    check_in = pre_session(treatment="chemical_peel")
    body = pre_body(active_infection_or_cold_sore="yes")
    first = client.post(url(check_in), body)
    second = client.post(url(check_in), pre_body())  # a second tab, other answers
    assert first.status_code == second.status_code == 302
    check_in.refresh_from_db()
    assert check_in.answers["active_infection_or_cold_sore"] is True
    assert AnswerUpdate.objects.count() == 1
    assert consultation_of(check_in).evaluations.filter(trigger="check_in").count() == 1
    assert "Thank you" in client.get(url(check_in)).content.decode()


def test_a_cancelled_check_in_says_it_is_no_longer_needed(client):
    check_in = pre_session()
    course_end(
        consultation=consultation_of(check_in),
        user=PractitionerFactory(),
        reason="patient_choice",
    )
    response = client.get(url(check_in))
    assert response.status_code == 200
    assert "This check-in is no longer needed" in response.content.decode()
    response = client.post(url(check_in), pre_body())
    assert "This check-in is no longer needed" in response.content.decode()
    check_in.refresh_from_db()
    assert check_in.answered_at is None


def test_a_check_in_for_a_session_that_has_passed_has_closed(client):
    # Open for a session running up to CHECK_IN_LATE_FOR late; closed past that, and once
    # the session is done.
    check_in = pre_session()
    session = check_in.session
    session.target_date = timezone.localdate() - CHECK_IN_LATE_FOR - datetime.timedelta(days=1)
    session.save(update_fields=["target_date"])
    response = client.post(url(check_in), pre_body())
    assert "This check-in has closed" in response.content.decode()
    session.status = SessionStatus.DONE
    session.save(update_fields=["status"])
    assert "This check-in has closed" in client.get(url(check_in)).content.decode()


def test_an_unknown_link_is_not_found(client):
    response = client.get("/check-in/nothing-like-a-real-token/")
    assert response.status_code == 404


def test_after_erasure_the_link_leads_nowhere(client):
    check_in = pre_session()
    old = url(check_in)
    patient_anonymise(patient=consultation_of(check_in).patient, user=None)
    assert client.get(old).status_code == 404
    check_in.refresh_from_db()
    assert check_in.cancelled_at is not None
    assert client.get(url(check_in)).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        pre_body(pregnant="maybe"),
        pre_body(recent_tan="x" * 500_000),
        pre_body(isotretinoin_last_6_months="yes", isotretinoin_timing="last_year"),
        pre_body(breastfeeding="\x00"),
    ],
)
def test_hostile_pre_session_bodies_get_messages_and_store_nothing(client, body):
    check_in = pre_session()
    response = client.post(url(check_in), body)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    check_in.refresh_from_db()
    assert check_in.answered_at is None
    assert not AnswerUpdate.objects.exists()


def test_a_timing_sent_after_no_to_isotretinoin_is_not_kept(client):
    check_in = pre_session()
    client.post(url(check_in), pre_body(isotretinoin_timing="current"))
    check_in.refresh_from_db()
    assert check_in.answers["isotretinoin_timing"] == ""
    assert consultation_of(check_in).isotretinoin_timing == ""


def test_a_new_isotretinoin_prescription_blocks_the_session_until_a_practitioner_confirms(
    client,
):
    # R07 is a caution, not a stop: but the decision was taken without it, and the rule says
    # the practitioner confirms. The practitioner reads why.
    check_in = pre_session(treatment="chemical_peel")
    client.post(
        url(check_in),
        pre_body(isotretinoin_last_6_months="yes", isotretinoin_timing="current"),
    )
    check_in.refresh_from_db()
    session = check_in.session
    assert session.is_blocked
    assert any(
        reason.startswith("R07 new caution ISOTRETINOIN_RECENT for chemical peel")
        for reason in session.block_reasons
    )


def test_a_caution_cleared_at_one_session_does_not_block_the_next_again(client):
    from consultations.services.checkins import pre_session_check_in
    from consultations.services.sessions import block_mark, session_clear

    check_in = pre_session(treatment="chemical_peel")
    body = pre_body(isotretinoin_last_6_months="yes", isotretinoin_timing="stopped_1_to_6_months")
    client.post(url(check_in), body)
    check_in.refresh_from_db()
    assert check_in.session.is_blocked
    consultation = consultation_of(check_in)
    session_clear(
        consultation=consultation,
        user=PractitionerFactory(),
        number=1,
        block=block_mark(check_in.session),
        outcome="proceed",
        reason="Stopped isotretinoin 4 months ago; superficial peel only.",
    )
    second = pre_session_check_in(consultation.course.sessions.get(number=2))
    client.post(url(second), body)
    second.refresh_from_db()
    assert not second.session.is_blocked


def test_a_condition_that_went_away_and_came_back_blocks_again(client):
    from consultations.services.checkins import pre_session_check_in
    from consultations.services.sessions import block_mark, session_clear

    check_in = pre_session(treatment="chemical_peel")
    consultation = consultation_of(check_in)
    client.post(
        url(check_in),
        pre_body(isotretinoin_last_6_months="yes", isotretinoin_timing="stopped_1_to_6_months"),
    )
    check_in.refresh_from_db()
    session_clear(
        consultation=consultation,
        user=PractitionerFactory(),
        number=1,
        block=block_mark(check_in.session),
        outcome="proceed",
        reason="Stopped isotretinoin 4 months ago; superficial peel only.",
    )
    second = pre_session_check_in(consultation.course.sessions.get(number=2))
    client.post(url(second), pre_body())  # stopped: nothing new
    second.refresh_from_db()
    assert not second.session.is_blocked
    third = pre_session_check_in(consultation.course.sessions.get(number=3))
    client.post(
        url(third), pre_body(isotretinoin_last_6_months="yes", isotretinoin_timing="current")
    )
    third.refresh_from_db()
    assert third.session.is_blocked
    assert any("ISOTRETINOIN_RECENT" in reason for reason in third.session.block_reasons)
