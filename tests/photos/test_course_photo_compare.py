"""The course panel sets the baseline beside the latest session's photo, view by view, and
links each session with photos to the detail page's comparison."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import coursed
from tests.photos.factories import PhotoConsentFactory, PhotoFactory

pytestmark = pytest.mark.django_db


def course_card(page: str) -> str:
    start = page.index('aria-labelledby="course-heading"')
    return page[start : page.index("</section>", start)]


def thumbnail(photo) -> str:
    return reverse("review:photo", kwargs={"photo": photo.pk, "size": "thumbnail"})


def test_the_course_panel_compares_the_baseline_with_the_latest_session(client, practitioner):
    consultation = coursed(treatment="chemical_peel")
    PhotoConsentFactory(consultation=consultation)
    first, second = consultation.course.sessions.order_by("number")[:2]
    baseline = PhotoFactory(consultation=consultation)  # intake, front
    PhotoFactory(consultation=consultation, session=first, moment="after")
    latest = PhotoFactory(consultation=consultation, session=second, moment="after")
    # A view with no baseline is not compared.
    left = PhotoFactory(consultation=consultation, session=second, moment="after", view="left_45")

    page = client.get(reverse("review:detail", kwargs={"reference": consultation.reference}))
    card = course_card(page.content.decode())

    assert "Photos: baseline and latest session" in card
    pair = card[card.index('class="photo-compare"') :]
    assert pair.index(thumbnail(baseline)) < pair.index(thumbnail(latest))
    assert "Baseline: intake" in pair
    assert "Session 2, after" in pair
    assert thumbnail(left) not in card
    detail = reverse("review:detail", kwargs={"reference": consultation.reference})
    assert f"{detail}?photo_session={second.pk}#compare-heading" in card
    assert "Compare session 2's photos with the baseline" in card


def test_a_course_without_photos_shows_no_comparison(client, practitioner):
    consultation = coursed(treatment="chemical_peel")
    page = client.get(reverse("review:detail", kwargs={"reference": consultation.reference}))
    card = course_card(page.content.decode())
    assert "Sessions" in card
    assert "baseline" not in card
