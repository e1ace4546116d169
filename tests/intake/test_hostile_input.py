"""Answers no honest form sends: consent said with "off", names with hidden characters."""

from __future__ import annotations

import pytest

from consultations.models import Consultation, ConsultationStatus, Patient
from tests.intake.steps import (
    ABOUT,
    GOALS,
    GOALS_ANSWERS,
    SKIN,
    SKIN_ANSWERS,
    START,
    SUBMIT,
    errors_on,
    fill_draft,
    post_ok,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("said", ["off", "0", "no", "false", "", "yes please"])
def test_consent_is_only_a_real_tick(client, said):
    fill_draft(client)
    response = client.post(SUBMIT, {"consent": said, "declaration": said})
    assert response.status_code == 200
    assert "Tick the box to agree to how we use your answers" in errors_on(response)
    assert Consultation.objects.get().status == ConsultationStatus.DRAFT


def test_a_ticked_box_is_consent(client):
    fill_draft(client)
    assert client.post(SUBMIT, {"consent": "on", "declaration": "on"}).status_code == 302
    assert Consultation.objects.get().status == ConsultationStatus.SUBMITTED


@pytest.mark.parametrize(
    "name",
    [
        "Mei\u202eRahman",  # right-to-left override: shows as "Mei" + "namhaR"
        "Mei\u200bRahman",  # zero-width space
        "Mei\u2066Rahman\u2069",  # isolates
        "\u3164",  # Hangul filler: a "letter" that draws nothing
        "Mei\ufeff",  # byte order mark
        "Mei\u2028Rahman",  # line separator
        "\u200d",  # a joiner on its own: a name that shows as nothing
        "Mei\u200c",  # a joiner with nothing to join on one side
        "Mei \u200dRahman",
        "Mei\u200d\u200dRahman",
    ],
)
def test_names_with_hidden_or_reordering_characters_are_refused_clearly(client, name):
    response = client.post(START, {**ABOUT, "first_name": name})
    assert response.status_code == 200
    assert errors_on(response) == [
        "First name contains hidden characters that change how text is shown, such as "
        "right-to-left marks or invisible spaces. Please type it again without copying and "
        "pasting."
    ]
    assert not Patient.objects.exists()


@pytest.mark.parametrize("name", ["Nguyễn", "Siti Nur’Aisyah", "அருண்", "陈美玲", "O'Brien-Smith"])
def test_names_in_any_script_are_welcome(client, name):
    post_ok(client, START, {**ABOUT, "first_name": name})
    assert Patient.objects.get().first_name == name


@pytest.mark.parametrize(
    "name",
    [
        "\u0639\u0644\u06cc\u200c\u0631\u0636\u0627",  # Persian "Alireza": a non-joiner
        "\u0dc1\u0dca\u200d\u0dbb\u0dd3",  # Sinhala "Sri": a joiner makes the conjunct
        "\u0915\u094d\u200d\u0937",  # Devanagari half form
    ],
)
def test_names_that_need_a_zero_width_joiner_or_non_joiner_are_welcome(client, name):
    post_ok(client, START, {**ABOUT, "first_name": name})
    assert Patient.objects.get().first_name == name


def test_free_text_keeps_emoji_made_with_joiners(client):
    post_ok(client, START, ABOUT)
    post_ok(client, SKIN, SKIN_ANSWERS)
    said = "Peel at the \U0001f469\u200d\u2695\ufe0f clinic, \U0001f44d\U0001f3fd"
    post_ok(client, GOALS, {**GOALS_ANSWERS, "previous_treatments": said})
    assert Consultation.objects.get().previous_treatments == said
