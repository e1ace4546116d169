"""The printable summary for staff."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from consultations import presenters
from consultations.models import (
    AccessLog,
)
from tests.factories import (
    AdminFactory,
    DraftConsultationFactory,
    PractitionerFactory,
    UserFactory,
    flagged_decision,
    submitted,
)

pytestmark = pytest.mark.django_db


def print_url(consultation) -> str:
    return reverse("insight:print", args=[consultation.reference])


# --- Printable summary ----------------------------------------------------------------------


def test_the_summary_shows_answers_suggestion_flags_and_decision(client):
    consultation = flagged_decision()
    client.force_login(PractitionerFactory())
    page = client.get(print_url(consultation)).content.decode()
    output = consultation.latest_evaluation.output
    assert consultation.reference in page
    assert consultation.patient.full_name in page
    # Staff read clinical terms, not the patient's questions.
    assert '<th scope="row">History of HSV (none active)</th><td>Yes</td>' in page
    assert '<th scope="row">Primary goal</th><td>Enlarged pores</td>' in page
    assert '<th scope="row">Other goals</th><td>Texture / roughness</td>' in page
    assert "Peanuts" in page
    assert consultation.latest_evaluation.get_primary_display() in page
    for flag in output["flags"]:
        assert presenters.flag_label(flag["code"]) in page
        assert flag["message"] in page
    for suggestion in output["suggestions"]:
        for reason in suggestion["reasons"]:
            assert reason["text"] in page
    assert "Chose another treatment" in page
    assert "Microdermabrasion" in page
    assert "6 sessions, 2 weeks apart" in page
    assert "short suction dwell time" in page
    assert "Patient preference" in page
    assert "Wants the gentlest option before her wedding." in page


def test_printing_is_logged(client):
    consultation = flagged_decision()
    user = PractitionerFactory()
    client.force_login(user)
    client.get(print_url(consultation))
    log = AccessLog.objects.get(action=AccessLog.Action.PRINT)
    assert (log.user, log.consultation_id, log.patient_id) == (
        user,
        consultation.pk,
        consultation.patient_id,
    )


def test_the_summary_loads_the_print_stylesheet_for_a4_and_has_no_inline_style(
    client, practitioner
):
    page = client.get(print_url(submitted())).content.decode()
    assert "/static/css/print.css" in page
    assert "style=" not in page
    stylesheet = Path(finders.find("css/print.css")).read_text(encoding="utf-8")
    assert re.search(r"@page\s*{[^}]*size:\s*A4", stylesheet)
    assert re.search(r"@media print\s*{[^@]*\bnav\b[^{]*footer[^{]*{\s*display:\s*none", stylesheet)
    assert "break-inside: avoid" in stylesheet


def test_an_undecided_consultation_prints_without_a_decision(client, practitioner):
    page = client.get(print_url(submitted())).content.decode()
    assert "Not decided yet." in page


def test_the_summary_needs_a_login_and_the_review_permission(client):
    consultation = submitted()
    response = client.get(print_url(consultation))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(UserFactory(is_staff=True))
    assert client.get(print_url(consultation)).status_code == 403
    for user in (PractitionerFactory(), AdminFactory()):
        client.force_login(user)
        assert client.get(print_url(consultation)).status_code == 200
    assert AccessLog.objects.filter(action=AccessLog.Action.PRINT).count() == 2


def test_a_draft_has_no_summary(client, practitioner):
    assert client.get(print_url(DraftConsultationFactory())).status_code == 404


def test_the_summary_names_the_peel_agents_allowed_and_ruled_out(client, practitioner):
    consultation = submitted(fitzpatrick=5, salicylate_allergy=True)
    page = client.get(print_url(consultation)).content.decode()
    assert "Peel agents allowed: mandelic acid, lactic acid" in page
    assert "salicylic acid (R12)" in page
