"""Photos in Chromium (issue 17): on a phone, a patient adds the three views from the check
page and sees them there; a practitioner sees them on the detail page, adds a session photo and
compares the baseline with it. Each page scanned with axe-core and photographed
(artifacts/screenshots/6x-*)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Page, expect

from consultations.models import Consultation, DecisionOutcome
from consultations.services.review import DecisionInput, review_decide
from tests.e2e.conftest import PHONE, check_page, sign_in
from tests.factories import CompleteDraftFactory, PractitionerFactory
from tests.photos import images

pytestmark = pytest.mark.e2e


def photo_file(folder: Path, name: str, colour: tuple[int, int, int]) -> Path:
    path = folder / name
    path.write_bytes(images.jpeg_bytes(images.picture(800, 600, colour), gps=True))
    return path


def hold_draft(page: Page, draft: Consultation, base_url: str) -> None:
    """This browser holds the draft, as after step 1 (the session the intake would make)."""
    session = SessionStore()
    session["intake_consultation_id"] = draft.pk
    session["intake_draft_key"] = draft.draft_key
    session.save()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base_url}]
    )


def decide_with_a_course(consultation: Consultation) -> None:
    evaluation = consultation.latest_evaluation
    review_decide(
        consultation=consultation,
        user=PractitionerFactory(),
        evaluation_id=evaluation.pk,
        lock_version=consultation.lock_version,
        choice=DecisionInput(
            outcome=DecisionOutcome.ACCEPTED,
            treatment=evaluation.primary,
            plan_sessions=3,
            plan_interval_weeks=4,
        ),
    )


def test_a_patient_adds_three_photos_and_a_practitioner_compares_them(
    open_page, csp_violations, live_server, tmp_path
):
    page = open_page(PHONE)
    draft = CompleteDraftFactory()
    hold_draft(page, draft, live_server.url)

    page.goto("/consultation/check/")
    page.get_by_role("link", name="Add photos (optional)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add photos of your skin")
    expect(page.get_by_text("Only the clinic's practitioners see your photos")).to_be_visible()
    check_page(page, "60-photos-empty", csp_violations)

    # No consent: the photos are refused, with the reason in the error summary.
    page.get_by_label("Front").set_input_files(photo_file(tmp_path, "f.jpg", (210, 160, 140)))
    expect(page.get_by_role("img", name="Preview of your front photo")).to_be_visible()
    page.get_by_role("button", name="Add photos").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("Tick the box to agree to clinical photos")
    check_page(page, "61-photos-consent-missing", csp_violations)

    page.get_by_label("Front").set_input_files(photo_file(tmp_path, "f.jpg", (210, 160, 140)))
    page.get_by_label("Left side").set_input_files(photo_file(tmp_path, "l.jpg", (190, 140, 120)))
    page.get_by_label("Right side").set_input_files(photo_file(tmp_path, "r.jpg", (170, 120, 100)))
    expect(page.get_by_role("img", name="Preview of your right side photo")).to_be_visible()
    page.get_by_role(
        "checkbox", name=re.compile(r"^I agree that the clinic may keep my photos")
    ).check()
    expect(page.get_by_role("checkbox", name=re.compile(r"^I also agree"))).not_to_be_checked()
    page.get_by_role("button", name="Add photos").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your answers")
    expect(page.get_by_text("Your 3 photos were added.")).to_be_visible()
    for view in ("front", "left, about 45°", "right, about 45°"):
        thumbnail = page.get_by_role("img", name=f"Your photo: {view}")
        expect(thumbnail).to_be_visible()
        expect(thumbnail).to_have_js_property("naturalWidth", 800)  # waits for it to load
    check_page(page, "62-check-with-photos", csp_violations)

    page.get_by_role("checkbox", name=re.compile(r"^I agree that the clinic")).check()
    page.get_by_role("checkbox", name=re.compile(r"^My answers are true")).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your answers have been sent")

    # The practitioner: the intake photos on the detail page, a session photo, the comparison.
    consultation = Consultation.objects.get(pk=draft.pk)
    decide_with_a_course(consultation)
    staff_page = open_page(PHONE)
    sign_in(staff_page, PractitionerFactory())
    staff_page.goto(f"/staff/consultations/{consultation.reference}/")
    photos = staff_page.locator("section.review-photos")
    for view in ("front", "left, about 45°", "right, about 45°"):
        expect(photos.get_by_role("img", name=f"Intake photo, {view}")).to_be_visible()

    photos.get_by_role("link", name="Add a session photo").click()
    expect(staff_page.get_by_role("heading", level=1)).to_contain_text("Add a session photo")
    check_page(staff_page, "63-session-photo-upload", csp_violations)
    session_2 = str(consultation.course.sessions.get(number=2).pk)
    staff_page.get_by_role("combobox", name="Session").select_option(session_2)
    staff_page.get_by_role("radio", name="After the session").check()
    staff_page.get_by_role("radio", name="Front").check()
    staff_page.locator("#id_photo").set_input_files(photo_file(tmp_path, "s2.jpg", (150, 100, 90)))
    staff_page.get_by_role("button", name="Add the photo").click()
    expect(staff_page.get_by_text("The photo was added.")).to_be_visible()

    form = staff_page.locator("form.photo-compare-form")
    form.get_by_label("View").select_option("front")
    form.get_by_label("Later session").select_option(session_2)
    form.get_by_role("button", name="Compare").click()
    compare = staff_page.locator("section.review-photos .photo-compare")
    expect(compare.get_by_role("img", name="Baseline, front")).to_be_visible()
    expect(compare.get_by_role("img", name="Session 2, after, front")).to_be_visible()
    expect(compare.get_by_role("img", name="Baseline, front")).to_have_js_property(
        "naturalWidth", 800
    )
    check_page(staff_page, "64-detail-compare", csp_violations)
    # The course panel sets the same two side by side (thumbnails).
    course = staff_page.locator(".course-photo-compare")
    expect(course.get_by_role("img", name="Baseline, front")).to_be_visible()
    expect(course.get_by_role("img", name="Session 2, after, front")).to_be_visible()
