"""Which Chromium the browser tests drive. `make test` runs this first (`python -m
tests.e2e.browser`): it finds a browser, or installs Playwright's own, or stops with one
sentence saying what to install. The e2e conftest asks `find()` the same question.

In order: `CHROMIUM_PATH`; a Chromium or Chrome the system installed (Debian's `chromium`,
Ubuntu's `chromium-browser`, Google Chrome, the macOS applications); Playwright's own Chromium,
downloaded by `playwright install chromium` where the network allows it.
No Django here: it runs before anything is configured.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
MAC_APPS = (
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
)
# Without the background-networking flags Chromium keeps calling home, and a closed network
# refuses every attempt.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WHAT_TO_INSTALL = (
    "The browser tests need Chromium and none could be found or downloaded: install it "
    "(Debian: sudo apt-get install chromium; Ubuntu: sudo apt-get install chromium-browser; "
    "macOS: brew install --cask chromium) or set CHROMIUM_PATH, then run make test again."
)
WONT_START = (
    "The browser tests need a Chromium that starts, and {path} does not: install a working "
    "Chromium (Debian: sudo apt-get install chromium; for Playwright's own, its system "
    "libraries: sudo .venv/bin/python -m playwright install-deps chromium) or set CHROMIUM_PATH."
)


def system_browser() -> str | None:
    """CHROMIUM_PATH when set (even if wrong: the caller says so), else a system browser."""
    if configured := os.environ.get("CHROMIUM_PATH"):
        return configured
    for name in SYSTEM_NAMES:
        if found := shutil.which(name):
            return found
    return next((app for app in MAC_APPS if Path(app).is_file()), None)


def playwright_browser() -> str | None:
    """Playwright's own Chromium, when it has been downloaded."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        path = playwright.chromium.executable_path
    return path if Path(path).is_file() else None


def find() -> str | None:
    return system_browser() or playwright_browser()


def starts(path: str) -> bool:
    """Whether the browser at `path` really starts (a placeholder `chromium-browser` or a
    download missing its system libraries is a file that does not)."""
    from playwright.sync_api import Error, sync_playwright

    try:
        with sync_playwright() as playwright:
            playwright.chromium.launch(
                executable_path=path, args=CHROMIUM_ARGS, timeout=60_000
            ).close()
    except Error:
        return False
    return True


def install() -> str | None:
    """Download Playwright's Chromium (quietly); its path when that worked."""
    subprocess.run(
        [sys.executable, "-m", "playwright", "install", "chromium"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
        timeout=900,
    )
    return playwright_browser()


def main() -> int:
    path = find()
    if path and not Path(path).is_file():
        print(f"CHROMIUM_PATH is {path}, which is not a file: fix it or unset it.", file=sys.stderr)
        return 1
    if path is None:
        print("No Chromium found; downloading Playwright's (one time).", flush=True)
        path = install()
    if path is None:
        print(WHAT_TO_INSTALL, file=sys.stderr)
        return 1
    if not starts(path):
        print(WONT_START.format(path=path), file=sys.stderr)
        return 1
    print(f"Browser tests use {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
