"""The intake with the keyboard only: Tab, Space, arrow keys, typing and Enter; no mouse."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from consultations.models import Consultation
from tests.e2e.conftest import assert_focus_visible, focus_ring

pytestmark = pytest.mark.e2e


def tab_to(page: Page, selector: str, *, limit: int = 40) -> None:
    """Press Tab until the focused element matches `selector`; each stop shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            assert_focus_visible(focus_ring(page))
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_patient_fills_the_first_two_steps_with_the_keyboard_only(phone_page: Page):
    page = phone_page
    page.goto("/consultation/start/")

    tab_to(page, "#id_first_name")
    page.keyboard.type("Wei Ling")
    page.keyboard.press("Tab")
    page.keyboard.type("Lim")
    tab_to(page, "#id_date_of_birth_0")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("11")
    page.keyboard.press("Tab")
    page.keyboard.type("1985")
    tab_to(page, "#id_email")
    page.keyboard.type("weiling@example.com")
    page.keyboard.press("Enter")  # sends the form: "Continue" is its first button

    expect(page.get_by_role("heading", level=1)).to_contain_text("Your skin")
    # Radio groups: Tab enters the group, arrow keys choose, Space ticks the focused one.
    tab_to(page, "input[name='fitzpatrick_self_report']")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Type III", exact=False)).to_be_checked()
    tab_to(page, "input[name='sebum']")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    tab_to(page, "button[value='next']")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Your goals")
    consultation = Consultation.objects.get(patient__email="weiling@example.com")
    assert consultation.patient.first_name == "Wei Ling"
    assert (consultation.fitzpatrick_self_report, consultation.sebum) == (3, "oily")


def test_the_error_summary_takes_the_focus_and_leads_to_the_field(phone_page: Page):
    page = phone_page
    page.goto("/consultation/start/")
    tab_to(page, "button[value='next']")
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    tab_to(page, "#error-summary a")
    page.keyboard.press("Enter")
    expect(page.locator("#id_first_name")).to_be_focused()
