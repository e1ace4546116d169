"""Save and continue later: the address is shown (and a likely typo asked about) before the link
goes, shown again after, and can be corrected for a few minutes, which stops the first link."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client

from consultations.intake import browser
from consultations.models import Consultation, OutboundEmail, Patient
from tests.intake.steps import (
    ABOUT,
    CHECK,
    CONSENT,
    SAVED,
    SEND_LINK,
    SKIN,
    SKIN_ANSWERS,
    START,
    SUBMIT,
    follow_resume_link,
    post_ok,
)
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def resume_link(mailoutbox, to: str) -> str:
    run_queued_tasks()
    body = next(m.body for m in reversed(mailoutbox) if m.to == [to])
    return re.search(r"https://clinic\.example(/consultation/resume/[^/\s]+/)", body)[1]


def test_saving_shows_the_address_before_anything_is_sent(client, mailoutbox):
    post_ok(client, START, ABOUT, to=SKIN)
    response = client.post(SKIN, {**SKIN_ANSWERS, "action": "save"})

    assert response["Location"] == f"{SEND_LINK}?from=skin"
    page = client.get(response["Location"])
    assert 'value="mei.tan@example.com"' in page.content.decode()
    assert "Go back to my answers" in text(page)
    assert Consultation.objects.get().sebum == "oily"  # the page is saved already
    run_queued_tasks()
    assert mailoutbox == [] and not OutboundEmail.objects.exists()


def test_a_likely_typo_is_asked_about_and_the_suggestion_can_be_taken(client, mailoutbox):
    post_ok(client, START, {**ABOUT, "email": "sam@gmial.com"}, to=SKIN)
    client.post(SKIN, {**SKIN_ANSWERS, "action": "save"})

    asked = client.post(SEND_LINK, {"email": "sam@gmial.com"})  # "Send me the link"
    assert asked.status_code == 200
    assert "Did you mean sam@gmail.com?" in text(asked)
    assert not OutboundEmail.objects.exists()

    sent = client.post(SEND_LINK, {"email": "sam@gmial.com", "use": "suggestion"})

    assert sent["Location"] == SAVED
    assert Patient.objects.get().email == "sam@gmail.com"
    assert resume_link(mailoutbox, "sam@gmail.com")


def test_the_patient_may_mean_an_unusual_address(client, mailoutbox):
    post_ok(client, START, {**ABOUT, "email": "sam@gmial.com"}, to=SKIN)

    sent = client.post(SEND_LINK, {"email": "sam@gmial.com", "use": "as_typed"})

    assert sent["Location"] == SAVED
    assert resume_link(mailoutbox, "sam@gmial.com")


def test_a_wrong_address_is_refused_field_by_field_and_nothing_is_lost(client, mailoutbox):
    post_ok(client, START, ABOUT, to=SKIN)
    client.post(SKIN, {**SKIN_ANSWERS, "action": "save"})

    response = client.post(SEND_LINK, {"email": "sam at example"})

    assert response.status_code == 200
    assert "Enter an email address in the right format, like name@example.com" in text(response)
    assert Consultation.objects.get().sebum == "oily"
    assert client.get(CHECK).status_code == 200  # this browser still has the answers
    assert not OutboundEmail.objects.exists()


def test_the_saved_page_names_the_address_and_a_correction_stops_the_first_link(client, mailoutbox):
    post_ok(client, START, {**ABOUT, "email": "sam@exmaple.com"}, to=SKIN)
    client.post(SEND_LINK, {"email": "sam@exmaple.com", "use": "as_typed"})
    page = text(client.get(SAVED))
    assert "We have emailed a private link to sam@exmaple.com" in page
    assert "Wrong email address?" in page
    first_link = resume_link(mailoutbox, "sam@exmaple.com")

    corrected = client.post(SEND_LINK, {"email": "sam@example.com", "use": "as_typed"})

    assert corrected["Location"] == SAVED
    assert "We have emailed a private link to sam@example.com" in text(client.get(SAVED))
    assert Patient.objects.get().email == "sam@example.com"
    second_link = resume_link(mailoutbox, "sam@example.com")
    assert Client().get(first_link).status_code == 404  # the mistyped one no longer opens
    assert follow_resume_link(Client(), second_link).status_code == 302
    assert client.get(CHECK)["Location"] == START  # correcting never reopened the answers


def test_the_right_to_correct_ends_after_fifteen_minutes(client, mailoutbox, monkeypatch):
    post_ok(client, START, ABOUT, to=SKIN)
    client.post(SEND_LINK, {"email": "mei.tan@example.com", "use": "as_typed"})
    later = time.time() + browser.LINK_SENT_SECONDS + 1
    monkeypatch.setattr(browser.time, "time", lambda: later)

    page = text(client.get(SAVED))
    response = client.post(SEND_LINK, {"email": "someone.else@example.com", "use": "as_typed"})

    assert "Wrong email address?" not in page and "mei.tan@example.com" not in page
    assert response["Location"] == START
    assert Patient.objects.get().email == "mei.tan@example.com"


def test_another_browser_cannot_send_the_link_anywhere(client, mailoutbox):
    post_ok(client, START, ABOUT, to=SKIN)
    stranger = Client()

    response = stranger.post(SEND_LINK, {"email": "thief@example.com", "use": "as_typed"})

    assert response["Location"] == START
    assert Patient.objects.get().email == "mei.tan@example.com"
    assert not OutboundEmail.objects.exists()


def test_the_first_page_can_be_saved_with_only_an_email(client, mailoutbox):
    response = client.post(START, {"email": "early@example.com", "action": "save"})

    assert response["Location"] == f"{SEND_LINK}?from=about"
    patient = Patient.objects.get()
    assert (patient.first_name, patient.last_name, patient.date_of_birth) == ("", "", None)
    client.post(SEND_LINK, {"email": "early@example.com", "use": "as_typed"})
    fresh = Client()
    assert (
        follow_resume_link(fresh, resume_link(mailoutbox, "early@example.com"))["Location"] == START
    )  # the first page still to answer
    page = text(fresh.get(START))
    assert 'value="early@example.com"' in fresh.get(START).content.decode()
    assert "Continue" in page


def test_the_first_page_still_needs_an_email_to_save(client):
    response = client.post(START, {"first_name": "Mei", "action": "save"})

    assert response.status_code == 200
    assert "Enter your email address" in text(response)
    assert not Patient.objects.exists()


def test_an_early_draft_cannot_be_sent_without_the_first_page(client):
    client.post(START, {"email": "early@example.com", "action": "save"})
    consultation = Consultation.objects.get()

    page = text(client.get(CHECK))
    sent = client.post(SUBMIT, CONSENT)

    assert "About you" in page  # listed as still to answer
    assert sent["Location"] == CHECK
    consultation.refresh_from_db()
    assert consultation.status == "draft"
