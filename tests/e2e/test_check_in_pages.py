"""The course's new pages in Chromium: the pre-session check-in that blocks a session, a day-2
follow-up with a red flag, the status page with the course, and the practitioners' queue and
detail page with what needs attention. Each is scanned with axe-core at phone and desktop size.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from consultations.services.checkins import follow_ups_plan, pre_session_check_in
from tests.e2e.conftest import PHONE, check_page, sign_in
from tests.factories import PractitionerFactory, SessionRecordFactory, coursed

pytestmark = pytest.mark.e2e


def answer_no_to_everything_but(page: Page, yes: set[str]) -> None:
    for fieldset in page.locator("fieldset").all():
        legend = fieldset.locator("legend").inner_text()
        radios = fieldset.locator("input[type=radio]")
        if radios.count() != 2:
            continue
        choice = 0 if any(words in legend for words in yes) else 1
        radios.nth(choice).check()


def test_a_new_cold_sore_blocks_the_session_and_the_practitioner_sees_why(
    phone_page: Page, desktop_page: Page, csp_violations
):
    consultation = coursed(treatment="chemical_peel")
    session = consultation.course.sessions.get(number=1)
    check_in = pre_session_check_in(session)

    phone_page.goto(f"/check-in/{check_in.token}/")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(
        "Before your session: a short safety check"
    )
    check_page(phone_page, "60-check-in-pre-session", csp_violations)
    phone_page.get_by_role("button", name="Send my answers").click()
    expect(phone_page.locator("#error-summary")).to_be_focused()
    check_page(phone_page, "61-check-in-pre-session-errors", csp_violations)
    answer_no_to_everything_but(phone_page, {"cold sore"})
    phone_page.get_by_role("button", name="Send my answers").click()
    expect(phone_page.get_by_text("We will call you before your session")).to_be_visible()
    check_page(phone_page, "62-check-in-blocked", csp_violations)

    sign_in(desktop_page, PractitionerFactory())
    desktop_page.goto("/staff/")
    attention = desktop_page.get_by_role("region", name="Needs attention now")
    expect(attention).to_contain_text(consultation.reference)
    expect(attention).to_contain_text("R01 stop flag ACTIVE_INFECTION")
    check_page(desktop_page, "63-queue-attention", csp_violations)


def test_a_red_flag_follow_up_tells_the_patient_what_to_do_and_a_practitioner_handles_it(
    phone_page: Page, desktop_page: Page, csp_violations
):
    consultation = coursed(treatment="chemical_peel")
    session = consultation.course.sessions.get(number=1)
    done_on = timezone.localdate() - datetime.timedelta(days=2)
    SessionRecordFactory(session=session, performed_on=done_on)
    session.status = "done"
    session.save(update_fields=["status"])
    day_2, _ = follow_ups_plan(session, done_on)

    phone_page.goto(f"/c/{consultation.public_token}/")
    expect(phone_page.get_by_role("heading", name="Your treatment course")).to_be_visible()
    check_page(phone_page, "64-status-course", csp_violations)
    phone_page.get_by_role("link", name="Answer the questions").click()
    check_page(phone_page, "65-check-in-follow-up", csp_violations)
    phone_page.get_by_label("Yes, for 1 to 3 days").check()
    answer_no_to_everything_but(phone_page, {"blisters"})
    phone_page.get_by_label("Yes, and they are spreading or getting darker").check()
    phone_page.get_by_label("6", exact=True).check()
    phone_page.get_by_label("About the same").check()
    phone_page.get_by_role("button", name="Send my answers").click()
    expect(phone_page.get_by_role("alert")).to_contain_text("Please call the clinic today")
    check_page(phone_page, "66-check-in-red-flag", csp_violations)

    sign_in(desktop_page, PractitionerFactory())
    desktop_page.goto(f"/staff/consultations/{consultation.reference}/")
    check_page(desktop_page, "67-detail-red-flag", csp_violations)
    desktop_page.get_by_label("What was done").fill("Called the patient; seen today.")
    desktop_page.get_by_role("button", name="Mark handled").click()
    expect(desktop_page.get_by_text("Red flag marked handled.")).to_be_visible()
    desktop_page.set_viewport_size(PHONE)
    assert desktop_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    day_2.refresh_from_db()
    assert day_2.red_flag_handled_at is not None
