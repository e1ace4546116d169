"""What the people using it see, point by point (issue 14), in Chromium at phone and desktop
size: each page scanned with axe-core and photographed (artifacts/screenshots/4x-*).

The intake journey, the queue, the printable summary and the admin pages have their own files
(test_journey.py, test_staff_pages.py); the points here are the ones they do not walk through.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from consultations.models import Decision, DecisionOutcome, DecisionReason
from tests.e2e.conftest import DESKTOP, check_page, sign_in
from tests.factories import PractitionerFactory, decided, submitted

pytestmark = pytest.mark.e2e


# --- Patients ---------------------------------------------------------------------------------


def test_every_page_says_who_the_clinic_is_and_how_to_reach_it(phone_page: Page, csp_violations):
    phone_page.goto("/")
    expect(phone_page.locator("header")).to_contain_text(settings.CLINIC_NAME)
    footer = phone_page.locator("footer")
    expect(footer).to_contain_text(settings.CLINIC_PHONE)
    expect(footer).to_contain_text(settings.CLINIC_ADDRESS)
    expect(footer.get_by_role("link", name="Privacy notice")).to_be_visible()
    footer.get_by_role("link", name="Privacy notice").click()
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("Privacy")
    check_page(phone_page, "40-privacy-notice", csp_violations)


def test_a_patient_under_18_is_told_to_book_in_person_with_the_clinics_number(
    phone_page: Page, csp_violations
):
    phone_page.goto("/consultation/start/")
    phone_page.get_by_label("First name").fill("Ming")
    phone_page.get_by_label("Last name").fill("Lee")
    phone_page.get_by_label("Day").fill("1")
    phone_page.get_by_label("Month").fill("1")
    phone_page.get_by_label("Year").fill("2015")
    phone_page.get_by_label("Email address").fill("ming@example.com")
    phone_page.get_by_role("button", name="Continue", exact=True).click()
    expect(phone_page.locator(".error-summary, [role=alert]").first).to_contain_text("18 or over")
    expect(phone_page.get_by_text(settings.CLINIC_PHONE).first).to_be_visible()
    check_page(phone_page, "41-under-18", csp_violations)


def test_a_mistyped_address_is_caught_before_the_link_goes_and_can_be_fixed_after(
    phone_page: Page, csp_violations
):
    phone_page.goto("/consultation/start/")
    phone_page.get_by_label("Email address").fill("sam.lim@gmial.com")
    phone_page.get_by_role("button", name="Save and continue later").click()
    expect(phone_page.get_by_text("Did you mean sam.lim@gmail.com?")).to_be_visible()
    check_page(phone_page, "48-did-you-mean", csp_violations)
    phone_page.get_by_role("button", name="Yes, send it to sam.lim@gmail.com").click()
    expect(phone_page.locator("main")).to_contain_text(
        "We have emailed a private link to sam.lim@gmail.com"
    )
    phone_page.get_by_text("Wrong email address?").click()
    check_page(phone_page, "49-saved-wrong-address", csp_violations)
    phone_page.get_by_label("Email address").fill("sam.lim@example.com")
    phone_page.get_by_role("button", name="Send the link to this address").click()
    expect(phone_page.locator("main")).to_contain_text(
        "We have emailed a private link to sam.lim@example.com"
    )


def test_a_referred_patient_reads_the_practitioners_message_and_who_to_call(
    phone_page: Page, csp_violations
):
    consultation = decided(
        outcome=DecisionOutcome.DECLINED, reason_code=DecisionReason.REFER_TO_DOCTOR
    )
    Decision.objects.filter(consultation=consultation).update(
        patient_message="Please see your GP about the patch on your cheek before any treatment."
    )
    phone_page.goto(f"/c/{consultation.public_token}/")
    expect(phone_page.locator(".practitioner-message")).to_contain_text("Please see your GP")
    expect(phone_page.locator(".outcome")).to_contain_text(settings.CLINIC_PHONE)
    expect(phone_page.get_by_text("not recommended for now")).to_have_count(0)
    check_page(phone_page, "42-status-referred", csp_violations)


def test_a_patient_waiting_for_review_is_told_when_they_will_hear(phone_page: Page, csp_violations):
    consultation = submitted()
    phone_page.goto(f"/c/{consultation.public_token}/")
    expect(phone_page.locator("main")).to_contain_text("working day")
    expect(phone_page.get_by_text("Consent text version")).to_have_count(0)
    check_page(phone_page, "43-status-waiting", csp_violations)


# --- Practitioners ------------------------------------------------------------------------------


def test_the_decision_is_deliberate_and_the_explanation_reads_in_ten_seconds(
    desktop_page: Page, csp_violations
):
    consultation = submitted(
        fitzpatrick=2,
        fitzpatrick_source="practitioner",
        sebum="oily",
        other_medicines="Doxycycline 100 mg for acne",
        photosensitising_meds=False,
    )
    sign_in(desktop_page, PractitionerFactory(username="drchia"))
    desktop_page.goto(f"/staff/consultations/{consultation.reference}/")

    expect(desktop_page.locator(".summary-line")).to_contain_text("Summary: ")
    expect(desktop_page.locator(".facts")).to_contain_text("Type II (practitioner)")
    expect(desktop_page.locator(".free-text-alerts")).to_contain_text(
        "answered No: check with the patient"
    )
    expect(desktop_page.locator("td mark", has_text="Doxycycline")).to_be_visible()
    expect(desktop_page.locator(".stance-for").first).to_be_visible()
    for radio in desktop_page.locator(".decision-form input[name='choice']").all():
        expect(radio).not_to_be_checked()
    check_page(desktop_page, "44-decision-explained", csp_violations)

    desktop_page.get_by_role("button", name="Record decision").click()
    expect(desktop_page.get_by_role("alert").first).to_contain_text("Choose")
    check_page(desktop_page, "45-decision-not-chosen", csp_violations)
    assert not Decision.objects.exists()


def test_a_conflict_names_what_happened_and_a_refresh_sends_nothing(open_page, csp_violations):
    consultation = submitted()
    mine, theirs = open_page(DESKTOP), open_page(DESKTOP)
    sign_in(mine, PractitionerFactory(username="drmine"))
    sign_in(theirs, PractitionerFactory(username="drtheirs", first_name="Siti", last_name="Rahman"))
    url = f"/staff/consultations/{consultation.reference}/"
    mine.goto(url)
    theirs.goto(url)

    theirs.locator(".decision-form").get_by_role(
        "radio", name=re.compile(r"^Accept the suggestion")
    ).check()
    theirs.get_by_role("button", name="Record decision").click()
    expect(theirs.get_by_text("Decision recorded.")).to_be_visible()

    form = mine.locator(".decision-form")
    form.get_by_role("radio", name=re.compile(r"^Decline or refer")).check()
    mine.get_by_label("Reason").select_option("refer_to_doctor")
    form.get_by_label("Notes").first.fill("Mole to be checked first")
    mine.get_by_role("button", name="Record decision").click()
    expect(mine.get_by_text("Another practitioner, Siti Rahman, decided this")).to_be_visible()
    expect(mine.get_by_text("answers were corrected")).to_have_count(0)
    check_page(mine, "46-decision-conflict", csp_violations)

    mine.reload()  # a GET: nothing is posted again
    expect(mine.get_by_text("Nothing was saved")).to_have_count(0)
    assert Decision.objects.count() == 1


def test_declining_starts_from_the_clinics_message_for_the_reason(
    desktop_page: Page, csp_violations
):
    consultation = submitted()
    sign_in(desktop_page, PractitionerFactory(username="drlow"))
    desktop_page.goto(f"/staff/consultations/{consultation.reference}/")
    form = desktop_page.locator(".decision-form")
    form.get_by_role("radio", name=re.compile(r"^Decline or refer")).check()
    desktop_page.get_by_label("Reason").select_option("refer_to_doctor")
    box = form.locator("textarea[name='patient_message']")
    expect(box).to_have_value(re.compile(r"^Your practitioner would like a doctor to look"))
    check_page(desktop_page, "47-decline-message", csp_violations)

    box.fill("Please see your GP about the mole first. We would be glad to see you after.")
    desktop_page.get_by_label("Reason").select_option("clinical_judgement")
    expect(box).to_have_value(re.compile(r"^Please see your GP about the mole"))  # kept
    desktop_page.get_by_role("button", name="Record decision").click()
    expect(desktop_page.locator(".patient-message-sent")).to_contain_text("about the mole")
