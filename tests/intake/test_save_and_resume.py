"""Partial saves ("back", "save and continue later") and the emailed resume link."""

from __future__ import annotations

import re

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from consultations.models import (
    Consultation,
    ConsultationStatus,
)
from tests.intake.steps import (
    ABOUT,
    CHECK,
    CONSENT,
    GOALS,
    GOALS_ANSWERS,
    HEALTH,
    HISTORY,
    PAGE_ANSWERS,
    SKIN,
    SKIN_ANSWERS,
    START,
    SUBMIT,
    TREATMENTS,
    answer_health,
    fill_draft,
    follow_resume_link,
    post_ok,
    press_save,
    save_for_later,
)
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


# --- Partial saves: "back" and "save and continue later" ---------------------------------------


def test_a_yes_to_other_medicines_with_nothing_typed_is_still_yes_after_back(client):
    fill_draft(client)
    post_ok(
        client,
        HEALTH,
        {**PAGE_ANSWERS[HEALTH], "takes_other_medicines": "yes", "action": "back"},
        to=GOALS,
    )
    post_ok(
        client,
        HISTORY,
        {**PAGE_ANSWERS[HISTORY], "has_allergies": "yes", "action": "back"},
        to=TREATMENTS,
    )

    page = client.get(HEALTH).content.decode()
    assert re.search(r'name="takes_other_medicines" value="yes"[^>]*checked', page)
    assert not re.search(r'name="takes_other_medicines" value="no"[^>]*checked', page)
    assert re.search(
        r'name="has_allergies" value="yes"[^>]*checked', client.get(HISTORY).content.decode()
    )
    # Not an answer of "none": the pages wait for the names.
    check = client.get(CHECK).content.decode()
    assert "Some questions are not answered yet" in check
    assert f'href="{HEALTH}">Pregnancy and medicines' in check
    assert f'href="{HISTORY}">Your health' in check
    assert client.post(SUBMIT, CONSENT)["Location"] == CHECK
    assert Consultation.objects.get().status == ConsultationStatus.DRAFT


def test_naming_the_medicines_later_completes_the_step(client):
    fill_draft(client)
    post_ok(
        client, HEALTH, {**PAGE_ANSWERS[HEALTH], "takes_other_medicines": "yes", "action": "back"}
    )
    post_ok(
        client,
        f"{HEALTH}?return=check",
        {**PAGE_ANSWERS[HEALTH], "takes_other_medicines": "yes", "other_medicines": "Metformin"},
        to=CHECK,
    )
    page = client.get(CHECK).content.decode()
    assert "Some questions are not answered yet" not in page and "Metformin" in page
    assert client.post(SUBMIT, CONSENT).status_code == 302
    assert Consultation.objects.get().status == ConsultationStatus.SUBMITTED


def test_a_no_given_part_way_through_the_health_step_comes_back_as_no(client):
    post_ok(client, START, ABOUT)
    post_ok(client, SKIN, SKIN_ANSWERS)
    post_ok(client, GOALS, GOALS_ANSWERS)
    data = {"pregnant": "no", "takes_other_medicines": "no"}
    post_ok(client, HEALTH, {**data, "action": "back"}, to=GOALS)
    page = client.get(HEALTH).content.decode()
    assert re.search(r'name="takes_other_medicines" value="no"[^>]*checked', page)
    assert re.search(r'name="pregnant" value="no"[^>]*checked', page)
    assert not re.search(r'name="breastfeeding" value="(yes|no)"[^>]*checked', page)


def test_a_yes_with_an_empty_box_survives_being_reopened_in_another_browser(client, mailoutbox):
    post_ok(client, START, ABOUT)
    post_ok(client, SKIN, SKIN_ANSWERS)
    post_ok(client, GOALS, GOALS_ANSWERS)
    link = save_for_later(
        client, HEALTH, {"pregnant": "no", "takes_other_medicines": "yes"}, mailoutbox
    )
    fresh = Client()
    follow_resume_link(fresh, link)
    page = fresh.get(HEALTH).content.decode()
    assert re.search(r'name="pregnant" value="no"[^>]*checked', page)
    assert re.search(r'name="takes_other_medicines" value="yes"[^>]*checked', page)
    assert not re.search(r'name="breastfeeding" value="(yes|no)"[^>]*checked', page)
    # Still waiting for the names: the check page sends the patient back to that page.
    assert f'href="{HEALTH}">Pregnancy and medicines' in fresh.get(CHECK).content.decode()


