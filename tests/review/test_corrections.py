"""Correcting answers after examination: who changed what, a new evaluation, the old one kept."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from consultations import rules
from consultations.models import (
    AccessLog,
    AnswerCorrection,
    Consultation,
    Evaluation,
    EvaluationTrigger,
)
from tests.factories import decided, submitted
from tests.review.pages import sent_back

pytestmark = pytest.mark.django_db


def correct_url(consultation: Consultation) -> str:
    return reverse("review:correct", kwargs={"reference": consultation.reference})


def form_data(consultation: Consultation, **changes) -> dict:
    """The correction form as posted: current answers (ticked booleans) plus the changes."""
    consultation.refresh_from_db()
    note = changes.pop("note", "")
    answers = {
        "fitzpatrick": consultation.fitzpatrick,
        "sebum": consultation.sebum,
        **{field: getattr(consultation, field) for field in rules.BOOLEAN_FIELDS},
    }
    answers.update(changes)
    data = {
        "lock_version": consultation.lock_version,
        "evaluation": consultation.latest_evaluation_id,
        "note": note,
    }
    for field, value in answers.items():
        if isinstance(value, bool):
            if value:
                data[field] = "on"
        else:
            data[field] = value
    return data


def test_the_form_is_prefilled_with_the_current_answers(client, practitioner):
    consultation = submitted(fitzpatrick=4, sebum="oily", melasma=True)
    form = client.get(correct_url(consultation)).context["form"]
    assert form["fitzpatrick"].value() == 4
    assert form["sebum"].value() == "oily"
    assert form["melasma"].value() is True
    assert form["pregnant"].value() is False


def test_a_correction_creates_a_new_evaluation_and_a_change_record(client, practitioner):
    consultation = submitted(fitzpatrick=3, fitzpatrick_source="self_report")
    first = consultation.latest_evaluation
    first_output, first_answers = first.output, first.answers

    response = client.post(
        correct_url(consultation),
        form_data(consultation, fitzpatrick=5, note="Darker on examination"),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "review:detail", kwargs={"reference": consultation.reference}
    )
    consultation.refresh_from_db()
    assert consultation.fitzpatrick == 5
    assert consultation.fitzpatrick_source == "practitioner"
    assert consultation.lock_version == 1

    second = consultation.latest_evaluation
    assert second.pk != first.pk
    assert second.trigger == EvaluationTrigger.CORRECTION
    assert second.created_by == practitioner
    assert second.answers["fitzpatrick"] == 5
    assert "PIH_RISK" in [flag["code"] for flag in second.output["flags"]]

    first.refresh_from_db()  # the earlier evaluation is kept exactly as it was
    assert first.output == first_output
    assert first.answers == first_answers
    assert Evaluation.objects.filter(consultation=consultation).count() == 2

    changes = {c.field: c for c in AnswerCorrection.objects.filter(consultation=consultation)}
    assert set(changes) == {"fitzpatrick", "fitzpatrick_source"}
    fitzpatrick = changes["fitzpatrick"]
    assert (fitzpatrick.old_value, fitzpatrick.new_value) == (3, 5)
    assert fitzpatrick.corrected_by == practitioner
    assert fitzpatrick.evaluation == second
    assert fitzpatrick.note == "Darker on examination"
    assert fitzpatrick.corrected_at is not None
    assert (changes["fitzpatrick_source"].old_value, changes["fitzpatrick_source"].new_value) == (
        "self_report",
        "practitioner",
    )


def test_oiliness_and_boolean_answers_can_be_corrected(client, practitioner):
    consultation = submitted(sebum="normal", melasma=False, recent_tan=True)
    client.post(
        correct_url(consultation),
        form_data(consultation, sebum="very_oily", melasma=True, recent_tan=False),
    )
    consultation.refresh_from_db()
    assert (consultation.sebum, consultation.melasma, consultation.recent_tan) == (
        "very_oily",
        True,
        False,
    )
    corrected = set(
        AnswerCorrection.objects.filter(consultation=consultation).values_list("field", flat=True)
    )
    assert corrected == {"sebum", "melasma", "recent_tan"}
    assert consultation.fitzpatrick_source == "self_report"  # phototype untouched
    assert "MELASMA" in [f["code"] for f in consultation.latest_evaluation.output["flags"]]


def test_a_correction_is_logged(client, practitioner):
    consultation = submitted()
    client.post(correct_url(consultation), form_data(consultation, sebum="oily"))
    log = AccessLog.objects.get(action=AccessLog.Action.CORRECT)
    assert log.user == practitioner
    assert log.consultation == consultation
    assert log.detail == "corrected sebum"


def test_the_detail_page_shows_the_correction_and_the_earlier_evaluation(client, practitioner):
    consultation = submitted(fitzpatrick=2)
    response = client.post(
        correct_url(consultation), form_data(consultation, fitzpatrick=6), follow=True
    )
    page = html.unescape(response.content.decode())
    assert "Answers corrected and the rules ran again." in page
    assert "Corrected from Type II" in page
    assert "Fitzpatrick phototype: Type II → Type VI" in page
    assert "What the rules said then" in page


def test_a_correction_that_changes_nothing_is_refused(client, practitioner):
    consultation = submitted()
    response = client.post(correct_url(consultation), form_data(consultation))
    assert response.status_code == 200
    assert "No answer was changed." in response.content.decode()
    assert consultation.evaluations.count() == 1
    assert not AnswerCorrection.objects.exists()


def test_a_correction_on_an_outdated_form_is_refused_and_keeps_what_was_typed(client, practitioner):
    consultation = submitted(fitzpatrick=3)
    stale = form_data(consultation, fitzpatrick=4, note="Seen in daylight")
    client.post(correct_url(consultation), form_data(consultation, sebum="oily"))

    response = sent_back(
        client, client.post(correct_url(consultation), stale), consultation, "review:correct"
    )

    page = html.unescape(response.content.decode())
    assert "Nothing was saved: answers were corrected after you opened this consultation" in page
    assert "Corrected: Sebum (oiliness): Normal → Oily (by " in page
    form = response.context["form"]
    assert str(form["fitzpatrick"].value()) == "4"
    assert form["note"].value() == "Seen in daylight"
    assert form["lock_version"].value() == 1
    consultation.refresh_from_db()
    assert consultation.fitzpatrick == 3
    assert consultation.evaluations.count() == 2


def test_corrections_are_refused_once_the_consultation_is_decided(client, practitioner):
    consultation = decided()
    response = client.get(correct_url(consultation), follow=True)
    assert "can no longer be corrected" in response.content.decode()
    response = client.post(correct_url(consultation), form_data(consultation, sebum="oily"))
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.sebum == "normal"
    assert not AnswerCorrection.objects.exists()
