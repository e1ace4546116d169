"""Follow-ups after a session (day 2, day 14): how the skin is doing, and red flags that tell
the patient what to do now and reach the practitioners."""

from __future__ import annotations

import re

import pytest

from consultations.models import CheckIn, CheckInKind
from tests.course.checkins import follow_up, follow_up_body, on_tablet, url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", [CheckInKind.DAY_2, CheckInKind.DAY_14])
def test_the_follow_up_asks_how_the_skin_is_doing(client, kind):
    check_in = follow_up(kind)
    html = client.get(url(check_in)).content.decode()
    assert "Has your skin been red since the session? If so, for how long?" in html
    assert "How happy are you with this session, from 0 (not at all) to 10" in html
    assert "How do your pores look now" in html
    assert "Are you pregnant" not in html  # the pre-session questions are another form


def test_answers_without_a_red_flag_are_stored_and_thanked(client):
    check_in = follow_up()
    response = client.post(url(check_in), follow_up_body(satisfaction="0", pores_now="same"))
    assert response.status_code == 302
    check_in.refresh_from_db()
    assert check_in.answered_at is not None
    assert (check_in.redness, check_in.satisfaction, check_in.pores_now) == (
        "under_1_day",
        0,
        "same",
    )
    assert check_in.swelling is False and check_in.red_flag is False
    page = client.get(url(check_in)).content.decode()
    assert "Thank you" in page
    assert "Please call the clinic today" not in page


@pytest.mark.parametrize(
    "answer",
    [
        {"blisters_or_crusts": "yes"},
        {"infection_signs": "yes"},
        {"dark_patches": "spreading"},
    ],
)
def test_a_red_flag_answer_shows_the_phone_and_what_to_do_now(client, answer):
    check_in = follow_up()
    response = client.post(url(check_in), follow_up_body(**answer), follow=True)
    html = response.content.decode()
    assert "Please call the clinic today" in html
    assert 'href="tel:' in html
    assert "Do not pick, scratch or pop" in html
    assert "A&amp;E" in html
    check_in.refresh_from_db()
    assert check_in.red_flag is True
    assert check_in.red_flag_handled_at is None


def test_some_dark_patches_that_are_not_growing_are_not_a_red_flag(client):
    check_in = follow_up()
    client.post(url(check_in), follow_up_body(dark_patches="some", swelling="yes"))
    check_in.refresh_from_db()
    assert check_in.red_flag is False


def test_a_double_submit_keeps_the_first_answers(client):
    check_in = follow_up()
    client.post(url(check_in), follow_up_body(blisters_or_crusts="yes"))
    client.post(url(check_in), follow_up_body())
    check_in.refresh_from_db()
    assert check_in.red_flag is True and check_in.blisters_or_crusts is True


# --- Hostile bodies: a clear message per field, never a 500, nothing stored


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"satisfaction": "11"},
        {"satisfaction": "-1"},
        {"satisfaction": "9" * 5000},
        {"redness": "purple"},
        {"swelling": "on", "breakouts": "1", "blisters_or_crusts": "true"},
        {"dark_patches": ["none", "spreading"]},
        {"pores_now": "\x00"},
        {"redness": "x" * 500_000},
    ],
)
def test_hostile_follow_up_bodies_get_messages_and_store_nothing(client, body):
    check_in = follow_up()
    response = client.post(url(check_in), body)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    check_in.refresh_from_db()
    assert check_in.answered_at is None


def test_a_wrong_choice_is_named_and_the_other_answers_are_kept(client):
    check_in = follow_up()
    response = client.post(url(check_in), follow_up_body(satisfaction="eleven"))
    html = response.content.decode()
    assert "Choose a number from 0 to 10" in html
    assert html.count("There is a problem") == 1
    # The answers already given are still ticked.
    assert re.search(r'<input[^>]*value="under_1_day"[^>]*checked', html)
    assert re.search(r'<input[^>]*value="better"[^>]*checked', html)


def test_the_tablet_at_the_clinic_is_recorded_as_the_source(client):
    check_in = follow_up()
    on_tablet(client, check_in)
    client.post(url(check_in), follow_up_body())
    assert CheckIn.objects.get(pk=check_in.pk).source == "clinic_tablet"
    other = follow_up(CheckInKind.DAY_14)
    # A patient cannot say so themselves.
    client.post(url(other, source="clinic_tablet"), follow_up_body())
    assert CheckIn.objects.get(pk=other.pk).source == "patient_link"


def test_check_in_posts_count_against_the_intake_rate_limit(client, settings):
    settings.INTAKE_RATE_LIMIT = "2/10m"
    check_in = follow_up()
    assert client.post(url(check_in), {}).status_code == 200
    assert client.post(url(check_in), {}).status_code == 200
    response = client.post(url(check_in), follow_up_body())
    assert response.status_code == 429
    assert "Please try again later" in response.content.decode()
    check_in.refresh_from_db()
    assert check_in.answered_at is None
