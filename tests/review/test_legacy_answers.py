"""Consultations answered under questionnaire 2026.1 (R45): the rules defer and ask for the
newer answers; the practitioner records them as corrections ("asked the patient"), and only
then can a treatment be decided. Declining or referring stays possible throughout."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consultations import rules
from consultations.models import AnswerCorrection, Consultation, Decision
from consultations.services import review as review_services
from consultations.services.review import DecisionInput
from tests.factories import ConsentFactory, ConsultationFactory, decision_form_data, submitted
from tests.review.pages import decide, page_text, sent_back

pytestmark = pytest.mark.django_db

NEW_YES_NO = rules.NEW_BOOLEAN_FIELDS_2026_2


def legacy(**fields) -> Consultation:
    """A consultation sent under questionnaire 2026.1, evaluated by the current rules."""
    from consultations.services import evaluation_create

    consultation = ConsultationFactory(
        questionnaire_version="2026.1",
        fitzpatrick=2,
        fitzpatrick_source="practitioner",
        goals=["texture"],
        **{**dict.fromkeys(NEW_YES_NO, None), **fields},
    )
    ConsentFactory(consultation=consultation)
    evaluation_create(consultation=consultation)
    return consultation


def flags(consultation: Consultation) -> set[str]:
    consultation.refresh_from_db()
    return {flag["code"] for flag in consultation.latest_evaluation.output["flags"]}


def correct(client, consultation: Consultation, answers: dict[str, str], note: str = ""):
    """Post the correction form as the practitioner's browser does: the current answers kept,
    the given questions the patient was not asked answered."""
    consultation.refresh_from_db()
    data = {
        "lock_version": consultation.lock_version,
        "fitzpatrick": consultation.fitzpatrick,
        "sebum": consultation.sebum,
        "note": note,
        **{
            code: "on"
            for code in rules.BOOLEAN_FIELDS
            if getattr(consultation, code) is True and code not in answers
        },
        **{f"ask_{code}": value for code, value in answers.items()},
    }
    if consultation.fitzpatrick_source == "practitioner":
        data["phototype_examined"] = "on"
    return client.post(reverse("review:correct", args=[consultation.reference]), data)


def test_the_rules_defer_and_the_page_asks_for_the_newer_answers(client, practitioner):
    consultation = legacy()
    assert "ANSWERS_MISSING" in flags(consultation)
    page = page_text(client.get(reverse("review:detail", args=[consultation.reference])))
    assert "Ask the patient the questions they were not asked" in page
    assert "11 newer questions" in page
    assert "Not asked: answered under questionnaire 2026.1" in page


def test_no_treatment_can_be_decided_while_answers_are_missing(client, practitioner):
    consultation = legacy()
    response = client.get(reverse("review:detail", args=[consultation.reference]))
    assert [
        value for value, _label in response.context["decision_form"].fields["choice"].choices
    ] == ["declined"]
    primary_option = consultation.latest_evaluation.output["suggestions"][0]["treatment"]
    data = decision_form_data(consultation, choice=primary_option, reason_code="clinical_judgement")
    response = decide(client, consultation, data)
    assert response.status_code == 200  # the form again, with the reason
    assert not Decision.objects.exists()


def test_the_service_refuses_a_treatment_while_answers_are_missing_whatever_the_form(practitioner):
    consultation = legacy()
    with pytest.raises(review_services.ReviewRefused, match="asked every question"):
        review_services.review_decide(
            consultation=consultation,
            user=practitioner,
            evaluation_id=consultation.latest_evaluation_id,
            lock_version=consultation.lock_version,
            choice=DecisionInput(
                outcome="changed",
                treatment="microdermabrasion",
                reason_code="clinical_judgement",
                plan_sessions=6,
                plan_interval_weeks=2,
            ),
        )
    assert not Decision.objects.exists()


def test_declining_or_referring_stays_possible(client, practitioner):
    consultation = legacy()
    data = decision_form_data(consultation, choice="declined", reason_code="refer_to_doctor")
    assert decide(client, consultation, data).status_code == 302
    assert Decision.objects.get().outcome == "declined"


def test_recorded_answers_are_corrections_by_the_practitioner_who_asked(client, practitioner):
    consultation = legacy()
    response = correct(client, consultation, dict.fromkeys(NEW_YES_NO, "no"), note="By phone.")
    assert response.status_code == 302
    corrections = AnswerCorrection.objects.filter(consultation=consultation)
    assert {c.field for c in corrections} == set(NEW_YES_NO)
    for correction in corrections:
        assert (correction.old_value, correction.new_value) == (None, False)
        assert correction.corrected_by == practitioner
        assert correction.note == "Asked the patient. By phone."
    assert "ANSWERS_MISSING" not in flags(consultation)
    # And now a treatment can be decided.
    assert decide(client, consultation).status_code == 302
    assert Decision.objects.get().outcome == "accepted"


def test_answers_recorded_in_part_leave_the_others_asked_for(client, practitioner):
    consultation = legacy()
    correct(client, consultation, {"vitiligo": "no", "radiotherapy_to_area": "no"})
    consultation.refresh_from_db()
    assert consultation.vitiligo is False and consultation.cosmetic_tattoo_in_area is None
    output = consultation.latest_evaluation.output
    ask = next(c for c in output["suggestions"][0]["constraints"] if c.startswith("ask the"))
    assert "vitiligo" not in ask and "cosmetic_tattoo_in_area" in ask


def test_a_question_left_not_asked_is_never_recorded_as_no(client, practitioner):
    consultation = legacy()
    correct(client, consultation, {}, note="")  # nothing answered: nothing to save
    consultation.refresh_from_db()
    assert all(getattr(consultation, code) is None for code in NEW_YES_NO)
    assert not AnswerCorrection.objects.exists()


def test_a_yes_recorded_for_the_patient_raises_its_rule(client, practitioner):
    consultation = legacy()
    answers = {**dict.fromkeys(NEW_YES_NO, "no"), "vitiligo": "yes"}
    correct(client, consultation, answers)
    assert {"VITILIGO"} <= flags(consultation)
    assert "ANSWERS_MISSING" not in flags(consultation)
    assert consultation.latest_evaluation.primary == rules.DEFER


def test_an_unasked_isotretinoin_timing_is_asked_too(client, practitioner):
    consultation = legacy(isotretinoin_last_6_months=True, isotretinoin_timing="")
    form = client.get(reverse("review:correct", args=[consultation.reference])).context["form"]
    assert "isotretinoin_timing" in form.unasked
    answers = {**dict.fromkeys(NEW_YES_NO, "no"), "isotretinoin_timing": "stopped_1_to_6_months"}
    correct(client, consultation, answers)
    consultation.refresh_from_db()
    assert consultation.isotretinoin_timing == "stopped_1_to_6_months"
    assert "ANSWERS_MISSING" not in flags(consultation)


# --- The phototype, confirmed at examination (contract 1.4) -------------------------------------


def test_confirming_the_phototype_without_changing_it_lifts_r32(client, practitioner):
    consultation = submitted(
        fitzpatrick=3, fitzpatrick_source="self_report", goals=["tone_pigmentation"]
    )
    assert "PIGMENT_NOT_EXAMINED" in flags(consultation)
    data = {
        "lock_version": consultation.lock_version,
        "fitzpatrick": 3,
        "sebum": consultation.sebum,
        "phototype_examined": "on",
    }
    response = client.post(reverse("review:correct", args=[consultation.reference]), data)
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert (consultation.fitzpatrick, consultation.fitzpatrick_source) == (3, "practitioner")
    assert "PIGMENT_NOT_EXAMINED" not in flags(consultation)
    correction = AnswerCorrection.objects.get()
    assert (correction.field, correction.new_value) == ("fitzpatrick_source", "practitioner")


def test_a_yes_to_inflamed_acne_needs_the_kind_of_spots(client, practitioner):
    consultation = submitted()
    data = {
        "lock_version": consultation.lock_version,
        "fitzpatrick": consultation.fitzpatrick,
        "sebum": consultation.sebum,
        "active_inflamed_acne": "on",
    }
    url = reverse("review:correct", args=[consultation.reference])
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Choose one: the answer to “Active inflammatory acne” is yes." in page_text(response)
    response = client.post(url, {**data, "inflamed_acne_severity": "nodules_cysts"})
    assert response.status_code == 302
    assert {"ACTIVE_INFLAMED_ACNE", "NODULOCYSTIC_ACNE"} <= flags(consultation)


def test_a_conflict_never_turns_a_colleagues_answer_into_no(client, practitioner):
    consultation = legacy()
    seen_lock = consultation.lock_version
    # A colleague records "yes" to vitiligo while this practitioner has the form open.
    correct(client, consultation, {"vitiligo": "yes"})
    stale = {
        "lock_version": seen_lock,
        "evaluation": consultation.latest_evaluation_id,
        "fitzpatrick": consultation.fitzpatrick,
        "sebum": consultation.sebum,
        "ask_radiotherapy_to_area": "no",
    }
    response = client.post(reverse("review:correct", args=[consultation.reference]), stale)
    response = sent_back(client, response, consultation, "review:correct")
    form = response.context["form"]
    # The colleague's answer shows as it is now, with what changed named; nothing invented.
    assert form["vitiligo"].value() is True
    assert "Corrected: Vitiligo (any site, ever)" in page_text(response)
    assert form["ask_radiotherapy_to_area"].value() == "no"  # what this practitioner typed
    consultation.refresh_from_db()
    assert consultation.vitiligo is True and consultation.radiotherapy_to_area is None
