"""The patient's own copy of their answers, through their private link."""

from __future__ import annotations

import pytest
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import escape

from consultations import rules
from consultations.fitzpatrick import ITEM_CODES
from consultations.presenters import patient_sections
from consultations.services.corrections import correction_apply
from tests.factories import (
    ConsentFactory,
    DraftConsultationFactory,
    PractitionerFactory,
    flagged_decision,
    submitted,
)

pytestmark = pytest.mark.django_db


def copy_url(consultation) -> str:
    return reverse("intake:patient_copy", args=[consultation.public_token])


# --- The patient's copy -----------------------------------------------------------------------


def test_the_patient_sees_every_answer_their_details_and_consent(client):
    consultation = flagged_decision()
    consent = consultation.consents.get()
    page = client.get(copy_url(consultation)).content.decode()
    patient = consultation.patient
    for text in (
        patient.full_name,
        patient.email,
        "17 May 1990",
        "Are you pregnant, or trying to get pregnant?",
        "Have you ever had cold sores?",
        '<th scope="row">Main goal</th><td>Smaller-looking pores</td>',
        '<th scope="row">Anything else</th><td>Smoother skin texture</td>',
        "Type III: light or olive skin. I sometimes burn and tan slowly to a light brown.",
        "Peanuts",
        f"(version {consent.text_version})",
    ):
        assert text in page, text
    # Every yes/no health question the rules read, each answered.
    yes_no = page.count("<td>No</td>") + page.count("<td>Yes</td>")
    assert yes_no == len(rules.BOOLEAN_FIELDS)


def test_the_patients_copy_asks_the_questions_in_the_words_of_the_questionnaire(client):
    consultation = submitted(
        fitzpatrick=5,
        fitzpatrick_source="questionnaire",
        fitzpatrick_self_report=2,
        fitzpatrick_score=30,
        fitzpatrick_test_answers=dict.fromkeys(ITEM_CODES, 3),
        sebum="oily",
        goals=["acne_scars", "pore_size"],
        downtime_tolerance="few_days",
        pregnant=True,
        other_medicines="Metformin",
    )
    copy = client.get(copy_url(consultation)).content.decode()
    check_page_rows = [row for section in patient_sections(consultation) for row in section.rows]
    for row in check_page_rows:
        assert f'<th scope="row">{escape(row.label)}</th><td>{linebreaksbr(row.value)}</td>' in copy
    for text in (
        "Which description fits your skin best?",
        "Type II: fair skin. I usually burn and tan only a little.",
        "Type V (score 30 out of 40)",
        "we use the darker type to keep you safe",
        "Oily: my forehead, nose and chin look shiny within a few hours",
        "A few days of redness or flaking is fine",
        "Metformin",
    ):
        assert escape(text) in copy, text
    assert "<td>Yes, or not sure</td>" in copy  # pregnant, as the question's own "yes"
    # Not the clinical terms staff read.
    assert "Pregnant or trying to conceive" not in copy
    assert "Sebum" not in copy


def test_the_patient_never_sees_the_rules_output_or_staff_notes(client):
    consultation = flagged_decision()
    page = client.get(copy_url(consultation)).content.decode()
    output = consultation.latest_evaluation.output
    for flag in output["flags"]:
        assert flag["message"] not in page
        assert flag["code"] not in page
    for suggestion in output["suggestions"]:
        for reason in suggestion["reasons"]:
            assert reason["text"] not in page
    assert "Wants the gentlest option" not in page
    assert "Patient preference" not in page
    assert "Microdermabrasion" not in page  # the decision's treatment
    assert "short suction dwell time" not in page


@pytest.mark.parametrize(
    ("own_pick", "expected"),
    [
        (None, "Type II: fair"),  # no recorded own pick: the stored type before correction
        (2, "Type II: fair skin. I usually burn and tan only a little."),
    ],
)
def test_the_patients_copy_shows_what_they_answered_not_a_practitioners_correction(
    client, own_pick, expected
):
    consultation = submitted(fitzpatrick=2, fitzpatrick_self_report=own_pick)
    correction_apply(
        consultation=consultation,
        user=PractitionerFactory(),
        lock_version=consultation.lock_version,
        changes={"fitzpatrick": 5},
    )
    page = client.get(copy_url(consultation)).content.decode()
    assert expected in page
    assert "Type V" not in page


def test_another_consultations_link_shows_only_that_ones_answers(client):
    mine = submitted(allergies="Peanuts", goals=["acne_scars"])
    theirs = submitted(allergies="Latex", goals=["fine_lines"])
    ConsentFactory(consultation=theirs, text_version="2026.2")
    page = client.get(copy_url(theirs)).content.decode()
    assert "Latex" in page and "Fine lines" in page
    assert theirs.patient.email in page
    assert "Peanuts" not in page and "Acne scars" not in page
    assert mine.patient.email not in page
    assert mine.reference not in page
    assert "(version 2026.2)" in page  # the latest consent text they agreed to


def test_a_wrong_token_or_a_draft_is_not_found(client):
    submitted()
    assert client.get(reverse("intake:patient_copy", args=["not-a-token"])).status_code == 404
    assert client.get(copy_url(DraftConsultationFactory())).status_code == 404
