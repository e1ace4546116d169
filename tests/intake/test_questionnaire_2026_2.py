"""Questionnaire 2026.2 in the intake: the new questions, their follow-ups, and drafts started
under 2026.1 asking the new questions when the patient comes back."""

from __future__ import annotations

import pytest

from consultations import rules
from consultations.models import Consultation
from tests.factories import CompleteDraftFactory
from tests.intake.steps import (
    CHECK,
    CONSENT,
    HEALTH,
    PAGE_ANSWERS,
    SKIN_NOW,
    SUBMIT,
    errors_on,
    fill_draft,
    open_draft,
    post_ok,
    submit,
)

pytestmark = pytest.mark.django_db


def test_a_yes_to_isotretinoin_asks_when_it_was_taken(client):
    fill_draft(client)
    data = {**PAGE_ANSWERS[HEALTH], "isotretinoin_last_6_months": "yes"}
    response = client.post(HEALTH, data)
    assert errors_on(response) == [
        "Tell us if you are taking isotretinoin now, or when you stopped"
    ]
    post_ok(client, HEALTH, {**data, "isotretinoin_timing": "stopped_under_1_month"})
    assert Consultation.objects.get().isotretinoin_timing == "stopped_under_1_month"


def test_a_no_clears_the_follow_up_it_opened(client):
    fill_draft(client)
    spots = {**PAGE_ANSWERS[SKIN_NOW], "active_inflamed_acne": "yes"}
    post_ok(client, SKIN_NOW, {**spots, "inflamed_acne_severity": "nodules_cysts"})
    assert Consultation.objects.get().inflamed_acne_severity == "nodules_cysts"
    # "No" to the spots, the kind of spots still chosen on the (hidden) follow-up.
    post_ok(client, SKIN_NOW, {**PAGE_ANSWERS[SKIN_NOW], "inflamed_acne_severity": "not_sure"})
    assert Consultation.objects.get().inflamed_acne_severity == ""


def test_an_unknown_follow_up_answer_gets_its_own_message(client):
    fill_draft(client)
    data = {
        **PAGE_ANSWERS[HEALTH],
        "isotretinoin_last_6_months": "yes",
        "isotretinoin_timing": "last_year",
    }
    assert errors_on(client.post(HEALTH, data)) == [
        "Tell us if you are taking isotretinoin now, or when you stopped"
    ]


def test_each_new_question_reaches_the_rules_and_raises_its_flag(client):
    consultation = submit(
        client,
        health={
            **{code: "no" for page in PAGE_ANSWERS.values() for code in page},
            "cosmetic_tattoo_in_area": "yes",
            "sun_exposure_next_4_weeks": "yes",
        },
    )
    output = consultation.latest_evaluation.output
    assert output["ruleset_version"] == rules.RULESET_VERSION == "2026.2"
    assert {"COSMETIC_TATTOO", "SUN_EXPOSURE_PLANNED"} <= {f["code"] for f in output["flags"]}
    assert consultation.questionnaire_version == "2026.2"


def test_a_draft_started_under_2026_1_asks_the_new_questions_when_resumed(client):
    draft = CompleteDraftFactory(
        questionnaire_version="2026.1", **dict.fromkeys(rules.NEW_BOOLEAN_FIELDS_2026_2, None)
    )
    open_draft(client, draft)
    page = client.get(CHECK).content.decode()
    assert "Some questions are not answered yet" in page
    for url, title in (
        (HEALTH, "Pregnancy and medicines"),
        (SKIN_NOW, "Your skin now"),
        ("/consultation/treatments/", "Previous treatments"),
        ("/consultation/history/", "Your health"),
    ):
        assert f'href="{url}">{title}' in page
    assert client.post(SUBMIT, CONSENT)["Location"] == CHECK  # not sent with gaps
    for url, answers in PAGE_ANSWERS.items():
        post_ok(client, url, answers)
    client.post(SUBMIT, CONSENT)
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert draft.questionnaire_version == "2026.2"
    assert "ANSWERS_MISSING" not in {f["code"] for f in draft.latest_evaluation.output["flags"]}
