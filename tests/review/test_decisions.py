"""Decisions: accept, change or decline with a reason; a plan; never lost, never overwritten."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.core import mail
from django.db import connections
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from consultations.aftercare import AFTERCARE_VERSION, aftercare_for
from consultations.models import AccessLog, Consultation, Decision
from consultations.review.conflicts import DAMAGED_MESSAGE
from consultations.services import review as review_services
from consultations.services.corrections import correction_apply
from consultations.services.review import DecisionInput
from tests.factories import (
    DecisionFactory,
    PractitionerFactory,
    decision_form_data,
    submitted,
)
from tests.review.pages import amend, decide, page_text, sent_back
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db

IS_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


# --- Accept, change, decline -------------------------------------------------------------------


def test_accepting_the_primary_records_the_decision_with_its_plan_and_locks_the_consultation(
    client, practitioner, django_capture_on_commit_callbacks
):
    consultation = submitted(fitzpatrick=5, salicylate_allergy=True)
    evaluation = consultation.latest_evaluation
    assert evaluation.primary == "chemical_peel"

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, consultation, chemical_peel_sessions=6, notes="Patch test ok")

    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.outcome == "accepted"
    assert decision.treatment == "chemical_peel"
    assert decision.evaluation == evaluation
    assert decision.decided_by == practitioner
    assert decision.reason_code == ""
    assert decision.notes == "Patch test ok"
    assert (decision.plan_sessions, decision.plan_interval_weeks) == (6, 3)
    suggested = next(s for s in evaluation.output["suggestions"] if s["rank"] == 1)
    assert decision.plan_constraints == suggested["constraints"]
    # The peel's allowed agents lead its constraints: no salicylic acid, no glycolic in FST V.
    assert decision.plan_constraints[0] == "agents allowed: mandelic acid, lactic acid"
    assert decision.aftercare_version == AFTERCARE_VERSION

    consultation.refresh_from_db()
    assert consultation.status == "decided"
    assert consultation.decided_at == decision.decided_at
    assert consultation.lock_version == 1
    log = AccessLog.objects.get(action=AccessLog.Action.DECIDE)
    assert (log.user, log.consultation) == (practitioner, consultation)


def test_the_plan_is_prefilled_from_each_treatments_typical_protocol(client, practitioner):
    consultation = submitted()
    url = reverse("review:detail", kwargs={"reference": consultation.reference})
    form = client.get(url).context["decision_form"]
    plans = {
        treatment: (
            form[f"{treatment}_sessions"].value(),
            form[f"{treatment}_interval_weeks"].value(),
        )
        for treatment in ("laser", "chemical_peel", "microdermabrasion")
    }
    assert plans == {"laser": (4, 4), "chemical_peel": (5, 3), "microdermabrasion": (6, 2)}
    # Nothing is chosen for the practitioner: signing off is a deliberate act.
    assert form["choice"].value() is None
    assert "checked" not in page_text(client.get(url)).split('name="choice"')[1].split(">")[0]


def test_recording_a_decision_without_choosing_one_is_refused_with_a_clear_message(
    client, practitioner
):
    consultation = submitted()
    data = decision_form_data(consultation)
    del data["choice"]
    response = decide(client, consultation, data)
    assert response.status_code == 200
    assert (
        "Choose a decision: accept the suggestion, choose another treatment, or decline or refer."
        in page_text(response)
    )
    assert "This field is required" not in page_text(response)
    assert not Decision.objects.exists()
    # As on the patient's pages: the summary links to the question, whose message sits above
    # the options and is read out with them.
    page = page_text(response)
    assert '<a class="alert-link" href="#choice-fieldset">Choose a decision' in page
    assert 'id="choice-fieldset" aria-describedby="choice-error"' in page
    assert page.index('id="choice-error"') < page.index('name="choice"')


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("chemical_peel_sessions", 0, "Enter 1 to 8 sessions."),
        ("chemical_peel_sessions", 40, "Enter 1 to 8 sessions."),
        ("chemical_peel_interval_weeks", 12, "Enter 1 to 6 weeks between sessions."),
        ("chemical_peel_sessions", "", "Enter the number of sessions."),
    ],
)
def test_a_plan_outside_sensible_bounds_is_refused(client, practitioner, field, value, message):
    consultation = submitted()
    response = decide(client, consultation, **{field: value})
    assert response.status_code == 200
    assert message in page_text(response)
    assert not Decision.objects.exists()


def test_choosing_another_treatment_needs_a_reason(client, practitioner):
    consultation = submitted()
    response = decide(client, consultation, choice="laser")
    assert response.status_code == 200
    assert "Choose a reason: your decision differs from the suggestion." in page_text(response)
    assert not Decision.objects.exists()
    # What the practitioner typed is shown again.
    assert response.context["decision_form"]["choice"].value() == "laser"

    response = decide(client, consultation, choice="laser", reason_code="patient_preference")
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.outcome, decision.treatment) == ("changed", "laser")
    assert (decision.plan_sessions, decision.plan_interval_weeks) == (4, 4)


def test_declining_needs_a_reason_and_stores_no_plan(client, practitioner):
    consultation = submitted()
    assert decide(client, consultation, choice="declined").status_code == 200
    response = decide(client, consultation, choice="declined", reason_code="refer_to_doctor")
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.outcome, decision.treatment) == ("declined", "")
    assert decision.plan_sessions is None
    assert decision.plan_constraints == []
    assert decision.aftercare_version == ""


def test_reason_other_needs_a_note(client, practitioner):
    consultation = submitted()
    response = decide(client, consultation, choice="declined", reason_code="other")
    assert "Say why in the notes" in page_text(response)
    assert not Decision.objects.exists()


def test_a_deferred_suggestion_cannot_be_accepted(client, practitioner):
    consultation = submitted(dermatitis_in_area=True, fitzpatrick=6)
    assert consultation.latest_evaluation.primary == "defer_to_practitioner"
    response = decide(client, consultation, choice="defer_to_practitioner")
    assert response.status_code == 200
    assert "Choose one of the options listed" in page_text(response)
    assert not Decision.objects.exists()


def test_an_excluded_treatment_needs_an_explicit_override_and_a_note(client, practitioner):
    consultation = submitted(systemic_gold_therapy_ever=True)
    excluded = [e["treatment"] for e in consultation.latest_evaluation.output["excluded"]]
    assert excluded == ["laser"]
    response = decide(client, consultation, choice="laser", reason_code="clinical_judgement")
    page = page_text(response)
    assert "Tick to confirm the override" in page
    assert "Explain the override in the notes." in page
    assert not Decision.objects.exists()

    response = decide(
        client,
        consultation,
        choice="laser",
        reason_code="clinical_judgement",
        override_excluded="on",
        notes="Gold was topical only; confirmed with GP.",
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.override_excluded is True
    assert decision.treatment == "laser"


# --- Outdated forms and concurrent practitioners -----------------------------------------------


def test_deciding_against_an_outdated_evaluation_is_refused_with_a_clear_message(
    client, practitioner
):
    consultation = submitted(fitzpatrick=3)
    stale = decision_form_data(
        consultation, choice="laser", reason_code="patient_preference", notes="Wants laser"
    )
    correction_apply(
        consultation=consultation,
        user=PractitionerFactory(),
        lock_version=0,
        changes={"fitzpatrick": 6},
    )

    response = sent_back(client, decide(client, consultation, stale), consultation)

    page = page_text(response)
    assert (
        "Nothing was saved: answers were corrected after you opened this consultation, and the "
        "rules ran again. Corrected: Fitzpatrick phototype: Type III → Type VI (by "
    ) in page
    assert "another practitioner decided" not in page  # the one cause, not a list of three
    assert not Decision.objects.exists()
    form = response.context["decision_form"]
    assert form["notes"].value() == "Wants laser"  # nothing typed is lost
    assert form["reason_code"].value() == "patient_preference"
    assert form["choice"].value() in (None, "")  # chosen again on the new suggestion
    consultation.refresh_from_db()
    assert form["evaluation"].value() == consultation.latest_evaluation_id  # built afresh
    assert form["lock_version"].value() == consultation.lock_version


def test_the_service_refuses_an_outdated_lock_version_even_when_the_evaluation_matches():
    consultation = submitted()
    with pytest.raises(review_services.ConsultationChanged):
        review_services.review_decide(
            consultation=consultation,
            user=PractitionerFactory(),
            evaluation_id=consultation.latest_evaluation_id,
            lock_version=consultation.lock_version + 1,
            choice=DecisionInput(
                outcome="accepted",
                treatment="chemical_peel",
                plan_sessions=5,
                plan_interval_weeks=3,
            ),
        )
    assert not Decision.objects.exists()


def test_the_unique_constraint_turns_a_second_first_decision_into_a_conflict():
    # As if another practitioner's decision got in without the status update being seen.
    consultation = submitted()
    DecisionFactory(evaluation=consultation.latest_evaluation)
    with pytest.raises(review_services.ConsultationChanged):
        review_services.review_decide(
            consultation=consultation,
            user=PractitionerFactory(),
            evaluation_id=consultation.latest_evaluation_id,
            lock_version=consultation.lock_version,
            choice=DecisionInput(
                outcome="accepted",
                treatment="chemical_peel",
                plan_sessions=5,
                plan_interval_weeks=3,
            ),
        )
    assert Decision.objects.count() == 1


def test_a_second_practitioner_deciding_later_is_told_who_decided_and_their_input_is_kept(
    client,
):
    consultation = submitted()
    first, second = Client(), Client()
    first_practitioner = PractitionerFactory(first_name="Mei", last_name="Ong")
    first.force_login(first_practitioner)
    second.force_login(PractitionerFactory())
    data_first = decision_form_data(consultation)
    data_second = decision_form_data(
        consultation, choice="declined", reason_code="refer_to_doctor", notes="Refer to GP"
    )
    assert decide(first, consultation, data_first).status_code == 302

    response = sent_back(second, decide(second, consultation, data_second), consultation)

    page = page_text(response)
    decision = Decision.objects.get()
    when = date_format(timezone.localtime(decision.decided_at), "j M Y, H:i")
    assert (
        f"Another practitioner, Mei Ong, decided this consultation on {when}. Nothing was saved."
    ) in page
    assert "answers were corrected" not in page
    assert decision.outcome == "accepted"  # nothing overwritten
    amend_form = response.context["amend_form"]
    assert amend_form["notes"].value() == "Refer to GP"
    assert amend_form["choice"].value() == "declined"


@pytest.mark.skipif(IS_SQLITE, reason="SQLite has no row locks; concurrency needs PostgreSQL")
def test_two_practitioners_deciding_at_the_same_moment_store_exactly_one_decision(
    transactional_db,
):
    consultation = submitted()
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(PractitionerFactory())
        clients.append(client)
    data = [
        decision_form_data(consultation, notes="First practitioner"),
        decision_form_data(
            consultation, choice="declined", reason_code="clinical_judgement", notes="Second"
        ),
    ]
    url = reverse("review:decide", kwargs={"reference": consultation.reference})
    barrier = threading.Barrier(2)
    responses: list = [None, None]
    errors: list = []

    def practitioner_decides(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            responses[index] = clients[index].post(url, data[index])
        except Exception as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=practitioner_decides, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert Decision.objects.filter(consultation=consultation).count() == 1
    # Both are sent to the page; the loser's page names the winner's decision.
    assert [r.status_code for r in responses] == [302, 302]
    pages = [page_text(clients[i].get(responses[i].url)) for i in range(2)]
    told = [
        "decided this consultation on" in page and "Nothing was saved" in page for page in pages
    ]
    assert sorted(told) == [False, True]
    consultation.refresh_from_db()
    assert consultation.status == "decided"
    assert consultation.lock_version == 1


@pytest.mark.skipif(IS_SQLITE, reason="SQLite has no row locks; concurrency needs PostgreSQL")
def test_the_row_lock_makes_the_later_of_two_simultaneous_service_calls_fail(transactional_db):
    # Both callers hold the same (current) lock version: only the row lock tells them apart.
    consultation = submitted()
    users = [PractitionerFactory(), PractitionerFactory()]
    barrier = threading.Barrier(2)
    outcomes: list = []

    def practitioner_decides(user) -> None:
        try:
            barrier.wait(timeout=10)
            review_services.review_decide(
                consultation=Consultation.objects.get(pk=consultation.pk),
                user=user,
                evaluation_id=consultation.latest_evaluation_id,
                lock_version=0,
                choice=DecisionInput(
                    outcome="accepted",
                    treatment="chemical_peel",
                    plan_sessions=5,
                    plan_interval_weeks=3,
                ),
            )
            outcomes.append("decided")
        except review_services.ConsultationChanged:
            outcomes.append("changed")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=practitioner_decides, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["changed", "decided"]
    assert Decision.objects.filter(consultation=consultation).count() == 1


# --- Double clicks and damaged forms ------------------------------------------------------------


def test_a_double_clicked_decision_is_stored_and_emailed_once(
    client, practitioner, django_capture_on_commit_callbacks
):
    consultation = submitted()
    data = decision_form_data(consultation, notes="Patch test ok")

    with django_capture_on_commit_callbacks(execute=True):
        first = decide(client, consultation, data)
        second = client.post(
            reverse("review:decide", kwargs={"reference": consultation.reference}),
            data,
            follow=True,
        )

    detail_url = reverse("review:detail", kwargs={"reference": consultation.reference})
    assert first.status_code == 302
    assert second.redirect_chain == [(detail_url, 302)]
    page = page_text(second)
    assert "Decision recorded." in page
    assert "Another practitioner" not in page
    assert "Nothing was saved" not in page
    assert Decision.objects.count() == 1
    assert AccessLog.objects.filter(action=AccessLog.Action.DECIDE).count() == 1
    run_queued_tasks()
    assert len(mail.outbox) == 1


def test_a_double_clicked_amendment_is_stored_and_emailed_once(
    client, practitioner, django_capture_on_commit_callbacks
):
    consultation = submitted()
    decide(client, consultation)
    consultation.refresh_from_db()
    data = decision_form_data(
        consultation,
        decision=Decision.objects.get().pk,
        choice="declined",
        reason_code="refer_to_doctor",
        amendment_reason="Seen by the doctor",
    )
    url = reverse("review:amend", kwargs={"reference": consultation.reference})

    with django_capture_on_commit_callbacks(execute=True):
        responses = [client.post(url, data), client.post(url, data)]

    assert [r.status_code for r in responses] == [302, 302]
    assert Decision.objects.count() == 2
    assert AccessLog.objects.filter(action=AccessLog.Action.AMEND).count() == 1
    run_queued_tasks()
    assert [m.subject for m in mail.outbox].count(mail.outbox[-1].subject) == 1
    assert len(mail.outbox) == 2  # the decision's email, then the amendment's, once


def test_the_same_practitioner_sending_another_choice_after_deciding_is_shown_the_conflict(
    client, practitioner
):
    consultation = submitted()
    data = decision_form_data(consultation)
    decide(client, consultation, data)

    response = decide(
        client, consultation, {**data, "choice": "declined", "reason_code": "refer_to_doctor"}
    )

    assert "You decided this consultation on" in page_text(
        sent_back(client, response, consultation)
    )
    assert Decision.objects.count() == 1


def test_the_same_decision_sent_again_minutes_later_is_shown_as_a_conflict(client, practitioner):
    consultation = submitted()
    data = decision_form_data(consultation)
    decide(client, consultation, data)
    Decision.objects.update(decided_at=timezone.now() - review_services.REPEAT_WINDOW)

    response = decide(client, consultation, data)

    assert "You decided this consultation on" in page_text(
        sent_back(client, response, consultation)
    )
    assert Decision.objects.count() == 1


@pytest.mark.parametrize("value", ["²", "١٢", "9" * 5000, "-1"])
@pytest.mark.parametrize("view", ["decide", "amend"])
def test_a_damaged_hidden_number_is_refused_with_a_clear_message(client, practitioner, view, value):
    consultation = submitted()
    if view == "amend":
        decide(client, consultation)
    data = decision_form_data(
        consultation,
        evaluation=value,
        lock_version=value,
        decision=value,
        choice="declined",
        reason_code="refer_to_doctor",
        amendment_reason="Seen by the doctor",
    )

    response = client.post(
        reverse(f"review:{view}", kwargs={"reference": consultation.reference}), data
    )

    response = sent_back(client, response, consultation)
    page = page_text(response)
    assert DAMAGED_MESSAGE in page
    form = response.context["amend_form" if view == "amend" else "decision_form"]
    assert form["reason_code"].value() == "refer_to_doctor"  # what they typed is kept
    assert Decision.objects.count() == (1 if view == "amend" else 0)


def test_a_damaged_lock_version_on_the_correction_form_is_refused_with_a_clear_message(
    client, practitioner
):
    consultation = submitted()
    response = client.post(
        reverse("review:correct", kwargs={"reference": consultation.reference}),
        {"lock_version": "²", "fitzpatrick": 5, "sebum": "normal"},
    )
    assert DAMAGED_MESSAGE in page_text(sent_back(client, response, consultation, "review:correct"))
    consultation.refresh_from_db()
    assert consultation.fitzpatrick == 3


# --- Amendments, the patient's page and email ----------------------------------------------------


def test_an_amendment_keeps_the_earlier_decision_and_needs_a_reason(
    client, practitioner, django_capture_on_commit_callbacks
):
    consultation = submitted()
    decide(client, consultation)
    first = Decision.objects.get()

    response = amend(client, consultation, choice="declined", reason_code="refer_to_doctor")
    assert response.status_code == 200
    assert "Say why you are amending the decision" in page_text(response)
    assert Decision.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = amend(
            client,
            consultation,
            choice="microdermabrasion",
            reason_code="patient_preference",
            amendment_reason="Patient asked for no downtime",
            microdermabrasion_sessions=8,
        )
    assert response.status_code == 302
    latest = Decision.objects.get(supersedes=first)
    assert (latest.outcome, latest.treatment, latest.plan_sessions) == (
        "changed",
        "microdermabrasion",
        8,
    )
    assert latest.amendment_reason == "Patient asked for no downtime"
    first.refresh_from_db()
    assert first.outcome == "accepted"  # kept as it was
    assert AccessLog.objects.filter(action=AccessLog.Action.AMEND).count() == 1
    run_queued_tasks()
    assert len(mail.outbox) == 2  # the decision's, then the amendment's
    assert "updated" in mail.outbox[-1].subject

    detail = client.get(reverse("review:detail", kwargs={"reference": consultation.reference}))
    page = page_text(detail)
    assert "Decision recorded" in page
    assert "Decision amended" in page
    assert "Why amended: Patient asked for no downtime" in page


def test_an_amendment_on_an_outdated_decision_is_refused(client, practitioner):
    consultation = submitted()
    decide(client, consultation)
    stale = Decision.objects.get()
    amend(
        client,
        consultation,
        choice="declined",
        reason_code="other",
        notes="x",
        amendment_reason="a",
    )
    url = reverse("review:amend", kwargs={"reference": consultation.reference})
    consultation.refresh_from_db()
    response = client.post(
        url,
        decision_form_data(
            consultation,
            decision=stale.pk,
            choice="laser",
            reason_code="clinical_judgement",
            amendment_reason="b",
        ),
    )
    assert "Nothing was saved" in page_text(sent_back(client, response, consultation))
    assert Decision.objects.count() == 2


def test_the_patient_is_emailed_their_status_link_and_no_health_details(
    client, practitioner, django_capture_on_commit_callbacks
):
    consultation = submitted(pregnant=True, melasma=True)
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, consultation, notes="Secret clinical note")
    run_queued_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [consultation.patient.email]
    status_url = settings.SITE_URL + reverse(
        "intake:status", kwargs={"token": consultation.public_token}
    )
    assert status_url in message.body
    for word in ("peel", "pregnan", "melasma", "Secret", "laser", "flag", "accepted"):
        assert word.lower() not in (message.subject + message.body).lower()


def test_the_status_page_shows_the_latest_outcome_with_plan_and_aftercare(client, practitioner):
    consultation = submitted()
    decide(client, consultation)
    amend(
        client,
        consultation,
        choice="laser",
        reason_code="patient_preference",
        amendment_reason="Prefers laser",
        laser_sessions=3,
        laser_interval_weeks=5,
        notes="Staff only note",
    )
    patient = Client()
    response = patient.get(reverse("intake:status", kwargs={"token": consultation.public_token}))
    assert response.status_code == 200
    page = page_text(response)
    assert "Your treatment: Picosecond laser" in page
    assert "3 sessions, about 5 weeks apart" in page
    care = aftercare_for("laser")
    for line in (*care.before, *care.normal, *care.after, *care.call_us):
        assert line in page
    assert "Chemical peel" not in page  # the earlier, amended decision
    for hidden in ("patient_preference", "Patient preference", "Staff only note", "Prefers"):
        assert hidden not in page
    output = consultation.latest_evaluation.output
    for suggestion in output["suggestions"]:  # never the rules' output
        for reason in suggestion["reasons"]:
            assert reason["text"] not in page


def test_the_status_outcome_for_a_declined_decision_says_the_clinic_will_call():
    decision = DecisionFactory(outcome="declined", treatment="", reason_code="refer_to_doctor")
    page = render_to_string("intake/_status_outcome.html", {"decision": decision})
    assert "The clinic will also contact you" in page
    assert settings.CLINIC_PHONE in page
    # The clinic's message for the reason (recorded before messages existed), never the code.
    assert "Please see your GP or a dermatologist" in page
    assert "refer_to_doctor" not in page
    assert "Before each session" not in page


def test_a_practitioner_declining_writes_the_patients_message_or_gets_the_reasons(
    client, practitioner
):
    first, second = submitted(), submitted()
    own = "Please come in so that we can look at the patch on your cheek together."
    decide(client, first, choice="declined", reason_code="clinical_judgement", patient_message=own)
    decide(client, second, choice="declined", reason_code="refer_to_doctor", patient_message=" ")
    assert Decision.objects.get(consultation=first).patient_message == own
    message = Decision.objects.get(consultation=second).patient_message
    assert message.startswith("Your practitioner would like a doctor to look at your skin")
    page = client.get(f"/c/{first.public_token}/").content.decode()
    assert own in page and "clinical_judgement" not in page
