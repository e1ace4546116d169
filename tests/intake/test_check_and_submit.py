"""Check your answers, consent and submission: once, whatever the browser does."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from consultations import rules
from consultations.models import (
    Consent,
    Consultation,
    ConsultationStatus,
    Evaluation,
    Patient,
)
from consultations.services import consultation_answers
from tests.factories import (
    CompleteDraftFactory,
    PatientFactory,
    submitted,
)
from tests.intake.steps import (
    ABOUT,
    CHECK,
    CONSENT,
    GOALS,
    GOALS_ANSWERS,
    HEALTH,
    HEALTH_ANSWERS,
    HISTORY,
    SKIN,
    SKIN_ANSWERS,
    SKIN_NOW,
    START,
    SUBMIT,
    TREATMENTS,
    errors_on,
    fill_draft,
    open_draft,
    post_ok,
    submit,
    years_ago,
)
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


# --- Check your answers, consent, submission ----------------------------------------------------


def test_check_your_answers_shows_every_answer_grouped_with_change_links(client):
    fill_draft(
        client,
        health={**HEALTH_ANSWERS, "has_allergies": "yes", "allergies": "Plasters <tape>"},
    )
    page = client.get(CHECK).content.decode()
    for title, url, field in (
        ("About you", START, "first_name"),
        ("Your skin", SKIN, "fitzpatrick_self_report"),
        ("Your goals", GOALS, "main_goal"),
        ("Pregnancy and medicines", HEALTH, "pregnant"),
        ("Your skin now", SKIN_NOW, "cosmetic_tattoo_in_area"),
        ("Previous treatments", TREATMENTS, "injectable_last_2_weeks"),
        ("Your health", HISTORY, "has_allergies"),
    ):
        assert f">{title}</h2>" in page
        # A change link beside every answer, back to its question.
        assert f'href="{url}?return=check#div_id_{field}">Change' in page
    rows = page.count('<div class="intake-answer">')
    assert rows > 30 and page.count(">Change<span") == rows
    for text in (
        "Mei Tan",
        "17 May 1990",
        "mei.tan@example.com",
        "Type III: light or olive skin",
        "Oily: my forehead",
        "Smaller-looking pores",
        "Less oily skin, Smoother skin texture",
        "A few days of redness",
        "Are you breastfeeding?",
        "Plasters &lt;tape&gt;",
    ):
        assert text in page
    # The consent's version is recorded, not shown: patients read the text and how to ask.
    assert "Consent text version" not in page
    assert "Read the full" in page and 'href="/privacy/">privacy notice</a>' in page


def test_back_keeps_a_typed_follow_up_answer_even_before_its_question_is_answered(client):
    fill_draft(client)
    data = {**HEALTH_ANSWERS, "other_medicines": "Metformin"}
    del data["takes_other_medicines"]
    post_ok(client, HEALTH, {**data, "action": "back"}, to=GOALS)
    assert Consultation.objects.get().other_medicines == "Metformin"
    page = client.get(HEALTH).content.decode()
    assert re.search(r'name="takes_other_medicines" value="yes"[^>]*checked', page)


def test_a_change_link_brings_the_patient_back_to_check_your_answers(client):
    fill_draft(client)
    post_ok(client, f"{GOALS}?return=check", GOALS_ANSWERS, to=CHECK)


def test_consent_and_the_declaration_are_required(client):
    consultation = fill_draft(client)
    response = client.post(SUBMIT, {"declaration": "on"})
    assert response.status_code == 200
    assert errors_on(response) == ["Tick the box to agree to how we use your answers"]
    response = client.post(SUBMIT, {"consent": "on"})
    assert errors_on(response) == ["Tick the box to confirm that your answers are true"]
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.DRAFT
    assert not Consent.objects.exists()


def test_an_unfinished_consultation_cannot_be_sent(client):
    post_ok(client, START, ABOUT)
    post_ok(client, SKIN, SKIN_ANSWERS)
    page = client.get(CHECK).content.decode()
    assert "Some questions are not answered yet" in page
    assert f'href="{GOALS}">Your goals' in page and f'href="{HEALTH}">Pregnancy' in page
    assert f'href="{HISTORY}">Your health' in page
    assert "Send my answers" not in page and 'name="consent"' not in page
    response = client.post(SUBMIT, CONSENT)
    assert response["Location"] == CHECK
    assert Consultation.objects.get().status == ConsultationStatus.DRAFT


def test_a_draft_whose_patient_is_under_18_cannot_be_sent(client):
    consultation = CompleteDraftFactory(
        patient=PatientFactory(date_of_birth=years_ago(17)), goals=["texture"]
    )
    open_draft(client, consultation)
    response = client.post(SUBMIT, CONSENT)
    assert response["Location"] == CHECK
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.DRAFT and consultation.age is None
    assert not Evaluation.objects.exists()


def test_a_complete_draft_is_sent_with_the_rules_output_for_its_answers(client):
    consultation = CompleteDraftFactory(goals=["acne_scars", "texture"], recent_tan=True)
    open_draft(client, consultation)
    assert client.post(SUBMIT, CONSENT)["Location"] == f"/c/{consultation.public_token}/submitted/"
    consultation.refresh_from_db()
    assert consultation.latest_evaluation.output == rules.suggest(
        consultation_answers(consultation)
    )
    assert "RECENT_TAN" in {flag["code"] for flag in consultation.latest_evaluation.output["flags"]}


def test_submitting_twice_gives_one_consultation_and_the_same_confirmation(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        consultation = submit(client)
        again = client.post(SUBMIT, CONSENT)
    assert again.status_code == 302
    assert again["Location"] == f"/c/{consultation.public_token}/submitted/"
    assert Consultation.objects.count() == 1
    assert Evaluation.objects.count() == 1
    assert Consent.objects.count() == 1
    run_queued_tasks()
    assert len(mailoutbox) == 2  # the patient's confirmation and the practitioners' notice


def test_after_sending_the_back_button_to_check_your_answers_leads_to_the_confirmation(client):
    consultation = submit(client)
    response = client.get(CHECK)
    assert response["Location"] == f"/c/{consultation.public_token}/submitted/"


def test_after_sending_the_steps_show_nothing_of_the_sent_answers(client):
    submit(client)
    for url in (SKIN, GOALS, HEALTH):
        response = client.get(url, follow=True)
        page = response.content.decode()
        assert response.redirect_chain == [(START, 302)]
        assert 'value="Mei"' not in page and "mei.tan@example.com" not in page
    response = client.post(HEALTH, {**HEALTH_ANSWERS, "pregnant": "yes"})
    assert response["Location"] == START
    assert Consultation.objects.get().pregnant is False


def test_the_next_person_on_a_shared_phone_starts_a_new_empty_consultation(client):
    first = submit(client)
    assert "intake_consultation_id" not in client.session
    page = client.get(START).content.decode()
    assert 'value="Mei"' not in page and "mei.tan@example.com" not in page
    post_ok(client, START, {**ABOUT, "first_name": "Aisha", "email": "aisha@example.com"})
    second = Consultation.objects.get(status=ConsultationStatus.DRAFT)
    assert second != first and second.patient.first_name == "Aisha"
    assert second.sebum == "" and second.goals == [] and second.pregnant is None
    # Their check page is theirs: nothing of the first patient's, and not yet sendable.
    page = client.get(CHECK).content.decode()
    assert "Aisha" in page and "Mei" not in page and first.reference not in page
    assert "Some questions are not answered yet" in page


def test_the_way_back_to_the_confirmation_closes_after_ten_minutes(client):
    consultation = submit(client)
    again = client.post(SUBMIT, CONSENT)
    assert again["Location"] == f"/c/{consultation.public_token}/submitted/"

    # Eleven minutes later, whoever holds the phone is sent to the start.
    session = client.session
    session["intake_just_submitted"]["at"] -= 11 * 60
    session.save()
    assert client.get(CHECK)["Location"] == START
    assert client.post(SUBMIT, CONSENT)["Location"] == START
    assert Consultation.objects.count() == 1


def test_a_session_holding_a_draft_sent_long_ago_does_not_lead_to_its_confirmation(client):
    # A browser whose session still names a consultation sent yesterday (before this fix).
    sent = submitted(submitted_at=timezone.now() - datetime.timedelta(days=1))
    open_draft(client, sent)
    for url in (SKIN, CHECK):
        assert client.get(url)["Location"] == START
    assert client.post(SUBMIT, CONSENT)["Location"] == START
    assert 'value="' + sent.patient.first_name + '"' not in client.get(START).content.decode()


def test_a_patients_session_ends_when_the_browser_closes(client):
    response = client.post(START, ABOUT)
    cookie = response.cookies["sessionid"]
    assert cookie.value and not cookie["expires"] and not cookie["max-age"]
    assert client.session.get_expire_at_browser_close()
    post_ok(client, SKIN, SKIN_ANSWERS)
    post_ok(client, GOALS, GOALS_ANSWERS)
    post_ok(client, HEALTH, HEALTH_ANSWERS)
    assert client.post(SUBMIT, CONSENT).status_code == 302
    # The "just sent" marker lives in the same browser-length session.
    assert client.session.get_expire_at_browser_close()


def test_a_visitor_who_only_reads_the_start_page_gets_no_session(client):
    response = client.get(START)
    assert "sessionid" not in response.cookies


def test_a_taken_reference_is_drawn_again_and_the_first_step_is_kept(client, monkeypatch):
    taken = submitted()
    fresh = "PX-ZZZZ9"
    drawn = iter([taken.reference, taken.reference, fresh])
    monkeypatch.setattr("consultations.models.new_reference", lambda: next(drawn))

    post_ok(client, START, ABOUT, to=SKIN)

    consultation = Consultation.objects.get(status=ConsultationStatus.DRAFT)
    assert consultation.reference == fresh
    assert consultation.patient.first_name == "Mei"
    assert Patient.objects.filter(email="mei.tan@example.com").count() == 1
    assert client.session["intake_consultation_id"] == consultation.pk
    assert 'value="Mei"' in client.get(START).content.decode()


def test_the_start_page_after_sending_begins_a_new_consultation(client):
    submit(client)
    page = client.get(START).content.decode()
    assert 'value="Mei"' not in page
    post_ok(client, START, ABOUT)
    assert Consultation.objects.filter(status=ConsultationStatus.DRAFT).count() == 1
    assert Consultation.objects.count() == 2
