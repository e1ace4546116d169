"""The journey past the decision, in Chromium (issue 16's "done when"), in one story:

the scheduled task emails the first pre-session check-in, the patient answers it on a phone;
the practitioner records the session with peel parameters at the chair; the day-2 follow-up,
emailed by the task, reports blisters: the patient sees the clinic's phone and the
consultation is at the top of the queue; the pre-session check-in of session 2 reports a new
isotretinoin prescription: the session is blocked, the practitioner reads why and decides.
Every new page is scanned with axe-core and photographed at both sizes (8x-*).
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from consultations.models import CheckIn, SessionClearance, SessionRecord
from consultations.services.checkin_emails import check_ins_send_due
from consultations.services.checkins import pre_session_check_in
from tests.e2e.conftest import check_page, sign_in
from tests.factories import PractitionerFactory, coursed
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.e2e


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def _emailed_link(now: datetime.datetime, check_in: CheckIn | None = None) -> str:
    """Run the scheduled task at `now`, let the worker send, and return the link emailed (the
    one sent, or the one to `check_in` when more are due)."""
    mail.outbox.clear()
    check_ins_send_due(now=now)
    run_queued_tasks()
    links = [
        "/" + link.split("/", 3)[3]
        for message in mail.outbox
        for link in re.findall(r"https?://\S+/check-in/\S+/", message.body)
    ]
    if check_in is None:
        (link,) = links
        return link
    (link,) = [link for link in links if check_in.token in link]
    return link


def _answer_no_but(page: Page, yes: set[str]) -> None:
    """Answer each yes/no question "no", except those whose question names a word in `yes`."""
    for fieldset in page.locator("fieldset").all():
        radios = fieldset.locator("input[type=radio]")
        if radios.count() != 2:
            continue
        legend = fieldset.locator("legend").inner_text().lower()
        radios.nth(0 if any(word in legend for word in yes) else 1).check()


def test_the_course_goes_on_past_the_decision(
    phone_page: Page, desktop_page: Page, csp_violations: list[str]
):
    practitioner = PractitionerFactory(first_name="Wei", last_name="Tan")
    consultation = coursed(treatment="chemical_peel", user=practitioner)
    run_queued_tasks()  # the decision's email
    first, second = consultation.course.sessions.filter(number__in=[1, 2])

    # 1. Two days before session 1 the task emails the check-in; nothing new: no block.
    phone_page.goto(_emailed_link(_at(first.target_date - datetime.timedelta(days=2))))
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(
        "Before your session: a short safety check"
    )
    check_page(phone_page, "80-journey-check-in", csp_violations)
    _answer_no_but(phone_page, set())
    phone_page.get_by_role("button", name="Send my answers").click()
    expect(phone_page.locator("main")).not_to_contain_text("We will call you")
    check_page(phone_page, "81-journey-check-in-done", csp_violations)

    # 2. At the chair: session 1 recorded with peel parameters, two days ago so that its day-2
    # follow-up is due now; the answers were given the day before it (answers given after a
    # session do not count for it).
    performed = timezone.localdate() - datetime.timedelta(days=2)
    CheckIn.objects.filter(session=first, kind="pre_session").update(
        answered_at=_at(performed - datetime.timedelta(days=1))
    )
    sign_in(desktop_page, practitioner)
    desktop_page.goto(f"/staff/consultations/{consultation.reference}/")
    desktop_page.get_by_role("link", name="Record session 1").click()
    desktop_page.get_by_label("Date").fill(performed.isoformat())
    desktop_page.get_by_role("combobox", name="Agent").select_option("mandelic")
    desktop_page.get_by_label("Concentration (%)").fill("30")
    desktop_page.get_by_label("Contact time (minutes)").fill("3")
    desktop_page.get_by_label("Layers").fill("1")
    desktop_page.get_by_label("Neutralisation").fill("water")
    desktop_page.get_by_label("1 mild").first.check()
    desktop_page.locator("#id_pain_2").check()
    check_page(desktop_page, "82-journey-session-record", csp_violations)
    desktop_page.get_by_role("button", name="Record the session").click()
    expect(desktop_page.get_by_text("Session 1 recorded.")).to_be_visible()
    record = SessionRecord.objects.get()
    assert (record.peel_agent, record.peel_concentration_pct, record.peel_contact_minutes) == (
        "mandelic",
        30,
        3,
    )
    assert record.performed_on == performed

    # 3. Day 2: the follow-up, emailed by the task; blisters are a red flag.
    phone_page.goto(_emailed_link(timezone.now()))
    check_page(phone_page, "83-journey-day-2", csp_violations)
    phone_page.get_by_label("Yes, for 1 to 3 days").check()
    _answer_no_but(phone_page, {"blisters"})
    phone_page.get_by_role("group", name="Have dark patches appeared").get_by_label(
        "No", exact=True
    ).check()
    phone_page.get_by_label("7", exact=True).check()
    phone_page.get_by_label("About the same").check()
    phone_page.get_by_role("button", name="Send my answers").click()
    alert = phone_page.get_by_role("alert")
    expect(alert).to_contain_text("Please call the clinic today")
    expect(phone_page.locator("main")).to_contain_text(settings.CLINIC_PHONE)
    check_page(phone_page, "84-journey-red-flag", csp_violations)
    assert CheckIn.objects.get(kind="day_2").red_flag

    # ... and the consultation is at the top of the practitioners' queue, with its flag.
    desktop_page.goto("/staff/")
    attention = desktop_page.get_by_role("region", name="Needs attention now")
    expect(attention.locator("li").first).to_contain_text(consultation.reference)
    expect(attention).to_contain_text("Red flag Day-2 follow-up after session 1: blisters")
    check_page(desktop_page, "85-journey-queue-red-flag", csp_violations)

    # 4. Session 2's check-in reports a new isotretinoin prescription: the session is blocked.
    # (Session 1's day-14 follow-up is due by then too, and goes in the same run.)
    phone_page.goto(
        _emailed_link(
            _at(second.target_date - datetime.timedelta(days=2)),
            pre_session_check_in(second),
        )
    )
    _answer_no_but(phone_page, {"isotretinoin"})
    phone_page.get_by_label("I am taking it now").check()
    phone_page.get_by_role("button", name="Send my answers").click()
    expect(phone_page.get_by_text("We will call you before your session")).to_be_visible()
    expect(phone_page.locator("main")).to_contain_text(settings.CLINIC_PHONE)
    expect(phone_page.locator("main")).not_to_contain_text("R07")
    check_page(phone_page, "86-journey-blocked", csp_violations)

    # The practitioner reads why, and decides.
    desktop_page.goto(f"/staff/consultations/{consultation.reference}/")
    blocked = desktop_page.locator(".course-blocked")
    expect(blocked).to_contain_text("Session 2 is blocked")
    expect(blocked).to_contain_text("R07 new caution ISOTRETINOIN_RECENT for chemical peel")
    check_page(desktop_page, "87-journey-session-blocked", csp_violations)
    clearance = desktop_page.locator("#clear-2")
    clearance.get_by_label("Proceed (reason recorded)").check()
    clearance.get_by_role("textbox", name="Reason").fill(
        "Superficial mandelic peel only: consensus finds no reason to delay superficial peels."
    )
    clearance.get_by_role("button", name="Record the decision").click()
    expect(desktop_page.get_by_text("Session 2 cleared: it can go ahead.")).to_be_visible()
    assert SessionClearance.objects.get().by == practitioner
    second.refresh_from_db()
    assert not second.is_blocked