def test_a_partial_save_without_a_main_goal_does_not_promote_another_goal(client):
    post_ok(client, START, ABOUT)
    post_ok(client, SKIN, SKIN_ANSWERS)
    post_ok(
        client,
        GOALS,
        {"other_goals": ["texture", "oiliness"], "downtime_tolerance": "none", "action": "back"},
        to=SKIN,
    )
    consultation = Consultation.objects.get()
    assert consultation.goals == []
    assert consultation.downtime_tolerance == "none"
    page = client.get(GOALS).content.decode()
    assert not re.search(r'name="main_goal" value="[a-z_]+"[^>]*checked', page)
    check = client.get(CHECK).content.decode()
    assert f'href="{GOALS}">Your goals' in check


def test_a_partial_save_without_a_main_goal_keeps_the_goals_already_given(client):
    post_ok(client, START, ABOUT)
    post_ok(client, SKIN, SKIN_ANSWERS)
    post_ok(client, GOALS, GOALS_ANSWERS)
    post_ok(client, GOALS, {"other_goals": ["fine_lines"], "action": "back"}, to=SKIN)
    assert Consultation.objects.get().goals == ["pore_size", "oiliness", "texture"]
    page = client.get(GOALS).content.decode()
    assert re.search(r'name="main_goal" value="pore_size"[^>]*checked', page)


# --- Save and continue later --------------------------------------------------------------------


def test_save_and_continue_later_emails_a_link_that_restores_the_draft(client, mailoutbox):
    post_ok(client, START, ABOUT)
    post_ok(client, SKIN, SKIN_ANSWERS)
    half = {"pregnant": "no", "breastfeeding": "no"}
    post_ok(client, GOALS, GOALS_ANSWERS)
    link = save_for_later(client, HEALTH, half, mailoutbox)
    consultation = Consultation.objects.get()
    run_queued_tasks()
    assert mailoutbox[-1].to == ["mei.tan@example.com"]
    assert consultation.pregnant is False and consultation.photosensitising_meds is None
    # This browser lets go of the draft.
    assert client.get(HEALTH)["Location"] == START

    fresh = Client()
    response = follow_resume_link(fresh, link)
    assert response.status_code == 302 and response["Location"] == HEALTH
    page = fresh.get(HEALTH).content.decode()
    assert re.search(r'name="pregnant" value="no"[^>]*checked', page)
    assert not re.search(r'name="photosensitising_meds" value="no"[^>]*checked', page)
    assert "Welcome back" in page
    answer_health(fresh)
    assert fresh.post(SUBMIT, CONSENT).status_code == 302
    assert Consultation.objects.get().status == ConsultationStatus.SUBMITTED


def test_check_your_answers_can_also_be_saved_for_later(client, mailoutbox):
    fill_draft(client)
    response = press_save(client, SUBMIT, {})
    assert response["Location"] == "/consultation/saved/"
    run_queued_tasks()
    link = re.search(r"https://clinic\.example(/consultation/resume/[^/\s]+/)", mailoutbox[0].body)
    assert follow_resume_link(Client(), link[1])["Location"] == CHECK


def test_the_saved_page_says_where_the_link_went(client, mailoutbox):
    press_save(client, START, ABOUT)
    page = client.get("/consultation/saved/").content.decode()
    assert "We have emailed a private link to <strong" in page and "mei.tan@example.com" in page
    assert "7 days" in page
    run_queued_tasks()
    assert len(mailoutbox) == 1


