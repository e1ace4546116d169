"""The patient intake: five steps, a server-side draft, save and resume, one submission."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations import rules
from consultations.consent import CONSENT_TEXT_VERSION
from consultations.fitzpatrick import ITEM_CODES
from consultations.models import (
    HEALTH_FIELDS,
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
    DecisionFactory,
    DraftConsultationFactory,
    PatientFactory,
    submitted,
)

pytestmark = pytest.mark.django_db

START = "/consultation/start/"
SKIN = "/consultation/skin/"
GOALS = "/consultation/goals/"
HEALTH = "/consultation/health/"
CHECK = "/consultation/check/"
SUBMIT = "/consultation/submit/"

ABOUT = {
    "first_name": "Mei",
    "last_name": "Tan",
    "date_of_birth_day": "17",
    "date_of_birth_month": "5",
    "date_of_birth_year": "1990",
    "email": "mei.tan@example.com",
    "phone": "+65 9123 4567",
}
SKIN_ANSWERS = {"fitzpatrick_self_report": "3", "sebum": "oily"}
GOALS_ANSWERS = {
    "main_goal": "pore_size",
    "other_goals": ["texture", "oiliness"],
    "downtime_tolerance": "few_days",
    "previous_treatments": "",
}
HEALTH_ANSWERS = {
    **dict.fromkeys(HEALTH_FIELDS, "no"),
    "takes_other_medicines": "no",
    "has_allergies": "no",
}
CONSENT = {"consent": "on", "declaration": "on"}


def self_test(score_each: int) -> dict[str, str]:
    """The self-test in use, every one of its 10 answers scored `score_each` (0-4)."""
    return {"self_test": "on", **{f"test_{code}": str(score_each) for code in ITEM_CODES}}


@pytest.fixture(autouse=True)
def _intake_settings(settings):
    settings.INTAKE_RATE_LIMIT = "100000/1m"
    settings.INTAKE_EMAIL_RATE_LIMIT = "100000/1m"
    settings.SITE_URL = "https://clinic.example"
    settings.PRACTITIONER_NOTIFY_EMAILS = ["practitioners@clinic.example"]


def post_ok(client: Client, url: str, data: dict, *, to: str | None = None):
    response = client.post(url, data)
    assert response.status_code == 302, errors_on(response)
    if to is not None:
        assert response["Location"] == to
    return response


def errors_on(response) -> list[str]:
    page = response.content.decode()
    return re.findall(r'<a class="alert-link" href="#[^"]+">([^<]+)</a>', page)


def fill_draft(client: Client, *, skin=None, goals=None, health=None) -> Consultation:
    """Answer steps 1-4 and return the draft."""
    post_ok(client, START, ABOUT, to=SKIN)
    post_ok(client, SKIN, SKIN_ANSWERS if skin is None else skin, to=GOALS)
    post_ok(client, GOALS, GOALS_ANSWERS if goals is None else goals, to=HEALTH)
    post_ok(client, HEALTH, HEALTH_ANSWERS if health is None else health, to=CHECK)
    return Consultation.objects.get(pk=client.session["intake_consultation_id"])


def submit(client: Client, **kwargs) -> Consultation:
    consultation = fill_draft(client, **kwargs)
    response = client.post(SUBMIT, CONSENT)
    assert response.status_code == 302, errors_on(response)
    consultation.refresh_from_db()
    assert response["Location"] == f"/c/{consultation.public_token}/submitted/"
    return consultation


def open_draft(client: Client, consultation: Consultation) -> None:
    """Let this browser carry on with the draft, as the resume link does."""
    session = client.session
    session["intake_consultation_id"] = consultation.pk
    session.save()


def years_ago(years: int, *, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day + datetime.timedelta(days=days)


def dob(day: datetime.date) -> dict[str, str]:
    return {
        "date_of_birth_day": str(day.day),
        "date_of_birth_month": str(day.month),
        "date_of_birth_year": str(day.year),
    }


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
    for number, url in enumerate((SKIN, GOALS, HEALTH, CHECK), start=2):
        page = client.get(url).content.decode()
        assert f"Step {number} of 5" in page
        assert f"<title>Step {number} of 5:" in page


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
    ],
)
def test_about_you_rejects_each_kind_of_bad_answer_with_its_own_message(client, change, message):
    response = client.post(START, {**ABOUT, **change})
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
        "an appointment in person at the clinic."
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
    answers = {**HEALTH_ANSWERS}
    del answers["melasma"]
    del answers["pregnant"]
    response = client.post(HEALTH, {**answers, "takes_other_medicines": "maybe"})
    assert errors_on(response) == [
        "Tell us if you are pregnant or trying to get pregnant",
        "Tell us if you have or might have melasma",
        "Tell us if you take any other medicines, vitamins or supplements",
    ]
    assert re.search(r'name="keloid_history" value="no"[^>]*checked', response.content.decode())


def test_a_yes_to_other_medicines_needs_their_names(client):
    fill_draft(client)
    response = client.post(HEALTH, {**HEALTH_ANSWERS, "takes_other_medicines": "yes"})
    assert errors_on(response) == ["Tell us which medicines, vitamins or supplements you take"]


def test_not_sure_about_pregnancy_counts_as_yes(client):
    consultation = fill_draft(client, health={**HEALTH_ANSWERS, "pregnant": "yes"})
    assert consultation.pregnant is True
    assert "Yes, or not sure" in client.get(CHECK).content.decode()


# --- Phototype: own pick, self-test, the darker of the two --------------------------------------


def test_the_self_test_works_out_the_type_and_says_so(client):
    consultation = fill_draft(client, skin={"sebum": "normal", **self_test(3)})
    # 10 answers scored 3: total 30, type V.
    assert consultation.fitzpatrick_score == 30
    assert consultation.fitzpatrick == 5
    assert consultation.fitzpatrick_self_report is None
    assert consultation.fitzpatrick_source == FitzpatrickSource.QUESTIONNAIRE
    assert consultation.fitzpatrick_test_answers["eye_colour"] == 3
    assert len(consultation.fitzpatrick_test_answers) == 10


@pytest.mark.parametrize(
    ("own", "each", "expected", "source"),
    [
        (2, 3, 5, FitzpatrickSource.QUESTIONNAIRE),  # the self-test's type is darker
        (6, 1, 6, FitzpatrickSource.SELF_REPORT),  # the patient's own pick is darker
        (3, 2, 3, FitzpatrickSource.QUESTIONNAIRE),  # they agree: the self-test was used
    ],
)
def test_when_the_own_pick_and_the_self_test_differ_the_darker_type_is_kept_and_named(
    client, own, each, expected, source
):
    consultation = fill_draft(
        client, skin={"fitzpatrick_self_report": str(own), "sebum": "normal", **self_test(each)}
    )
    assert consultation.fitzpatrick == expected
    assert consultation.fitzpatrick_self_report == own
    assert consultation.fitzpatrick_score == each * 10
    assert consultation.fitzpatrick_source == source


def test_the_source_follows_the_type_kept_when_the_patient_changes_their_own_pick(client):
    consultation = fill_draft(
        client, skin={"fitzpatrick_self_report": "6", "sebum": "normal", **self_test(1)}
    )
    assert (consultation.fitzpatrick, consultation.fitzpatrick_source) == (6, "self_report")
    post_ok(client, SKIN, {"fitzpatrick_self_report": "1", "sebum": "normal", **self_test(1)})
    consultation.refresh_from_db()
    # Both give type II now (score 10); the self-test's type is the one used.
    assert (consultation.fitzpatrick, consultation.fitzpatrick_source) == (2, "questionnaire")
    assert (consultation.fitzpatrick_self_report, consultation.fitzpatrick_score) == (1, 10)


# --- The self-test's sun question pre-answers "recent tan" (R09) --------------------------------

TAN_NOTE = "We have chosen “Yes” for you because in the skin type questions you said"


@pytest.mark.parametrize("exposure", ["3", "4"])  # less than a month / less than 2 weeks ago
def test_sun_in_the_last_month_in_the_self_test_pre_answers_recent_tan_yes(client, exposure):
    post_ok(client, START, ABOUT)
    post_ok(client, SKIN, {"sebum": "normal", **self_test(2), "test_last_exposure": exposure})
    page = client.get(HEALTH).content.decode()
    assert re.search(r'name="recent_tan" value="yes"[^>]*checked', page)
    assert TAN_NOTE in page
    # Only that question: the others are still to answer.
    assert not re.search(r'name="melasma" value="(yes|no)"[^>]*checked', page)


def test_the_patient_can_change_a_pre_answered_recent_tan_to_no(client):
    post_ok(client, START, ABOUT)
    post_ok(client, SKIN, {"sebum": "normal", **self_test(2), "test_last_exposure": "4"})
    post_ok(client, GOALS, GOALS_ANSWERS)
    post_ok(client, HEALTH, {**HEALTH_ANSWERS, "recent_tan": "no"}, to=CHECK)
    assert Consultation.objects.get().recent_tan is False
    page = client.get(HEALTH).content.decode()
    assert re.search(r'name="recent_tan" value="no"[^>]*checked', page)
    assert TAN_NOTE not in page


@pytest.mark.parametrize(
    "skin",
    [
        {"sebum": "normal", **self_test(2), "test_last_exposure": "2"},  # 1 to 2 months ago
        {**SKIN_ANSWERS, **{k: v for k, v in self_test(4).items() if k != "self_test"}},
        SKIN_ANSWERS,
    ],
    ids=["sun-months-ago", "self-test-not-used", "no-self-test"],
)
def test_recent_tan_is_left_for_the_patient_without_recent_sun_in_the_self_test(client, skin):
    post_ok(client, START, ABOUT)
    post_ok(client, SKIN, skin)
    page = client.get(HEALTH).content.decode()
    assert not re.search(r'name="recent_tan" value="(yes|no)"[^>]*checked', page)
    assert TAN_NOTE not in page


def test_switching_back_to_picking_a_type_clears_the_self_test(client):
    consultation = fill_draft(
        client, skin={"fitzpatrick_self_report": "2", "sebum": "normal", **self_test(3)}
    )
    assert consultation.fitzpatrick == 5
    # The radio buttons stay ticked in the browser; the unticked box is what counts.
    answers = {k: v for k, v in self_test(3).items() if k != "self_test"}
    post_ok(client, SKIN, {"fitzpatrick_self_report": "2", "sebum": "normal", **answers})
    consultation.refresh_from_db()
    assert consultation.fitzpatrick == 2
    assert consultation.fitzpatrick_score is None
    assert consultation.fitzpatrick_test_answers == {}
    assert consultation.fitzpatrick_source == FitzpatrickSource.SELF_REPORT
    assert "Result of the 10-question self-test" not in client.get(CHECK).content.decode()


def test_answering_no_to_a_follow_up_question_clears_its_answer(client):
    consultation = fill_draft(
        client,
        health={
            **HEALTH_ANSWERS,
            "takes_other_medicines": "yes",
            "other_medicines": "Doxycycline 100 mg",
            "has_allergies": "yes",
            "allergies": "Penicillin: rash",
        },
    )
    assert consultation.other_medicines == "Doxycycline 100 mg"
    post_ok(
        client,
        HEALTH,
        {
            **HEALTH_ANSWERS,
            "other_medicines": "Doxycycline 100 mg",
            "allergies": "Penicillin: rash",
        },
    )
    consultation.refresh_from_db()
    assert consultation.other_medicines == ""
    assert consultation.allergies == ""
    page = client.get(HEALTH).content.decode()
    assert re.search(r'name="takes_other_medicines" value="no"[^>]*checked', page)


# --- Check your answers, consent, submission ----------------------------------------------------


def test_check_your_answers_shows_every_answer_grouped_with_change_links(client):
    fill_draft(
        client,
        health={**HEALTH_ANSWERS, "has_allergies": "yes", "allergies": "Plasters <tape>"},
    )
    page = client.get(CHECK).content.decode()
    for title, url in (
        ("About you", START),
        ("Your skin", SKIN),
        ("Your goals", GOALS),
        ("Health and medicines", HEALTH),
    ):
        assert f">{title}</h2>" in page
        assert f'href="{url}?return=check">Change' in page
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
    assert "Consent text version 2026.1" in page


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
    assert f'href="{GOALS}">Your goals' in page and f'href="{HEALTH}">Health' in page
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


# --- Partial saves: "back" and "save and continue later" ---------------------------------------


def test_a_yes_to_other_medicines_with_nothing_typed_is_still_yes_after_back(client):
    fill_draft(client)
    data = {**HEALTH_ANSWERS, "takes_other_medicines": "yes", "has_allergies": "yes"}
    post_ok(client, HEALTH, {**data, "action": "back"}, to=GOALS)

    page = client.get(HEALTH).content.decode()
    assert re.search(r'name="takes_other_medicines" value="yes"[^>]*checked', page)
    assert re.search(r'name="has_allergies" value="yes"[^>]*checked', page)
    assert not re.search(r'name="takes_other_medicines" value="no"[^>]*checked', page)
    # Not an answer of "none": the step waits for the names.
    check = client.get(CHECK).content.decode()
    assert "Some questions are not answered yet" in check
    assert f'href="{HEALTH}">Health and medicines' in check
    assert client.post(SUBMIT, CONSENT)["Location"] == CHECK
    assert Consultation.objects.get().status == ConsultationStatus.DRAFT


def test_naming_the_medicines_later_completes_the_step(client):
    fill_draft(client)
    post_ok(client, HEALTH, {**HEALTH_ANSWERS, "takes_other_medicines": "yes", "action": "back"})
    post_ok(
        client,
        HEALTH,
        {**HEALTH_ANSWERS, "takes_other_medicines": "yes", "other_medicines": "Metformin"},
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
    data = {"pregnant": "no", "takes_other_medicines": "no", "has_allergies": "yes"}
    post_ok(client, HEALTH, {**data, "action": "back"}, to=GOALS)
    page = client.get(HEALTH).content.decode()
    assert re.search(r'name="takes_other_medicines" value="no"[^>]*checked', page)
    assert re.search(r'name="has_allergies" value="yes"[^>]*checked', page)


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
    assert not re.search(r'name="has_allergies" value="(yes|no)"[^>]*checked', page)
    # Still waiting for the names: the check page sends the patient back to the health step.
    assert f'href="{HEALTH}">Health and medicines' in fresh.get(CHECK).content.decode()


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


def save_for_later(client: Client, url: str, data: dict, mailoutbox) -> str:
    response = client.post(url, {**data, "action": "save"})
    assert response.status_code == 302 and response["Location"] == "/consultation/saved/"
    link = re.search(r"https://clinic\.example(/consultation/resume/[^/\s]+/)", mailoutbox[-1].body)
    return link[1]


def follow_resume_link(client: Client, link: str):
    """Open the emailed link (a page that only asks), then press "Continue my answers"."""
    page = client.get(link)
    assert page.status_code == 200
    assert "Continue my answers" in page.content.decode()
    return client.post(link)


def test_save_and_continue_later_emails_a_link_that_restores_the_draft(client, mailoutbox):
    post_ok(client, START, ABOUT)
    post_ok(client, SKIN, SKIN_ANSWERS)
    half = {k: v for k, v in HEALTH_ANSWERS.items() if k in HEALTH_FIELDS[:5]}
    post_ok(client, GOALS, GOALS_ANSWERS)
    link = save_for_later(client, HEALTH, half, mailoutbox)
    consultation = Consultation.objects.get()
    assert mailoutbox[-1].to == ["mei.tan@example.com"]
    assert consultation.pregnant is False and consultation.melasma is None
    # This browser lets go of the draft.
    assert client.get(HEALTH)["Location"] == START

    fresh = Client()
    response = follow_resume_link(fresh, link)
    assert response.status_code == 302 and response["Location"] == HEALTH
    page = fresh.get(HEALTH).content.decode()
    assert re.search(r'name="pregnant" value="no"[^>]*checked', page)
    assert not re.search(r'name="melasma" value="no"[^>]*checked', page)
    assert "Welcome back" in page
    post_ok(fresh, HEALTH, HEALTH_ANSWERS, to=CHECK)
    assert fresh.post(SUBMIT, CONSENT).status_code == 302
    assert Consultation.objects.get().status == ConsultationStatus.SUBMITTED


def test_check_your_answers_can_also_be_saved_for_later(client, mailoutbox):
    fill_draft(client)
    response = client.post(SUBMIT, {"action": "save"})
    assert response["Location"] == "/consultation/saved/"
    link = re.search(r"https://clinic\.example(/consultation/resume/[^/\s]+/)", mailoutbox[0].body)
    assert follow_resume_link(Client(), link[1])["Location"] == CHECK


def test_the_saved_page_says_where_the_link_went(client, mailoutbox):
    response = client.post(START, {**ABOUT, "action": "save"}, follow=True)
    page = response.content.decode()
    assert "We have emailed you a private link" in page and "7 days" in page
    assert len(mailoutbox) == 1


def test_a_resume_link_carries_only_the_token_and_the_email_no_answers(client, mailoutbox):
    post_ok(client, START, ABOUT)
    link = save_for_later(client, SKIN, SKIN_ANSWERS, mailoutbox)
    consultation = Consultation.objects.get()
    assert link.split("/")[3].split(":")[0] == consultation.public_token
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
        lambda signed: "A" + signed[1:],
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
    post_ok(fresh, HEALTH, HEALTH_ANSWERS)
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


# --- Status page and emails ---------------------------------------------------------------------


def test_the_status_page_says_awaiting_review_until_a_practitioner_decides(client):
    consultation = submitted()
    page = client.get(f"/c/{consultation.public_token}/").content.decode()
    assert "Awaiting review" in page
    assert consultation.reference in page
    output = consultation.latest_evaluation.output
    assert output["primary"] not in page
    for flag in output["flags"]:
        assert flag["code"] not in page and flag["message"] not in page


def test_the_status_page_shows_the_outcome_with_the_current_decision(client):
    decision = DecisionFactory()
    consultation = decision.consultation
    Consultation.objects.filter(pk=consultation.pk).update(
        status=ConsultationStatus.DECIDED, decided_at=timezone.now()
    )
    response = client.get(f"/c/{consultation.public_token}/")
    assert response.status_code == 200
    assert response.context["decision"] == decision
    assert "Awaiting review" not in response.content.decode()
    assert "intake/_status_outcome.html" in [t.name for t in response.templates]


def test_the_status_page_links_to_the_patients_copy_of_their_answers(client):
    consultation = submitted()
    page = client.get(f"/c/{consultation.public_token}/").content.decode()
    copy = f"/c/{consultation.public_token}/my-answers/"
    assert f'<a href="{copy}">See a copy of your answers</a>' in page
    assert client.get(copy).status_code == 200


def test_the_status_page_shows_the_amended_decision_not_the_first_one(client):
    first = DecisionFactory(outcome="declined", treatment="", reason_code="clinical_judgement")
    consultation = first.consultation
    amended = DecisionFactory(
        evaluation=first.evaluation,
        supersedes=first,
        amendment_reason="Seen again after the rash healed.",
        outcome="accepted",
    )
    Consultation.objects.filter(pk=consultation.pk).update(
        status=ConsultationStatus.DECIDED, decided_at=timezone.now()
    )
    response = client.get(f"/c/{consultation.public_token}/")
    assert response.context["decision"] == amended
    assert "They do not recommend starting" not in response.content.decode()


def test_the_status_page_of_a_draft_or_an_unknown_token_is_not_found(client):
    draft = DraftConsultationFactory()
    assert client.get(f"/c/{draft.public_token}/").status_code == 404
    assert client.get("/c/not-a-real-token/").status_code == 404
    assert client.get(f"/c/{draft.public_token}/submitted/").status_code == 404


def test_the_status_page_uses_a_fixed_number_of_queries(client):
    decision = DecisionFactory()
    consultation = decision.consultation
    Consultation.objects.filter(pk=consultation.pk).update(
        status=ConsultationStatus.DECIDED, decided_at=timezone.now()
    )
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/c/{consultation.public_token}/").status_code == 200
    # The consultation, and its current decision in one query.
    assert len(queries) == 2


def test_the_emails_carry_the_reference_and_links_and_none_of_the_answers(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        consultation = submit(
            client,
            health={
                **HEALTH_ANSWERS,
                "pregnant": "yes",
                "takes_other_medicines": "yes",
                "other_medicines": "Doxycycline",
            },
        )
    patient_mail, staff_mail = mailoutbox
    assert patient_mail.to == ["mei.tan@example.com"]
    assert consultation.reference in patient_mail.subject
    assert consultation.reference in patient_mail.body
    assert f"https://clinic.example/c/{consultation.public_token}/" in patient_mail.body
    assert staff_mail.to == ["practitioners@clinic.example"]
    assert consultation.reference in staff_mail.body
    staff_link = "https://clinic.example" + reverse(
        "review:detail", kwargs={"reference": consultation.reference}
    )
    assert staff_link in staff_mail.body
    assert consultation.public_token not in staff_mail.body
    for mail in mailoutbox:
        text = mail.subject + mail.body
        for answer in (
            "Mei",
            "Tan",
            "1990",
            "9123",
            "mei.tan",
            "Doxycycline",
            "pregnan",
            "oily",
            "pore",
            "Type III",
            "few days",
        ):
            assert answer.lower() not in text.lower(), answer


def test_no_practitioner_email_when_nobody_is_set_to_receive_it(
    client, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.PRACTITIONER_NOTIFY_EMAILS = []
    with django_capture_on_commit_callbacks(execute=True):
        submit(client)
    assert [mail.to for mail in mailoutbox] == [["mei.tan@example.com"]]


# --- Query counts -------------------------------------------------------------------------------


def page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


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
