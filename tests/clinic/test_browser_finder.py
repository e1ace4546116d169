"""`make test` finds a Chromium for the browser tests, or downloads Playwright's, or stops at
once with one sentence saying what to install (tests/e2e/browser.py)."""

from __future__ import annotations

import stat
import subprocess
import sys

import pytest

from tests.e2e import browser


@pytest.fixture
def bare_machine(tmp_path, monkeypatch):
    """A PATH with no browser on it, no CHROMIUM_PATH, no macOS application."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CHROMIUM_PATH", raising=False)
    monkeypatch.setattr(browser, "MAC_APPS", ())
    return tmp_path


def test_a_chromium_on_the_path_is_used_under_any_of_its_usual_names(bare_machine):
    fake = bare_machine / "chromium-browser"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)

    assert browser.system_browser() == str(fake)


def test_chromium_path_wins_and_a_wrong_one_is_named(bare_machine, monkeypatch, capsys):
    monkeypatch.setenv("CHROMIUM_PATH", str(bare_machine / "nowhere"))

    assert browser.main() == 1
    assert capsys.readouterr().err == (
        f"CHROMIUM_PATH is {bare_machine / 'nowhere'}, which is not a file: fix it or unset it.\n"
    )


def test_with_no_browser_and_no_download_it_stops_with_one_sentence(
    bare_machine, monkeypatch, capsys
):
    monkeypatch.setattr(browser, "playwright_browser", lambda: None)
    tried = []
    monkeypatch.setattr(browser, "install", lambda: tried.append(True))

    assert browser.main() == 1
    out = capsys.readouterr()
    assert tried == [True]
    assert out.out == "No Chromium found; downloading Playwright's (one time).\n"
    assert out.err.count("\n") == 1
    assert "install it (Debian: sudo apt-get install chromium;" in out.err


def test_a_downloaded_playwright_browser_is_used(bare_machine, monkeypatch, capsys):
    downloaded = bare_machine / "chrome"
    downloaded.write_text("")
    monkeypatch.setattr(browser, "playwright_browser", lambda: None)
    monkeypatch.setattr(browser, "install", lambda: str(downloaded))
    monkeypatch.setattr(browser, "starts", lambda path: path == str(downloaded))

    assert browser.main() == 0
    assert capsys.readouterr().out.endswith(f"Browser tests use {downloaded}\n")


def test_a_browser_that_will_not_start_is_named_not_used(bare_machine, capsys):
    placeholder = bare_machine / "chromium-browser"  # as some distributions ship it
    placeholder.write_text("#!/bin/sh\necho 'install the snap instead' >&2\nexit 1\n")
    placeholder.chmod(placeholder.stat().st_mode | stat.S_IXUSR)

    assert browser.main() == 1
    err = capsys.readouterr().err
    assert err.startswith(f"The browser tests need a Chromium that starts, and {placeholder}")
    assert err.count("\n") == 1


@pytest.mark.e2e  # needs the browser the browser tests use
def test_the_chromium_found_here_starts():
    # In its own process, as `make test` runs it: after the browser tests, this process already
    # holds Playwright's event loop, and a second sync Playwright inside it refuses to start.
    finder = subprocess.run(
        [sys.executable, "-m", "tests.e2e.browser"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert finder.returncode == 0, finder.stderr
    assert finder.stdout.startswith("Browser tests use ")
