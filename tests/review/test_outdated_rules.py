"""A suggestion made by an earlier ruleset is never signed off as if it were current: the
practitioner runs the current rules again first (review page or `rerun_rules`); decline or
refer stays possible. A 2026.1 consultation then asks for its missing answers (R45), which can
be recorded even after its decision, so that an amendment can use the current rules."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from consultations import rules
from consultations.models import AccessLog, Consultation, Decision, Evaluation
from consultations.services import review as review_services
from consultations.services.review import DecisionInput
from tests.factories import ConsentFactory, ConsultationFactory, decision_form_data
from tests.review.pages import decide, page_text

pytestmark = pytest.mark.django_db


def sent_before_2026_2(**fields) -> Consultation:
    """A consultation sent under questionnaire 2026.1 and evaluated by ruleset 2026.1 then: its
    latest evaluation says nothing of R45 (the answers it lacks)."""
    consultation = ConsultationFactory(
        questionnaire_version="2026.1",
        goals=["texture"],
        **{**dict.fromkeys(rules.NEW_BOOLEAN_FIELDS_2026_2, None), **fields},
    )
    ConsentFactory(consultation=consultation)
    output = {
        "ruleset_version": "2026.1",
        "primary": "microdermabrasion",
        "suggestions": [
            {"treatment": t, "rank": n, "status": "suitable", "reasons": [], "constraints": []}
            for n, t in enumerate(("microdermabrasion", "chemical_peel", "laser"), start=1)
        ],
        "excluded": [],
        "flags": [],
        "defer_reason": None,
    }
    evaluation = Evaluation.objects.create(
        consultation=consultation,
        answers={},
        output=output,
        ruleset_version="2026.1",
        primary="microdermabrasion",
    )
    Consultation.objects.filter(pk=consultation.pk).update(latest_evaluation=evaluation)
    consultation.refresh_from_db()
    return consultation


def test_the_page_says_the_rules_changed_and_offers_only_decline(client, practitioner):
    consultation = sent_before_2026_2()
    response = client.get(reverse("review:detail", args=[consultation.reference]))
    page = page_text(response)
    assert "The rules have changed since this suggestion" in page
    assert "Run the current rules again" in page
    choices = response.context["decision_form"].fields["choice"].choices
    assert [value for value, _ in choices] == ["declined"]


def test_a_treatment_on_an_earlier_rulesets_suggestion_is_refused(client, practitioner):
    consultation = sent_before_2026_2()
    decide(client, consultation, decision_form_data(consultation, choice="microdermabrasion"))
    assert not Decision.objects.exists()
    with pytest.raises(review_services.ReviewRefused, match="rules have changed"):
        review_services.review_decide(
            consultation=consultation,
            user=practitioner,
            evaluation_id=consultation.latest_evaluation_id,
            lock_version=consultation.lock_version,
            choice=DecisionInput(
                outcome="accepted",
                treatment="microdermabrasion",
                plan_sessions=6,
                plan_interval_weeks=2,
            ),
        )
    assert not Decision.objects.exists()


def test_running_the_rules_again_asks_for_the_answers_the_patient_was_never_asked(
    client, practitioner
):
    consultation = sent_before_2026_2()
    old = consultation.latest_evaluation
    url = reverse("review:rerun", args=[consultation.reference])
    response = client.post(url, {"lock_version": consultation.lock_version}, follow=True)
    assert "The rules ran again (ruleset 2026.2)" in page_text(response)
    consultation.refresh_from_db()
    new = consultation.latest_evaluation
    assert (new.ruleset_version, new.trigger, new.created_by) == ("2026.2", "rerun", practitioner)
    assert "ANSWERS_MISSING" in {flag["code"] for flag in new.output["flags"]}
    old.refresh_from_db()
    assert old.ruleset_version == "2026.1"  # never rewritten
    assert AccessLog.objects.filter(action="rerun", consultation=consultation).count() == 1
    # A stale page's re-run is refused, not repeated.
    stale = client.post(url, {"lock_version": 0}, follow=True)
    assert "changed while you were reviewing it" in page_text(stale)
    assert Evaluation.objects.filter(consultation=consultation).count() == 2


def test_the_rerun_rules_command_updates_every_consultation_awaiting_review():
    waiting = sent_before_2026_2()
    out = io.StringIO()
    call_command("rerun_rules", "--dry-run", stdout=out)
    assert "1 consultations would be evaluated by ruleset 2026.2" in out.getvalue()
    waiting.refresh_from_db()
    assert waiting.latest_evaluation.ruleset_version == "2026.1"
    call_command("rerun_rules", stdout=io.StringIO())
    waiting.refresh_from_db()
    assert waiting.latest_evaluation.ruleset_version == "2026.2"
    assert waiting.latest_evaluation.created_by is None


def test_after_a_decision_only_the_never_asked_answers_can_be_recorded(client, practitioner):
    consultation = sent_before_2026_2()
    decide(
        client,
        consultation,
        decision_form_data(consultation, choice="declined", reason_code="refer_to_doctor"),
    )
    review_services.evaluation_rerun(consultation=consultation, user=practitioner)
    consultation.refresh_from_db()
    url = reverse("review:correct", args=[consultation.reference])
    form = client.get(url).context["form"]
    assert form.only_unasked and "fitzpatrick" not in form.fields
    data = {
        "lock_version": consultation.lock_version,
        **{f"ask_{code}": "no" for code in rules.NEW_BOOLEAN_FIELDS_2026_2},
    }
    assert client.post(url, data).status_code == 302
    consultation.refresh_from_db()
    assert "ANSWERS_MISSING" not in {
        f["code"] for f in consultation.latest_evaluation.output["flags"]
    }
    # Nothing else can be rewritten after the decision.
    with pytest.raises(review_services.ReviewRefused, match="decided"):
        from consultations.services.corrections import correction_apply

        correction_apply(
            consultation=consultation,
            user=practitioner,
            lock_version=consultation.lock_version,
            changes={"fitzpatrick": 6},
        )