def test_a_resume_link_carries_only_the_token_and_the_email_no_answers(client, mailoutbox):
    post_ok(client, START, ABOUT)
    link = save_for_later(client, SKIN, SKIN_ANSWERS, mailoutbox)
    consultation = Consultation.objects.get()
    assert link.split("/")[3].split(":")[0] == consultation.public_token
    run_queued_tasks()
    body = mailoutbox[-1].body
    for secret in ("Mei", "Tan", "1990", "9123", "oily", "Type III"):
        assert secret not in body


def test_an_expired_resume_link_gets_a_clear_page(client, mailoutbox, monkeypatch):
    post_ok(client, START, ABOUT)
    eight_days_ago = timezone.now().timestamp() - 8 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: eight_days_ago)
    link = save_for_later(client, SKIN, SKIN_ANSWERS, mailoutbox)
    monkeypatch.undo()
    for method in ("get", "post"):
        browser = Client()
        response = getattr(browser, method)(link)
        assert response.status_code == 400, method
        assert "This link has expired" in response.content.decode()
        assert "intake_consultation_id" not in browser.session


def test_a_resume_link_still_works_on_day_six(client, mailoutbox, monkeypatch):
    post_ok(client, START, ABOUT)
    six_days_ago = timezone.now().timestamp() - 6 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: six_days_ago)
    link = save_for_later(client, SKIN, SKIN_ANSWERS, mailoutbox)
    monkeypatch.undo()
    assert follow_resume_link(Client(), link).status_code == 302


@pytest.mark.parametrize(
    "tamper",
    [
        lambda signed: ("B" if signed[0] == "A" else "A") + signed[1:],
        lambda signed: signed[:-1] + ("A" if signed[-1] != "A" else "B"),
        lambda signed: signed.split(":")[0],
        lambda signed: "nonsense",
    ],
)
def test_a_tampered_resume_link_gets_a_clear_page(client, mailoutbox, tamper):
    post_ok(client, START, ABOUT)
    link = save_for_later(client, SKIN, SKIN_ANSWERS, mailoutbox)
    signed = link.split("/")[3]
    for method in ("get", "post"):
        browser = Client()
        response = getattr(browser, method)(f"/consultation/resume/{tamper(signed)}/")
        assert response.status_code == 404, method
        assert "This link does not work" in response.content.decode()
        assert "intake_consultation_id" not in browser.session


def test_one_patients_link_never_opens_another_patients_draft(mailoutbox):
    first, second = Client(), Client()
    post_ok(first, START, ABOUT)
    link = save_for_later(first, SKIN, SKIN_ANSWERS, mailoutbox)
    post_ok(second, START, {**ABOUT, "first_name": "Aisha", "email": "aisha@example.com"})
    draft_of_second = second.session["intake_consultation_id"]
    mei = Consultation.objects.get(patient__first_name="Mei")

    # Another patient's token signed with the first one's signature does not open anything.
    aisha = Consultation.objects.get(pk=draft_of_second)
    forged = link.replace(mei.public_token, aisha.public_token)
    assert Client().get(forged).status_code == 404
    assert Client().post(forged).status_code == 404

    # The second browser following the first patient's link sees the first patient's draft.
    follow_resume_link(second, link)
    assert second.session["intake_consultation_id"] == mei.pk
    assert 'value="Mei"' in second.get(START).content.decode()
    # The first patient's link never leads to the second patient's answers.
    third = Client()
    follow_resume_link(third, link)
    page = third.get(START).content.decode()
    assert "Aisha" not in page and 'value="Mei"' in page


def test_a_resume_link_for_a_sent_consultation_shows_its_status(client, mailoutbox):
    post_ok(client, START, ABOUT)
    link = save_for_later(client, SKIN, SKIN_ANSWERS, mailoutbox)
    fresh = Client()
    follow_resume_link(fresh, link)
    post_ok(fresh, SKIN, SKIN_ANSWERS)
    post_ok(fresh, GOALS, GOALS_ANSWERS)
    answer_health(fresh)
    fresh.post(SUBMIT, CONSENT)
    consultation = Consultation.objects.get()
    for method in ("get", "post"):
        response = getattr(Client(), method)(link)
        assert response["Location"] == f"/c/{consultation.public_token}/", method


