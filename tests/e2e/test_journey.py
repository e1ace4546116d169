"""The whole journey in Chromium: a patient on a phone, a practitioner on a desktop.

The patient fills the intake (one validation error, corrected), saves and comes back through
the emailed link, and sends it; the practitioner finds it in the queue, corrects the phototype,
decides; the patient's status link shows the outcome. Every page is scanned with axe-core and
photographed at both sizes (artifacts/screenshots/).
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from consultations import questionnaire, rules
from consultations.insight.analytics import DateRange
from consultations.insight.outcome_snapshots import snapshot_count
from consultations.models import Consultation
from consultations.services import evaluation_create
from tests.e2e.conftest import DESKTOP, PHONE, check_page
from tests.factories import ConsentFactory, ConsultationFactory, PractitionerFactory
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.e2e

LINK = re.compile(r"https?://\S+")


def link_in_last_email(to: str) -> str:
    run_queued_tasks()
    message = [m for m in mail.outbox if to in m.to][-1]
    return LINK.search(message.body).group(0)


def continue_(page: Page) -> None:
    page.get_by_role("button", name="Continue", exact=True).click()


def fill_about_you(page: Page, *, email: str) -> None:
    page.get_by_label("First name").fill("Aisha")
    page.get_by_label("Last name").fill("Tan")
    date = page.get_by_role("group", name="Date of birth")
    date.get_by_label("Day").fill("17")
    date.get_by_label("Month").fill("5")
    date.get_by_label("Year").fill("1990")
    page.get_by_label("Email address").fill(email)


def answer_no_on_this_page(page: Page, step: str) -> None:
    """Answer "no" to every question of a health page (their follow-ups then stay hidden)."""
    for question in questionnaire.questions_in(step):
        if not question.follows:
            page.locator(f"input[name='{question.code}'][value='no']").check()


def patient_answers_the_health_pages(page: Page, csp_violations: list[str]) -> None:
    """Step 4: four short pages by topic, each scanned; one follow-up shown by a "yes"."""
    for part, step in enumerate(questionnaire.HEALTH_STEPS, start=1):
        title = questionnaire.STEP_TITLES[step]
        expect(page.get_by_role("heading", level=1)).to_contain_text(title)
        expect(page.get_by_text(f"Health and medicines, part {part} of 4")).to_be_visible()
        answer_no_on_this_page(page, step)
        if step == "skin-now":
            # Red spots: the question about deep lumps or cysts appears, and is answered.
            follow_up = page.get_by_role("group", name=re.compile(r"^Are any of the spots"))
            expect(follow_up).to_be_hidden()
            page.locator("input[name='active_inflamed_acne'][value='yes']").check()
            expect(follow_up).to_be_visible()
            follow_up.get_by_label("No, they are red spots or spots with pus").check()
        check_page(page, f"07-health-{part}-{step}", csp_violations)
        continue_(page)


def patient_fills_the_intake(page: Page, csp_violations: list[str]) -> str:
    """Up to the status page; returns the status link."""
    page.goto("/")
    check_page(page, "01-home", csp_violations)
    page.get_by_role("link", name="Start your consultation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("About you")
    check_page(page, "02-about-you", csp_violations)

    # A mistake: the email address is incomplete. The error summary names it.
    fill_about_you(page, email="aisha.tan@")
    continue_(page)
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("Enter an email address in the right format")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page, "03-about-you-error", csp_violations)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Email address")).to_be_focused()
    page.get_by_label("Email address").fill("aisha.tan@example.com")
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Your skin")
    check_page(page, "04-your-skin", csp_violations)
    page.get_by_role("radio", name=re.compile(r"^Type III:")).check()
    page.get_by_role("radio", name=re.compile(r"^Oily:")).check()
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Your goals")
    check_page(page, "05-your-goals", csp_violations)
    page.get_by_role("group", name="What would you most like to improve?").get_by_label(
        "Smaller-looking pores"
    ).check()
    page.get_by_label("A few days of redness or flaking is fine").check()

    # Save and continue later: the link comes by email; this browser forgets the answers.
    page.get_by_role("button", name="Save and continue later").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Where should we send your link?")
    expect(page.get_by_label("Email address")).to_have_value("aisha.tan@example.com")
    check_page(page, "06a-where-to-send-the-link", csp_violations)
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your answers are saved")
    expect(page.locator("main")).to_contain_text("aisha.tan@example.com")
    check_page(page, "06-saved", csp_violations)
    resume_link = link_in_last_email("aisha.tan@example.com")
    page.goto(resume_link)
    # Opening the link only asks: the answers come back after the patient says so.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Continue your consultation")
    check_page(page, "06b-continue-your-consultation", csp_violations)
    page.get_by_role("button", name="Continue my answers").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()
    patient_answers_the_health_pages(page, csp_violations)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your answers")
    expect(page.get_by_text("Smaller-looking pores")).to_be_visible()
    check_page(page, "08-check-your-answers", csp_violations)
    page.get_by_role("checkbox", name=re.compile(r"^I agree that the clinic")).check()
    page.get_by_role("checkbox", name=re.compile(r"^My answers are true")).check()
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Your answers have been sent")
    check_page(page, "09-sent", csp_violations)
    status_link = page.locator(".intake-link a").get_attribute("href")
    page.goto(status_link)
    expect(page.get_by_text("Awaiting review")).to_be_visible()
    check_page(page, "10-status-awaiting-review", csp_violations)
    return status_link


def practitioner_decides(page: Page, reference: str, csp_violations: list[str]) -> None:
    PractitionerFactory(username="drlim", first_name="Mei", last_name="Lim")
    page.goto("/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign in")
    check_page(page, "11-staff-sign-in", csp_violations)
    page.get_by_label("Username").fill("drlim")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    check_page(page, "12-review-queue", csp_violations)
    page.get_by_role("link", name=reference).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{reference} · Aisha Tan")
    check_page(page, "13-consultation", csp_violations)

    # On examination the skin is type V, not the type III the patient chose.
    page.get_by_role("link", name="Correct answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Correct answers")
    check_page(page, "14-correct-answers", csp_violations)
    page.get_by_label("Fitzpatrick phototype").select_option("5")
    page.get_by_label("What examination showed").fill("Type V on examination.")
    page.get_by_role("button", name="Save corrections and run the rules again").click()
    expect(page.get_by_role("status").get_by_text("Answers corrected")).to_be_visible()
    expect(page.get_by_text("Corrected from")).to_be_visible()
    check_page(page, "15-consultation-corrected", csp_violations)

    decision = page.locator(".decision-form")
    decision.get_by_role("radio", name=re.compile(r"^Accept the suggestion")).check()
    decision.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("status").get_by_text("Decision recorded.")).to_be_visible()
    check_page(page, "16-consultation-decided", csp_violations)


def test_a_patient_completes_the_intake_and_a_practitioner_decides(
    open_page, csp_violations, live_server, settings
):
    settings.SITE_URL = live_server.url  # links in emails point at the test server
    patient = open_page(PHONE)
    status_link = patient_fills_the_intake(patient, csp_violations)
    consultation = Consultation.objects.get(patient__email="aisha.tan@example.com")
    assert consultation.status == Consultation.Status.SUBMITTED
    assert consultation.fitzpatrick == 3

    practitioner = open_page(DESKTOP)
    practitioner_decides(practitioner, consultation.reference, csp_violations)
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.DECIDED
    assert consultation.fitzpatrick == 5

    # The analytics page is a desktop page; on a phone see test_analytics_page_on_a_phone.
    # Its numbers are counted by the worker: the first look says so, the next one shows them.
    practitioner.goto("/staff/analytics/")
    expect(practitioner.locator("#analytics-counting")).to_contain_text("being counted")
    run_queued_tasks()
    practitioner.get_by_role("link", name="Reload this page").click()
    decided = Consultation.objects.filter(decided_at__isnull=False).count()
    expect(practitioner.locator("#decided-count")).to_have_text(str(decided))
    check_page(practitioner, "17-analytics", csp_violations, scan_at=(DESKTOP,))

    # The patient's status link now shows the outcome, in plain words.
    patient.goto(status_link)
    expect(patient.get_by_text("Awaiting review")).to_have_count(0)
    expect(patient.get_by_role("heading", name=re.compile(r"^Your treatment: "))).to_be_visible()
    check_page(patient, "18-status-decided", csp_violations)


def test_a_practitioner_asks_the_newer_questions_of_a_2026_1_consultation_then_decides(
    desktop_page: Page, csp_violations
):
    """A consultation sent under questionnaire 2026.1: the rules defer (R45) until the
    practitioner records the patient's answers to the eleven newer questions."""
    legacy = ConsultationFactory(
        questionnaire_version="2026.1",
        patient__first_name="Wei Ling",
        patient__last_name="Ong",
        fitzpatrick=2,
        fitzpatrick_source="practitioner",
        goals=["texture"],
        **dict.fromkeys(rules.NEW_BOOLEAN_FIELDS_2026_2, None),
    )
    ConsentFactory(consultation=legacy)
    evaluation = evaluation_create(consultation=legacy)
    assert "ANSWERS_MISSING" in {flag["code"] for flag in evaluation.output["flags"]}
    PractitionerFactory(username="drtan", first_name="Hui", last_name="Tan")
    page = desktop_page
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("drtan")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"/staff/consultations/{legacy.reference}/")
    banner = page.locator(".answers-missing")
    expect(banner).to_contain_text("questionnaire 2026.1")
    # No treatment can be chosen yet; declining or referring can.
    expect(page.locator(".decision-form input[name='choice']")).to_have_count(1)
    check_page(page, "20-legacy-consultation", csp_violations)

    banner.get_by_role("link", name="Record the patient's answers").click()
    missing = page.locator("#not-asked")
    expect(missing).to_contain_text("Questions the patient was not asked")
    check_page(page, "21-legacy-record-answers", csp_violations)
    for code in rules.NEW_BOOLEAN_FIELDS_2026_2:
        missing.locator(f"input[name='ask_{code}'][value='no']").check()
    page.get_by_role("button", name="Save corrections and run the rules again").click()
    expect(page.get_by_role("status").get_by_text("Answers corrected")).to_be_visible()
    expect(page.locator(".answers-missing")).to_have_count(0)
    check_page(page, "22-legacy-answered", csp_violations)

    decision = page.locator(".decision-form")
    decision.get_by_role("radio", name=re.compile(r"^Accept the suggestion")).check()
    decision.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("status").get_by_text("Decision recorded.")).to_be_visible()
    check_page(page, "23-legacy-decided", csp_violations)
    legacy.refresh_from_db()
    assert legacy.status == Consultation.Status.DECIDED
    assert legacy.corrections.filter(note__startswith="Asked the patient").count() == 11


def test_analytics_page_is_accessible_on_a_phone(phone_page: Page, csp_violations):
    from tests.factories import DecisionFactory

    DecisionFactory()
    practitioner = PractitionerFactory(username="drong")
    phone_page.goto("/accounts/login/")
    phone_page.get_by_label("Username").fill(practitioner.username)
    phone_page.get_by_label("Password").fill("correct horse battery")
    phone_page.get_by_role("button", name="Sign in").click()
    snapshot_count(DateRange())  # the worker's count, which the page shows
    phone_page.goto("/staff/analytics/")
    expect(phone_page.locator("#analytics-counted")).to_be_visible()
    check_page(phone_page, "analytics-phone-scan", csp_violations, scan_at=(PHONE,))
