"""The practitioner's side of the course in Chromium: a check-in blocked a session (the page
says why), the practitioner clears it, then records the session with peel parameters on a
tablet, a mistake first. Each page is scanned with axe-core and photographed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from consultations.models import SessionRecord
from tests.course.helpers import blocked, checked_in, peel_course
from tests.e2e.conftest import check_page, sign_in
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.e2e
TABLET = {"width": 820, "height": 1180}


def test_a_blocked_session_is_cleared_then_recorded_with_peel_parameters_on_a_tablet(
    open_page, csp_violations
):
    consultation = peel_course()
    checked_in(consultation)  # then a later answer blocks the session
    blocked(
        consultation,
        1,
        reasons=[{"rule": "R20", "flag": "ISOTRETINOIN_RECENT", "text": "New isotretinoin"}],
        isotretinoin_last_6_months=True,
        isotretinoin_timing="stopped_1_to_6_months",
    )
    page: Page = open_page(TABLET)
    sign_in(page, PractitionerFactory(username="drtan", first_name="Wei", last_name="Tan"))
    page.goto(f"/staff/consultations/{consultation.reference}/")

    blocked_alert = page.locator(".course-blocked")
    expect(blocked_alert).to_contain_text("Session 1 is blocked")
    expect(blocked_alert).to_contain_text("New isotretinoin")
    check_page(page, "70-course-blocked", csp_violations)

    decision = page.locator("#clear-1")
    decision.get_by_label("Proceed (reason recorded)").check()
    decision.get_by_role("textbox", name="Reason").fill(
        "Stopped isotretinoin 5 months ago; superficial peel"
    )
    decision.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Session 1 cleared: it can go ahead.")).to_be_visible()

    page.get_by_role("link", name="Record session 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record session 1")
    # Only the chosen treatment's parameters show.
    expect(page.get_by_label("Concentration (%)")).to_be_visible()
    expect(page.get_by_label("Wavelength (nm)")).to_be_hidden()
    check_page(page, "71-session-record", csp_violations)

    page.get_by_role("combobox", name="Agent").select_option("mandelic")
    page.get_by_label("Contact time (minutes)").fill("3")
    page.get_by_label("1 mild").first.check()
    page.locator("#id_pain_3").check()
    page.get_by_role("button", name="Record the session").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Enter the concentration in %.")
    expect(page.get_by_label("Contact time (minutes)")).to_have_value("3")
    check_page(page, "72-session-record-error", csp_violations)

    summary.get_by_role("link").first.click()
    page.get_by_label("Concentration (%)").fill("30")
    page.get_by_role("button", name="Record the session").click()
    expect(page.get_by_text("Session 1 recorded.")).to_be_visible()
    expect(page.locator("#session-1")).to_contain_text("agent mandelic acid, concentration 30%")
    record = SessionRecord.objects.get()
    assert (record.peel_agent, record.peel_concentration_pct, record.pain) == ("mandelic", 30, 3)


def test_a_session_without_its_check_in_offers_the_tablet_or_asks_why(open_page, csp_violations):
    consultation = peel_course()
    page: Page = open_page(TABLET)
    sign_in(page, PractitionerFactory(username="drlim", first_name="Mei", last_name="Lim"))
    page.goto(f"/staff/consultations/{consultation.reference}/sessions/1/record/")

    state = page.locator(".check-in-state")
    expect(state).to_contain_text("The patient has not answered the check-in before this session.")
    expect(state.get_by_role("button", name="Check in on this tablet now")).to_be_visible()
    check_page(page, "73-session-record-no-check-in", csp_violations)

    page.get_by_role("combobox", name="Agent").select_option("mandelic")
    page.get_by_label("Concentration (%)").fill("30")
    page.get_by_label("Contact time (minutes)").fill("3")
    page.get_by_label("1 mild").first.check()
    page.locator("#id_pain_2").check()
    page.get_by_role("button", name="Record the session").click()
    expect(page.locator("#error-summary")).to_contain_text("check in on the tablet first")
    page.get_by_label("Answered verbally at the chair").check()
    page.get_by_role("button", name="Record the session").click()
    expect(page.get_by_text("Session 1 recorded.")).to_be_visible()
    expect(page.locator("#session-1")).to_contain_text(
        "Recorded without the patient's check-in: answered verbally at the chair · Mei Lim"
    )
