"""Staff pages in Chromium beyond the journey: the printable summary as paper (PDF), the queue
with stop rows, and the admin pages a clinic admin uses. Each is scanned with axe-core and
photographed at phone and desktop size."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.conftest import DESKTOP, PHONE, check_page, sign_in
from tests.factories import (
    AdminFactory,
    PractitionerFactory,
    decided,
    flagged_decision,
    submitted,
)

pytestmark = pytest.mark.e2e


def pdf_pages(page: Page) -> list[str]:
    """The page printed to A4 as Chromium prints it: each sheet's text."""
    reader = PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True)))
    return [re.sub(r"\s+", " ", sheet.extract_text()) for sheet in reader.pages]


def test_the_printable_summary_is_a_compact_staff_document_with_the_reference_on_every_page(
    desktop_page: Page, csp_violations
):
    consultation = flagged_decision()
    consultation.patient.first_name, consultation.patient.last_name = "Nur", "Aziz"
    consultation.patient.save()
    sign_in(desktop_page, PractitionerFactory(username="drng"))

    desktop_page.goto(f"/staff/consultations/{consultation.reference}/print/")
    expect(desktop_page.get_by_role("heading", level=1)).to_have_text("Consultation summary")
    check_page(desktop_page, "30-print-summary", csp_violations)
    desktop_page.set_viewport_size(PHONE)
    assert desktop_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    desktop_page.set_viewport_size(DESKTOP)

    sheets = pdf_pages(desktop_page)
    assert 1 <= len(sheets) <= 2, f"{len(sheets)} A4 pages"
    for number, sheet in enumerate(sheets, start=1):
        assert f"Consultation {consultation.reference} · Nur Aziz" in sheet
        assert f"Page {number} of {len(sheets)}" in sheet
    paper = " ".join(sheets)
    assert settings.CLINIC_NAME in sheets[0]
    assert "The patient consented to the clinic processing their answers" in paper
    for line in ("Practitioner (name)", "Signature", "Patient signature", "Date"):
        assert line in paper
    assert "Chose another treatment: Microdermabrasion" in paper


def test_a_long_consultation_still_heads_each_page(desktop_page: Page):
    consultation = submitted(
        fitzpatrick=5,
        sebum="oily",
        pregnant=True,
        hsv_history=True,
        active_inflamed_acne=True,
        salicylate_allergy=True,
        other_medicines="Doxycycline 100 mg daily for acne. " * 12,
        previous_treatments="Chemical peel in 2024, microdermabrasion in 2023. " * 10,
    )
    sign_in(desktop_page, PractitionerFactory(username="drho"))
    desktop_page.goto(f"/staff/consultations/{consultation.reference}/print/")

    sheets = pdf_pages(desktop_page)
    assert len(sheets) >= 2
    for sheet in sheets:
        assert f"Consultation {consultation.reference}" in sheet


def test_the_queue_with_stop_rows_is_accessible(desktop_page: Page, csp_violations):
    submitted(recent_tan=True, fitzpatrick=4)
    submitted(pregnant=True)
    submitted()
    sign_in(desktop_page, PractitionerFactory(username="drqueue"))
    desktop_page.goto("/staff/")
    expect(desktop_page.locator("tr.row-stop").first).to_be_visible()
    check_page(desktop_page, "31-queue-stop-rows", csp_violations)


def test_the_queue_is_a_work_list(desktop_page: Page, csp_violations):
    """Waiting times, an order, the Decided tab's outcomes, a search that looks in every status,
    and "Record and open next" pressed in the browser (its script carries the button)."""
    now = timezone.now()
    first = submitted(submitted_at=now - datetime.timedelta(days=6))
    following = submitted(submitted_at=now - datetime.timedelta(days=3), pregnant=True)
    done = decided(decided_by=PractitionerFactory(first_name="Mei", last_name="Lim"))
    sign_in(desktop_page, PractitionerFactory(username="drworklist"))

    desktop_page.goto("/staff/")
    expect(desktop_page.get_by_role("columnheader", name="Waiting")).to_be_visible()
    expect(desktop_page.locator("tr", has_text=first.reference)).to_contain_text("6 days")
    desktop_page.get_by_label("Order").select_option("newest")
    desktop_page.get_by_role("button", name="Filter").click()
    rows = desktop_page.locator("tbody th[scope=row] a")
    expect(rows.first).to_have_text(following.reference)
    check_page(desktop_page, "32-queue-work-list", csp_violations)

    desktop_page.get_by_role("link", name=re.compile("^Decided")).click()
    expect(desktop_page.locator("tr", has_text=done.reference)).to_contain_text("Mei Lim")
    check_page(desktop_page, "33-queue-decided", csp_violations)

    desktop_page.get_by_role("link", name=re.compile("^Awaiting review")).click()
    desktop_page.get_by_label("Reference or name").fill(done.reference)
    desktop_page.get_by_role("button", name="Filter").click()
    expect(desktop_page.get_by_role("status")).to_contain_text("Showing the matches in every")
    expect(rows).to_have_text([done.reference])
    check_page(desktop_page, "34-queue-search-every-status", csp_violations)

    desktop_page.goto(f"/staff/consultations/{first.reference}/")
    decision = desktop_page.locator(".decision-form")
    decision.get_by_role("radio", name=re.compile(r"^Accept the suggestion")).check()
    decision.get_by_role("button", name="Record and open next").click()
    expect(desktop_page).to_have_url(re.compile(f"/staff/consultations/{following.reference}/$"))
    expect(desktop_page.get_by_text(f"{first.reference}: decision recorded.")).to_be_visible()


ADMIN_PAGES = [
    ("/admin/", "admin-index"),
    ("/admin/consultations/consultation/", "admin-consultations"),
    ("/admin/consultations/patient/", "admin-patients"),
    ("/admin/consultations/decision/", "admin-decisions"),
    ("/admin/consultations/accesslog/", "admin-access-log"),
    ("/admin/consultations/evaluation/", "admin-evaluations"),
    ("/admin/consultations/consent/", "admin-consents"),
    ("/admin/consultations/answercorrection/", "admin-corrections"),
]


def test_the_admin_pages_a_clinic_admin_uses_are_accessible(desktop_page: Page, csp_violations):
    consultation = flagged_decision()
    sign_in(desktop_page, AdminFactory(username="clinicadmin2"), admin=True)
    for path, name in ADMIN_PAGES:
        response = desktop_page.goto(path)
        assert response is not None and response.status == 200, path
        check_page(desktop_page, name, csp_violations)

    desktop_page.goto("/admin/consultations/consultation/")
    desktop_page.get_by_role("link", name=consultation.reference, exact=True).click()
    expect(desktop_page.get_by_role("heading", level=2).first).to_be_visible()
    check_page(desktop_page, "admin-consultation", csp_violations)
    desktop_page.goto("/admin/consultations/patient/")
    desktop_page.locator("#result_list tbody a").first.click()
    check_page(desktop_page, "admin-patient", csp_violations, scan_at=(DESKTOP,))