def test_opening_a_resume_link_only_asks_and_leaves_the_browser_as_it_was(client, mailoutbox):
    post_ok(client, START, ABOUT)
    link = save_for_later(client, SKIN, SKIN_ANSWERS, mailoutbox)
    mei = Consultation.objects.get()
    # Another patient, part way through their own answers, is sent Mei's link.
    victim = Client()
    post_ok(victim, START, {**ABOUT, "first_name": "Aisha", "email": "aisha@example.com"})
    own_draft = victim.session["intake_consultation_id"]

    response = victim.get(link)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Continue your consultation" in page and mei.reference in page
    assert 'method="post"' in page and "csrfmiddlewaretoken" in page
    for secret in ("Mei", "Tan", "mei.tan@example.com", "9123"):
        assert secret not in page
    assert victim.session["intake_consultation_id"] == own_draft
    assert 'value="Aisha"' in victim.get(START).content.decode()

    # A browser with no draft gets none from the link alone.
    fresh = Client()
    assert fresh.get(link).status_code == 200
    assert "intake_consultation_id" not in fresh.session
    assert fresh.get(SKIN)["Location"] == START


def test_a_cross_site_post_to_a_resume_link_is_refused(client, mailoutbox):
    post_ok(client, START, ABOUT)
    link = save_for_later(client, SKIN, SKIN_ANSWERS, mailoutbox)
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(link).status_code == 403  # a browser new to the site
    page = browser.get(link).content.decode()  # now it holds this site's CSRF cookie
    assert browser.post(link).status_code == 403  # a form on another site has no token
    assert "intake_consultation_id" not in browser.session

    # The page's own form carries the token, and its POST opens the draft.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    response = browser.post(link, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == GOALS
    assert browser.session["intake_consultation_id"] == Consultation.objects.get().pk


def test_pressing_continue_on_a_resume_link_counts_towards_the_intake_limit(
    client, mailoutbox, settings
):
    post_ok(client, START, ABOUT)
    link = save_for_later(client, SKIN, SKIN_ANSWERS, mailoutbox)
    settings.INTAKE_RATE_LIMIT = "1/1h"  # a new window: the posts above are not counted
    browser = Client()
    for _ in range(3):
        assert browser.get(link).status_code == 200  # opening the link is not counted
    assert browser.post(link).status_code == 302
    response = browser.post(link)
    assert response.status_code == 429 and "Retry-After" in response


# --- The draft's key: only the latest link, and no stale session, opens the draft ---------------


def test_a_stale_session_written_back_after_the_link_was_emailed_opens_nothing(client, mailoutbox):
    post_ok(client, START, ABOUT)
    stale = dict(client.session.items())  # what a slower request in this session had loaded
    save_for_later(client, SKIN, SKIN_ANSWERS, mailoutbox)
    session = client.session
    session.update(stale)  # ... and writes back when it finishes
    session.save()

    assert client.get(CHECK)["Location"] == START
    assert client.post(SKIN, SKIN_ANSWERS)["Location"] == START
    assert Consultation.objects.get().sebum == "oily"  # only the saved page's answer


def test_an_earlier_resume_link_stops_working_once_a_new_one_is_emailed(client, mailoutbox):
    post_ok(client, START, {**ABOUT, "email": "attacker@example.com"})
    earlier = save_for_later(client, SKIN, SKIN_ANSWERS, mailoutbox)
    follow_resume_link(client, earlier)
    post_ok(client, START, ABOUT)  # the address becomes someone else's
    latest = save_for_later(client, SKIN, SKIN_ANSWERS, mailoutbox)
    run_queued_tasks()
    assert mailoutbox[-1].to == ["mei.tan@example.com"]

    for method in ("get", "post"):
        response = getattr(Client(), method)(earlier)
        assert response.status_code == 404, method
        assert "This link does not work" in response.content.decode()
    assert follow_resume_link(Client(), latest).status_code == 302
