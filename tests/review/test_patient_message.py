"""The message a declined or referred patient reads: the practitioner sees it, starts from the
clinic's message for the reason, and an amendment keeps it unless they change it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consultations.aftercare import decline_message
from consultations.models import Decision, DecisionOutcome, DecisionReason
from tests.factories import decided, decision_form_data, submitted
from tests.review.pages import decide, page_text

pytestmark = pytest.mark.django_db


def detail(client, consultation) -> str:
    url = reverse("review:detail", kwargs={"reference": consultation.reference})
    return page_text(client.get(url))


def test_the_decision_card_shows_what_the_patient_reads(client, practitioner):
    consultation = submitted()
    decide(
        client,
        consultation,
        choice="declined",
        reason_code="refer_to_doctor",
        patient_message="Please see your GP about the mole on your cheek first.",
    )

    page = detail(client, consultation)

    assert (
        "<strong>Message to the patient:</strong> Please see your GP about the mole on your cheek"
    ) in page


def test_the_form_lists_the_clinics_message_for_each_reason(client, practitioner):
    page = detail(client, submitted())

    for code, label in DecisionReason.choices:
        assert decline_message(code) in page, label
    assert 'id="decline-defaults"' in page  # the script fills the box from these


def test_an_amendment_keeps_the_patients_message_unless_it_is_changed(client, practitioner):
    consultation = decided(
        outcome=DecisionOutcome.DECLINED, reason_code=DecisionReason.REFER_TO_DOCTOR
    )
    Decision.objects.update(patient_message="Our own words for this patient.")
    consultation.refresh_from_db()

    form = client.get(
        reverse("review:detail", kwargs={"reference": consultation.reference})
    ).context["amend_form"]
    assert form["patient_message"].value() == "Our own words for this patient."

    current = Decision.objects.get()
    data = decision_form_data(
        consultation,
        decision=current.pk,
        choice="declined",
        reason_code="refer_to_doctor",
        amendment_reason="Spoke to the patient again",
        patient_message=form["patient_message"].value(),
    )
    client.post(reverse("review:amend", kwargs={"reference": consultation.reference}), data)

    assert Decision.objects.current().get().patient_message == "Our own words for this patient."
