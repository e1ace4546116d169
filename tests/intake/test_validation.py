"""Each step validates on the server: an error summary and one clear message per field."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from consultations import rules
from consultations.models import (
    Consultation,
)
from tests.intake.steps import (
    ABOUT,
    CHECK,
    GOALS,
    GOALS_ANSWERS,
    HEALTH,
    HEALTH_ANSWERS,
    PAGE_ANSWERS,
    SKIN,
    SKIN_ANSWERS,
    START,
    dob,
    errors_on,
    fill_draft,
    post_ok,
    self_test,
    years_ago,
)

pytestmark = pytest.mark.django_db


# --- Validation: the error summary and each field's message -------------------------------------


def test_errors_are_summarised_at_the_top_and_tied_to_their_fields(client):
    response = client.post(START, {**ABOUT, "first_name": "", "email": "not-an-email"})
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        '<div class="alert alert-danger intake-error-summary" id="error-summary" role="alert"'
        in page
    )
    assert 'id="error-summary-title">There is a problem</h2>' in page
    assert '<a class="alert-link" href="#id_first_name">Enter your first name</a>' in page
    assert "#id_email" in page
    field = re.search(r'<input[^>]*name="first_name"[^>]*>', page)[0]
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="id_first_name_error"' in field
    assert 'id="id_first_name_error"' in page
    assert "<title>Error: Step 1 of 5" in page
    assert 'value="Tan"' in page  # the other answers stay
    assert Consultation.objects.count() == 0


def test_radio_groups_are_fieldsets_with_legends_and_marked_invalid(client):
    post_ok(client, START, ABOUT)
    page = client.post(SKIN, {"fitzpatrick_self_report": "3"}).content.decode()
    assert 'href="#id_sebum_0"' in page
    fieldset = re.search(
        r'<fieldset aria-describedby="([^"]+)">\s*<legend[^>]*>\s*How does your face', page
    )
    assert fieldset and "id_sebum_error" in fieldset[1]
    radio = re.search(r'<input type="radio"[^>]*name="sebum"[^>]*>', page)[0]
    assert 'aria-invalid="true"' in radio
    assert re.search(r'value="3"[^>]*checked', page)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"first_name": ""}, "Enter your first name"),
        ({"last_name": "   "}, "Enter your last name"),
        ({"first_name": "x" * 101}, "First name must be 100 characters or fewer"),
        ({"last_name": "Ta\x00n"}, "Last name contains characters we cannot accept"),
        ({"first_name": "Mei\x1b[31m"}, "First name contains characters we cannot accept"),
        ({"email": ""}, "Enter your email address"),
        ({"email": "mei@"}, "Enter an email address in the right format"),
        ({"email": "me\x00i@example.com"}, "Email address contains characters we cannot accept"),
        ({"phone": "call me maybe"}, "Enter a phone number using numbers, spaces and + only"),
        ({"date_of_birth_day": ""}, "Date of birth must include a day, a month and a year"),
        (
            {"date_of_birth_day": "", "date_of_birth_month": "", "date_of_birth_year": ""},
            "Enter your date of birth",
        ),
        ({"date_of_birth_month": "May"}, "Enter your date of birth using numbers only"),
        ({"date_of_birth_year": "90"}, "Enter the year of your birth as 4 numbers"),
        ({"date_of_birth_month": "13"}, "The month must be a number from 1 to 12"),
        ({"date_of_birth_day": "32"}, "The day must be a number from 1 to 31"),
        (
            {"date_of_birth_day": "31", "date_of_birth_month": "2"},
            "Date of birth must be a real date: there is no 31 February 1990",
        ),
        (
            {"date_of_birth_day": "29", "date_of_birth_month": "2", "date_of_birth_year": "2001"},
            "Date of birth must be a real date: there is no 29 February 2001",
        ),
        ({"date_of_birth_year": "1850"}, "Check the year of your birth"),
        # Longer than Python converts to a number at all (4,300 digits): still a message.
        ({"date_of_birth_day": "0" * 5000}, "The day must be a number from 1 to 31"),
        ({"date_of_birth_month": "9" * 5000}, "The month must be a number from 1 to 12"),
        ({"date_of_birth_year": "0" * 4996 + "1990"}, "Enter the year of your birth as 4"),
        ({"date_of_birth_day": "0" * 4998 + "17"}, None),
    ],
)
def test_about_you_rejects_each_kind_of_bad_answer_with_its_own_message(client, change, message):
    response = client.post(START, {**ABOUT, **change})
    if message is None:  # leading zeros: the day is 17, as typed
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert any(error.startswith(message) for error in errors_on(response)), errors_on(response)
    assert len(errors_on(response)) == 1
    assert Consultation.objects.count() == 0


def test_a_date_of_birth_in_the_future_is_refused(client):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(START, {**ABOUT, **dob(tomorrow)})
    assert errors_on(response) == ["Date of birth must be in the past"]


def test_an_under_18_is_told_to_book_in_person(client):
    response = client.post(START, {**ABOUT, **dob(years_ago(18, days=1))})
    assert errors_on(response) == [
        "You must be 18 or over to use this online form. If you are under 18, please book "
        "an appointment in person at the clinic: call +65 6000 0000."
    ]
    assert Consultation.objects.count() == 0


def test_a_patient_who_turns_18_today_may_continue(client):
    post_ok(client, START, {**ABOUT, **dob(years_ago(18))}, to=SKIN)


def test_the_self_test_needs_every_answer_once_the_patient_uses_it(client):
    post_ok(client, START, ABOUT)
    answers = self_test(2)
    del answers["test_freckles"]
    response = client.post(SKIN, {"sebum": "normal", **answers})
    assert errors_on(response) == [
        "Answer question 4 of the self-test, or untick “Use my answers to these 10 questions”"
    ]
    page = response.content.decode()
    assert '<details class="intake-self-test mb-4" open>' in page
    assert re.search(r'name="test_eye_colour" value="2"[^>]*checked', page)


def test_a_skin_step_without_a_skin_type_asks_for_one(client):
    post_ok(client, START, ABOUT)
    response = client.post(SKIN, {"sebum": "normal"})
    assert errors_on(response) == [
        "Choose the description that fits your skin best, or answer the 10 questions under "
        "“Help me work it out”"
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"fitzpatrick_self_report": "7", "sebum": "oily"}, "Choose the description"),
        ({"fitzpatrick_self_report": "3", "sebum": "greasy"}, "Choose how your face looks"),
        ({**self_test(2), "test_hair_colour": "5", "sebum": "oily"}, "Answer question 2"),
    ],
)
def test_the_skin_step_refuses_unknown_choices(client, data, message):
    post_ok(client, START, ABOUT)
    response = client.post(SKIN, data)
    assert response.status_code == 200
    assert any(error.startswith(message) for error in errors_on(response)), errors_on(response)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"main_goal": ""}, "Choose the main thing you would like to improve"),
        ({"main_goal": "whiter_teeth"}, "Choose the main thing you would like to improve"),
        ({"other_goals": ["texture", "tattoo"]}, "Choose only from the goals listed"),
        ({"downtime_tolerance": "month"}, "Choose how much downtime would be acceptable to you"),
        ({"previous_treatments": "y" * 1001}, "Previous treatments must be 1000 characters"),
        ({"previous_treatments": "peel\x07"}, "Previous treatments contains characters"),
    ],
)
def test_the_goals_step_rejects_bad_answers_and_keeps_the_others(client, change, message):
    post_ok(client, START, ABOUT)
    post_ok(client, SKIN, SKIN_ANSWERS)
    response = client.post(GOALS, {**GOALS_ANSWERS, "previous_treatments": "A peel", **change})
    assert response.status_code == 200
    assert any(error.startswith(message) for error in errors_on(response)), errors_on(response)
    page = response.content.decode()
    assert re.search(r'value="few_days"[^>]*checked', page) or "downtime" in str(change)


def test_the_main_goal_comes_first_and_is_not_repeated_among_the_others(client):
    post_ok(client, START, ABOUT)
    post_ok(client, SKIN, SKIN_ANSWERS)
    post_ok(
        client,
        GOALS,
        {**GOALS_ANSWERS, "main_goal": "fine_lines", "other_goals": rules.GOALS},
    )
    consultation = Consultation.objects.get()
    assert consultation.goals == ["fine_lines", *(g for g in rules.GOALS if g != "fine_lines")]


def test_the_health_step_names_each_unanswered_question(client):
    fill_draft(client)
    answers = {**PAGE_ANSWERS[HEALTH]}
    del answers["steroid_or_bleaching_cream_last_6_months"]
    del answers["pregnant"]
    response = client.post(HEALTH, {**answers, "takes_other_medicines": "maybe"})
    assert errors_on(response) == [
        "Tell us if you are pregnant or trying to get pregnant",
        "Tell us if you have used a steroid cream or a skin-lightening cream on your face",
        "Tell us if you take any other medicines, vitamins or supplements",
    ]
    page = response.content.decode()
    assert re.search(r'name="systemic_gold_therapy_ever" value="no"[^>]*checked', page)


def test_a_yes_to_other_medicines_needs_their_names(client):
    fill_draft(client)
    response = client.post(HEALTH, {**HEALTH_ANSWERS, "takes_other_medicines": "yes"})
    assert errors_on(response) == ["Tell us which medicines, vitamins or supplements you take"]


def test_not_sure_about_pregnancy_counts_as_yes(client):
    consultation = fill_draft(client, health={**HEALTH_ANSWERS, "pregnant": "yes"})
    assert consultation.pregnant is True
    assert "Yes, or not sure" in client.get(CHECK).content.decode()
