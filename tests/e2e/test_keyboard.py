"""The intake with the keyboard only: Tab, Space, arrow keys, typing and Enter; no mouse."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from consultations.models import Consultation
from tests.e2e.conftest import (
    assert_focus_visible,
    border_colour,
    check_page,
    contrast_ratio,
    focus_ring,
)

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


def test_radio_buttons_and_boxes_have_visible_edges_and_errors_sit_above_them(
    phone_page: Page, csp_violations
):
    """WCAG 1.4.11: the edge of an unticked radio button or a text box is at least 3:1 against
    the page. An unanswered question shows its message above the options, in the GOV.UK way,
    without turning every option red."""
    page = phone_page
    page.goto("/consultation/start/")
    for selector in ("#id_first_name",):
        assert contrast_ratio(border_colour(page, selector), "rgb(255, 255, 255)") >= 3
    fill_about_you_quickly(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your skin")
    radio = "input[name='sebum'][value='dry']"
    assert contrast_ratio(border_colour(page, radio), "rgb(255, 255, 255)") >= 3
    page.get_by_role("button", name="Continue", exact=True).click()
    fieldset = page.locator("#div_id_sebum")
    message = fieldset.locator(".invalid-feedback")
    expect(message).to_contain_text("Choose how your face looks and feels")
    first_option = fieldset.locator(".form-check").first
    assert message.bounding_box()["y"] < first_option.bounding_box()["y"]
    label_colour = fieldset.locator(".form-check-label").first.evaluate(
        "el => getComputedStyle(el).color"
    )
    assert contrast_ratio(label_colour, "rgb(255, 255, 255)") >= 7  # not the error red
    check_page(page, "04b-your-skin-error", csp_violations)


def fill_about_you_quickly(page: Page) -> None:
    page.get_by_label("First name").fill("Hui Min")
    page.get_by_label("Last name").fill("Goh")
    date = page.get_by_role("group", name="Date of birth")
    date.get_by_label("Day").fill("3")
    date.get_by_label("Month").fill("9")
    date.get_by_label("Year").fill("1988")
    page.get_by_label("Email address").fill("huimin@example.com")
    page.get_by_role("button", name="Continue", exact=True).click()
