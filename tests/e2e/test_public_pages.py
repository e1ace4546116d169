"""The public pages and the admin login in Chromium: accessible, CSP-clean, visible focus."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_focus_visible, check_page, focus_ring
from tests.factories import AdminFactory

pytestmark = pytest.mark.e2e


def test_home_page_is_accessible_at_phone_and_desktop_size(phone_page: Page, csp_violations):
    phone_page.goto("/")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(
        "Enlarged pores: your treatment options"
    )
    check_page(phone_page, "public-home", csp_violations)


def test_not_found_page_is_accessible(phone_page: Page, csp_violations):
    response = phone_page.goto("/no-such-page/")
    assert response.status == 404
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("We can't find that page")
    check_page(phone_page, "error-404", csp_violations)


def test_an_admin_logs_in_to_the_admin_site(desktop_page: Page, csp_violations):
    AdminFactory(username="clinicadmin")
    desktop_page.goto("/admin/")
    expect(desktop_page).to_have_url("/admin/login/?next=/admin/")
    check_page(desktop_page, "admin-login", csp_violations)
    desktop_page.get_by_label("Username").fill("clinicadmin")
    desktop_page.get_by_label("Password").fill("correct horse battery")
    desktop_page.get_by_role("button", name="Log in").click()
    expect(desktop_page.get_by_role("heading", level=1)).to_have_text("Records")
    check_page(desktop_page, "admin-index", csp_violations)


def test_keyboard_focus_is_always_visible(phone_page: Page):
    phone_page.goto("/")
    seen = []
    for _ in range(10):
        phone_page.keyboard.press("Tab")
        ring = focus_ring(phone_page)
        if ring["tag"] == "BODY":  # focus has left the page: every control was visited
            break
        seen.append(ring["text"])
        assert_focus_visible(ring)
    # The first Tab reaches the skip link (shown when focused), then the navigation.
    assert seen[:2] == ["Skip to main content", settings.CLINIC_NAME]


def test_skip_link_moves_focus_to_the_main_content(phone_page: Page):
    phone_page.goto("/")
    phone_page.keyboard.press("Tab")
    expect(phone_page.get_by_role("link", name="Skip to main content")).to_be_visible()
    phone_page.keyboard.press("Enter")
    assert phone_page.evaluate("document.activeElement.id") == "main"


def test_the_csp_watcher_notices_a_blocked_inline_script(open_page, csp_violations):
    """The watcher every browser test relies on does catch a violation."""
    page = open_page({"width": 800, "height": 600})
    page.route(
        "**/csp-probe/",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": "script-src 'self'"},
            body="<!doctype html><title>probe</title><script>document.title = 'ran'</script>",
        ),
    )
    page.goto("/csp-probe/")
    assert page.title() == "probe"
    page.wait_for_timeout(100)
    assert csp_violations, "the inline script was blocked but no violation was recorded"
    csp_violations.clear()
