"""The intake as a whole: five steps, a draft on the server, one submission, fixed query counts."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations import rules
from consultations.consent import CONSENT_TEXT_VERSION
from consultations.fitzpatrick import ITEM_CODES
from consultations.models import (
    Consent,
    Consultation,
    ConsultationStatus,
    Evaluation,
    FitzpatrickSource,
    Patient,
)
from consultations.services import consultation_answers
from tests.factories import (
    CompleteDraftFactory,
)
from tests.intake.steps import (
    ABOUT,
    CHECK,
    CONSENT,
    GOALS,
    GOALS_ANSWERS,
    HEALTH,
    HISTORY,
    SKIN,
    SKIN_ANSWERS,
    SKIN_NOW,
    START,
    SUBMIT,
    TREATMENTS,
    open_draft,
    page_queries,
    post_ok,
    submit,
)

pytestmark = pytest.mark.django_db


# --- The whole intake ---------------------------------------------------------------------------


def test_the_home_page_offers_to_start_a_consultation(client):
    page = client.get(reverse("home")).content.decode()
    assert "Start your consultation" in page
    assert f'href="{reverse("intake:start")}"' in page
    assert reverse("intake:start") == START


def test_a_patient_completes_the_intake_and_gets_one_submitted_consultation(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        consultation = submit(client)

    assert Consultation.objects.count() == 1
    assert consultation.status == ConsultationStatus.SUBMITTED
    assert consultation.submitted_at is not None
    assert consultation.age == consultation.patient.age_on(timezone.localdate())
    assert consultation.goals == ["pore_size", "oiliness", "texture"]
    assert consultation.fitzpatrick == 3
    assert consultation.fitzpatrick_source == FitzpatrickSource.SELF_REPORT
    assert consultation.patient.first_name == "Mei"
    assert consultation.patient.date_of_birth == datetime.date(1990, 5, 17)
    consent = Consent.objects.get(consultation=consultation)
    assert consent.text_version == CONSENT_TEXT_VERSION
    evaluation = Evaluation.objects.get(consultation=consultation)
    assert consultation.latest_evaluation == evaluation
    assert evaluation.output == rules.suggest(consultation_answers(consultation))

    confirmation = client.get(f"/c/{consultation.public_token}/submitted/")
    page = confirmation.content.decode()
    assert consultation.reference in page
    assert f"https://clinic.example/c/{consultation.public_token}/" in page


def test_each_step_says_where_the_patient_is(client):
    assert "Step 1 of 5" in client.get(START).content.decode()
    post_ok(client, START, ABOUT)
    for number, url in ((2, SKIN), (3, GOALS), (5, CHECK)):
        page = client.get(url).content.decode()
        assert f"Step {number} of 5" in page
        assert f"<title>Step {number} of 5:" in page
    # The health questions are step 4, on four short pages.
    for part, (url, title) in enumerate(
        (
            (HEALTH, "Pregnancy and medicines"),
            (SKIN_NOW, "Your skin now"),
            (TREATMENTS, "Previous treatments"),
            (HISTORY, "Your health"),
        ),
        start=1,
    ):
        page = client.get(url).content.decode()
        assert f"Step 4 of 5: Health and medicines, part {part} of 4" in page
        assert f"<title>Step 4 of 5, part {part} of 4: {title}" in page


def test_the_first_valid_step_creates_a_draft_on_the_server(client):
    post_ok(client, START, ABOUT, to=SKIN)
    consultation = Consultation.objects.get()
    assert consultation.status == ConsultationStatus.DRAFT
    assert client.session["intake_consultation_id"] == consultation.pk
    post_ok(client, SKIN, SKIN_ANSWERS)
    consultation.refresh_from_db()
    assert consultation.sebum == "oily" and consultation.fitzpatrick == 3


def test_going_back_to_the_first_step_updates_the_same_draft(client):
    post_ok(client, START, ABOUT)
    page = client.get(START).content.decode()
    assert 'value="Mei"' in page and 'value="17"' in page
    post_ok(client, START, {**ABOUT, "first_name": "May"})
    assert Patient.objects.get().first_name == "May"
    assert Consultation.objects.count() == 1


def test_back_keeps_what_was_entered_on_the_step_even_when_unfinished(client):
    post_ok(client, START, ABOUT)
    post_ok(client, SKIN, {"sebum": "dry", "action": "back"}, to=START)
    page = client.get(SKIN).content.decode()
    assert re.search(r'value="dry"[^>]*checked', page)
    post_ok(client, SKIN, SKIN_ANSWERS)
    post_ok(client, GOALS, {**GOALS_ANSWERS, "action": "back"}, to=SKIN)
    page = client.get(GOALS).content.decode()
    assert re.search(r'value="pore_size"[^>]*checked', page)
    assert re.search(r'value="texture"[^>]*checked', page)


def test_a_step_without_a_draft_sends_the_patient_to_the_start(client):
    for url in (SKIN, GOALS, HEALTH, CHECK):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == START
    assert client.post(SUBMIT, CONSENT)["Location"] == START


def test_an_unknown_step_is_not_found(client):
    post_ok(client, START, ABOUT)
    assert client.get("/consultation/payment/").status_code == 404


# --- Query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [START, SKIN, GOALS, HEALTH, CHECK])
def test_each_step_uses_the_same_number_of_queries_whatever_the_answers(client, url):
    counts = []
    for goals, allergies in (
        (["texture"], ""),
        (list(rules.GOALS), "Penicillin, plasters, nuts, latex, shellfish"),
    ):
        browser = Client()
        open_draft(
            browser,
            CompleteDraftFactory(
                fitzpatrick_source="questionnaire",
                fitzpatrick_score=24,
                fitzpatrick_test_answers=dict.fromkeys(ITEM_CODES, 2) if allergies else {},
                goals=goals,
                allergies=allergies,
            ),
        )
        counts.append(page_queries(browser, url))
    assert counts[0] == counts[1]
    assert counts[0] <= 3, counts
