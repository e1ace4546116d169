"""Answers no honest form sends: consent said with "off", names with hidden characters."""

from __future__ import annotations

import pytest

from consultations.models import Consultation, ConsultationStatus, Patient
from tests.intake.steps import ABOUT, START, SUBMIT, errors_on, fill_draft, post_ok

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
