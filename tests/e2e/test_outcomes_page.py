"""The analytics page's outcomes in Chromium: accessible at both sizes, no CSP violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from consultations.insight.analytics import DateRange
from consultations.insight.outcome_snapshots import snapshot_count
from tests.e2e.conftest import DESKTOP, PHONE, check_page, sign_in
from tests.factories import PractitionerFactory, SessionRecordFactory, coursed

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_outcomes_are_readable_and_accessible(open_page, csp_violations, size):
    for adverse in ([], ["blistering"]):
        consultation = coursed(treatment="chemical_peel", hsv_history=True)
        SessionRecordFactory(
            session=consultation.course.sessions.get(number=1), adverse_events=adverse
        )
    snapshot_count(DateRange())
    page: Page = open_page(size)
    sign_in(page, PractitionerFactory())

    page.goto("/staff/analytics/")

    table = page.locator("#table-outcomes")
    expect(table).to_contain_text("Chemical peel")
    expect(table).to_contain_text("1 of 2")
    expect(table).to_contain_text("too few to say")
    expect(page.locator("#table-outcome-rules")).to_contain_text("R26")
    name = "outcomes-" + ("phone" if size == PHONE else "desktop")
    check_page(page, name, csp_violations, scan_at=(size,))
