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

from consultations.models import HEALTH_FIELDS, Consultation
from tests.e2e.conftest import DESKTOP, PHONE, check_page
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.e2e

LINK = re.compile(r"https?://\S+")


def link_in_last_email(to: str) -> str:
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


def answer_no_to_every_health_question(page: Page) -> None:
    for name in (*HEALTH_FIELDS, "takes_other_medicines", "has_allergies"):
        page.locator(f"input[name='{name}'][value='no']").check()


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
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your answers are saved")
    check_page(page, "06-saved", csp_violations)
    resume_link = link_in_last_email("aisha.tan@example.com")
    page.goto(resume_link)
    # Opening the link only asks: the answers come back after the patient says so.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Continue your consultation")
    check_page(page, "06b-continue-your-consultation", csp_violations)
    page.get_by_role("button", name="Continue my answers").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Health and medicines")
    check_page(page, "07-health", csp_violations)
    answer_no_to_every_health_question(page)
    continue_(page)

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
    practitioner.goto("/staff/analytics/")
    expect(practitioner.get_by_role("heading", level=1)).to_be_visible()
    check_page(practitioner, "17-analytics", csp_violations, scan_at=(DESKTOP,))

    # The patient's status link now shows the outcome, in plain words.
    patient.goto(status_link)
    expect(patient.get_by_text("Awaiting review")).to_have_count(0)
    expect(patient.get_by_role("heading", name=re.compile(r"^Your treatment: "))).to_be_visible()
    check_page(patient, "18-status-decided", csp_violations)


def test_analytics_page_is_accessible_on_a_phone(phone_page: Page, csp_violations):
    from tests.factories import DecisionFactory

    DecisionFactory()
    practitioner = PractitionerFactory(username="drong")
    phone_page.goto("/accounts/login/")
    phone_page.get_by_label("Username").fill(practitioner.username)
    phone_page.get_by_label("Password").fill("correct horse battery")
    phone_page.get_by_role("button", name="Sign in").click()
    phone_page.goto("/staff/analytics/")
    check_page(phone_page, "analytics-phone-scan", csp_violations, scan_at=(PHONE,))
