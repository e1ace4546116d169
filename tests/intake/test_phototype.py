"""The skin type: the patient's own pick, the self-test, the darker of the two, and the
recent-tan screen."""

from __future__ import annotations

import re

import pytest

from consultations.models import (
    Consultation,
    FitzpatrickSource,
)
from tests.intake.steps import (
    ABOUT,
    CHECK,
    GOALS,
    GOALS_ANSWERS,
    HEALTH,
    HEALTH_ANSWERS,
    SKIN,
    SKIN_ANSWERS,
    SKIN_NOW,
    START,
    TAN_NOTE,
    answer_health,
    fill_draft,
    post_ok,
    self_test,
)

pytestmark = pytest.mark.django_db


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


@pytest.mark.parametrize("exposure", ["3", "4"])  # less than a month / less than 2 weeks ago
def test_sun_in_the_last_month_in_the_self_test_pre_answers_recent_tan_yes(client, exposure):
    post_ok(client, START, ABOUT)
    post_ok(client, SKIN, {"sebum": "normal", **self_test(2), "test_last_exposure": exposure})
    page = client.get(SKIN_NOW).content.decode()
    assert re.search(r'name="recent_tan" value="yes"[^>]*checked', page)
    assert TAN_NOTE in page
    # Only that question: the others are still to answer.
    assert not re.search(r'name="melasma" value="(yes|no)"[^>]*checked', page)


def test_the_patient_can_change_a_pre_answered_recent_tan_to_no(client):
    post_ok(client, START, ABOUT)
    post_ok(client, SKIN, {"sebum": "normal", **self_test(2), "test_last_exposure": "4"})
    post_ok(client, GOALS, GOALS_ANSWERS)
    answer_health(client, {**HEALTH_ANSWERS, "recent_tan": "no"})
    assert Consultation.objects.get().recent_tan is False
    page = client.get(SKIN_NOW).content.decode()
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
    page = client.get(SKIN_NOW).content.decode()
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
    # "No" to each question, the old text still in the (hidden) boxes.
    answer_health(
        client,
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
