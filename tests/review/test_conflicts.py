"""A form that meets a changed consultation: nothing saved, one message naming what happened,
what was typed kept once, and a redirect so that a refresh never sends the form again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consultations.models import Decision
from consultations.services import review as review_services
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


def test_kept_input_belongs_to_its_consultation(client, practitioner):
    first, other = submitted(), submitted()
    stale = decision_form_data(first, notes="About the first patient")
    review_services.evaluation_rerun(consultation=first, user=PractitionerFactory(), lock_version=0)
    decide(client, first, stale)

    elsewhere = client.get(reverse("review:detail", kwargs={"reference": other.reference}))

    assert "About the first patient" not in page_text(elsewhere)
    back = client.get(reverse("review:detail", kwargs={"reference": first.reference}))
    assert "About the first patient" in page_text(back)
