"""A form that meets a changed consultation: nothing saved, one message naming what happened,
what was typed kept once, and a redirect so that a refresh never sends the form again."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from consultations.models import Decision
from consultations.review import conflicts
from consultations.services import review as review_services
from consultations.services.corrections import correction_apply
from tests.factories import PractitionerFactory, decision_form_data, submitted
from tests.review.pages import decide, page_text, sent_back

pytestmark = pytest.mark.django_db


def test_rules_run_again_by_a_colleague_is_named_as_the_one_cause(client, practitioner):
    consultation = submitted()
    stale = decision_form_data(consultation, notes="Patch test first")
    colleague = PractitionerFactory(first_name="Ravi", last_name="Nair")
    review_services.evaluation_rerun(
        consultation=consultation, user=colleague, lock_version=consultation.lock_version
    )

    page = page_text(sent_back(client, decide(client, consultation, stale), consultation))

    assert "Nothing was saved: Ravi Nair ran the current rules again on " in page
    assert "answers were corrected" not in page
    assert "decided this consultation" not in page
    assert not Decision.objects.exists()


def test_a_refresh_after_a_conflict_sends_nothing_and_the_kept_input_shows_once(
    client, practitioner
):
    consultation = submitted()
    stale = decision_form_data(consultation, notes="Typed before the conflict")
    review_services.evaluation_rerun(
        consultation=consultation, user=PractitionerFactory(), lock_version=0
    )
    response = decide(client, consultation, stale)
    assert response.status_code == 302  # the browser's last request is the GET below

    first = client.get(response.url)
    again = client.get(response.url)  # the practitioner presses refresh

    assert first.context["decision_form"]["notes"].value() == "Typed before the conflict"
    assert again.context["decision_form"]["notes"].value() in (None, "")
    assert "Nothing was saved" not in page_text(again)
    assert not Decision.objects.exists()


def test_kept_input_is_dropped_when_another_consultation_is_opened(client, practitioner):
    first, other = submitted(), submitted()
    stale = decision_form_data(first, notes="About the first patient")
    review_services.evaluation_rerun(consultation=first, user=PractitionerFactory(), lock_version=0)
    decide(client, first, stale)

    elsewhere = client.get(reverse("review:detail", kwargs={"reference": other.reference}))
    back = client.get(reverse("review:detail", kwargs={"reference": first.reference}))

    assert "About the first patient" not in page_text(elsewhere)
    assert "About the first patient" not in page_text(back)
    assert conflicts.KEPT_KEY not in client.session


def test_kept_input_lasts_ten_minutes(client, practitioner, monkeypatch):
    consultation = submitted()
    stale = decision_form_data(consultation, notes="Typed long ago")
    review_services.evaluation_rerun(
        consultation=consultation, user=PractitionerFactory(), lock_version=0
    )
    response = decide(client, consultation, stale)
    later = time.time() + conflicts.KEPT_SECONDS + 1
    monkeypatch.setattr(conflicts.time, "time", lambda: later)

    page = page_text(client.get(response.url))

    assert "Typed long ago" not in page


def test_after_a_conflict_nothing_is_chosen_and_the_earlier_choice_is_named(client, practitioner):
    consultation = submitted()
    stale = decision_form_data(consultation, choice="laser", reason_code="patient_preference")
    correction_apply(
        consultation=consultation,
        user=PractitionerFactory(),
        lock_version=0,
        changes={"fitzpatrick": 5},
    )

    response = sent_back(client, decide(client, consultation, stale), consultation)

    assert response.context["decision_form"]["choice"].value() in (None, "")
    assert "You had chosen: Picosecond laser. Nothing is chosen now" in page_text(response)
    assert response.context["decision_form"]["reason_code"].value() == "patient_preference"
