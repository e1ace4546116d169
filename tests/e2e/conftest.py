"""Browser fixtures: Chromium (tests/e2e/browser.py says which) driven by Playwright against
the live test server.

Every page a test opens is watched for Content-Security-Policy violations (a test fails on
any); `check_page` scans the page with axe-core (WCAG 2.1 A and AA rules) and writes a
screenshot at phone and at desktop size to artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, ConsoleMessage, Page

from tests.e2e import browser

ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = browser.CHROMIUM_ARGS
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CSP_MESSAGE = re.compile(r"Content[ -]Security[ -]Policy", re.IGNORECASE)

_axe = Axe()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch options, pointed at the Chromium `browser.find()` chose
    (`make test` has already found or installed one, or stopped saying what to install)."""
    path = browser.find()
    if path is None or not Path(path).is_file():
        pytest.fail(browser.WHAT_TO_INSTALL)
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _fresh_screenshots() -> None:
    """Only this run's screenshots in artifacts/screenshots/."""
    if SCREENSHOTS.exists():
        for old in SCREENSHOTS.glob("*.png"):
            old.unlink()


@pytest.fixture
def csp_violations() -> list[str]:
    """What the browser refused under the Content-Security-Policy, from every page opened."""
    return []


@pytest.fixture
def open_page(
    new_context: Callable[..., BrowserContext], live_server, csp_violations: list[str]
) -> Iterator[Callable[[dict], Page]]:
    """Open a page of the live server in a fresh browser (own cookies) at the given size."""

    def record(message: ConsoleMessage) -> None:
        # A violation with no source URL comes from a script the test ran through
        # page.evaluate: axe-core adds a <style> of its own on some pages. Everything the app
        # sends (its HTML, its static scripts) reports the URL it came from.
        if CSP_MESSAGE.search(message.text) and message.location.get("url"):
            csp_violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def open_(viewport: dict) -> Page:
        context = new_context(viewport=viewport, base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(10_000)
        context.on("console", record)
        return context.new_page()

    yield open_
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)


@pytest.fixture
def phone_page(open_page: Callable[[dict], Page]) -> Page:
    return open_page(PHONE)


@pytest.fixture
def desktop_page(open_page: Callable[[dict], Page]) -> Page:
    return open_page(DESKTOP)


def focus_ring(page: Page) -> dict:
    """The focused element and the computed styles that would show its focus."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName, id: el.id, text: (el.textContent || '').trim().slice(0, 40),
                outline: style.outlineStyle, outlineWidth: style.outlineWidth,
                boxShadow: style.boxShadow,
            };
        }"""
    )


def assert_focus_visible(ring: dict) -> None:
    """A visible outline or box shadow marks the focused element (WCAG 2.4.7)."""
    outline = ring["outline"] != "none" and ring["outlineWidth"] not in ("0px", "")
    assert outline or ring["boxShadow"] not in ("none", ""), f"focus not visible: {ring}"


def assert_accessible(page: Page) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def screenshot(page: Page, name: str) -> None:
    """Write name-phone.png and name-desktop.png, then give the page back its own size."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    own_size = page.viewport_size
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size(own_size)


def check_page(
    page: Page,
    name: str,
    csp_violations: list[str],
    *,
    scan_at: tuple[dict, ...] = (PHONE, DESKTOP),
) -> None:
    """Screenshots at both sizes, an axe scan at each size of `scan_at`, and no CSP violation."""
    screenshot(page, name)
    own_size = page.viewport_size
    for size in scan_at:
        page.set_viewport_size(size)
        assert_accessible(page)
    page.set_viewport_size(own_size)
    assert not csp_violations, "\n".join(csp_violations)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours (alpha ignored)."""

    def luminance(css: str) -> float:
        red, green, blue = (float(n) for n in re.findall(r"[\d.]+", css)[:3])

        def channel(value: float) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def border_colour(page: Page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).borderTopColor")


def sign_in(page: Page, user, *, admin: bool = False) -> None:
    """Sign in through the staff (or admin) login form, as a person would."""
    page.goto("/admin/login/" if admin else "/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in" if admin else "Sign in").click()
    page.wait_for_load_state()
