"""Practitioners add before and after photos to sessions and compare them with the baseline."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from consultations.models import AccessLog, Photo, PhotoConsent, SessionStatus
from consultations.services.insight import patient_anonymise
from tests.factories import AdminFactory, UserFactory, coursed
from tests.photos import images
from tests.photos.factories import PhotoConsentFactory, PhotoFactory

pytestmark = pytest.mark.django_db


def upload_url(consultation) -> str:
    return reverse("review:photo_upload", kwargs={"reference": consultation.reference})


def detail_url(consultation, **params) -> str:
    url = reverse("review:detail", kwargs={"reference": consultation.reference})
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def form(session, **overrides) -> dict:
    return {
        "session": str(session.pk),
        "moment": "after",
        "view": "front",
        "photo": images.upload(images.jpeg_bytes(gps=True)),
        **overrides,
    }


@pytest.fixture
def course(practitioner):
    consultation = coursed(treatment="chemical_peel")
    PhotoConsentFactory(consultation=consultation)
    return consultation


def test_a_practitioner_adds_an_after_photo_to_a_session(client, practitioner, course):
    session = course.course.sessions.get(number=2)
    response = client.post(upload_url(course), form(session))

    assert response.status_code == 302
    photo = Photo.objects.get(consultation=course)
    assert (photo.session, photo.moment, photo.view) == (session, "after", "front")
    assert photo.uploaded_by == practitioner
    log = AccessLog.objects.get(action="photo_add")
    assert log.user == practitioner
    assert log.detail == f"photo {photo.pk}: session 2 after front"


def test_the_upload_form_gives_a_message_per_field_and_keeps_the_choices(
    client, practitioner, course
):
    session = course.course.sessions.get(number=1)
    response = client.post(upload_url(course), {"session": str(session.pk), "moment": "before"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the view." in page
    assert "Choose or take the photo." in page
    assert re.search(r'name="moment" value="before"[^>]* checked>', page)
    assert not Photo.objects.exists()


def test_a_polyglot_from_a_practitioner_is_refused_too(client, practitioner, course):
    session = course.course.sessions.get(number=1)
    response = client.post(
        upload_url(course), form(session, photo=images.upload(images.jpeg_with_zip()))
    )
    assert response.status_code == 200
    assert "contains more than a photo (archive)" in response.content.decode()
    assert not Photo.objects.exists()


def test_without_a_recorded_consent_the_practitioner_records_it_first(client, practitioner):
    consultation = coursed(treatment="chemical_peel")
    session = consultation.course.sessions.first()
    response = client.post(upload_url(consultation), form(session))
    assert "The patient has not consented to clinical photos." in response.content.decode()
    assert not Photo.objects.exists()

    response = client.post(upload_url(consultation), form(session, consent_recorded_now="on"))
    assert response.status_code == 302
    consent = PhotoConsent.objects.get(consultation=consultation)
    assert (consent.kind, consent.granted, consent.recorded_by) == ("clinical", True, practitioner)


def test_a_cancelled_session_or_another_consultations_session_is_refused(
    client, practitioner, course
):
    session = course.course.sessions.get(number=3)
    session.status = SessionStatus.CANCELLED
    session.save()
    other = coursed(treatment="chemical_peel").course.sessions.first()
    for bad in (session, other):
        response = client.post(upload_url(course), form(bad))
        assert response.status_code == 200
    assert not Photo.objects.exists()


def test_an_anonymised_patient_gets_no_new_photos(client, practitioner, course):
    session = course.course.sessions.first()
    patient_anonymise(patient=course.patient, user=AdminFactory())
    response = client.post(upload_url(course), form(session))
    # Erasure cancelled the course's planned sessions: the upload is refused either for the
    # session (the form again, with its message) or for the anonymised record (redirected).
    assert response.status_code in (200, 302)
    assert not Photo.objects.exists()


def test_staff_without_the_review_permission_cannot_upload(client, course):
    client.force_login(UserFactory(is_staff=True))
    session = course.course.sessions.first()
    assert client.post(upload_url(course), form(session)).status_code == 403


def test_the_detail_page_shows_intake_photos_and_compares_baseline_with_a_session(
    client, practitioner, course
):
    baseline = PhotoFactory(consultation=course, view="left_45")
    session_1 = course.course.sessions.get(number=1)
    session_2 = course.course.sessions.get(number=2)
    for session in (session_1, session_2):
        client.post(upload_url(course), form(session, view="left_45"))
    later = Photo.objects.get(session=session_2)

    page = client.get(
        detail_url(course, photo_view="left_45", photo_session=session_2.pk)
    ).content.decode()

    assert reverse("review:photo", kwargs={"photo": baseline.pk, "size": "thumbnail"}) in page
    strip = page[: page.index('class="photo-compare"')]
    # Each photo opens its display copy; the original is one link away, for zooming in.
    opens = reverse("review:photo", kwargs={"photo": baseline.pk, "size": "display"})
    original = reverse("review:photo", kwargs={"photo": baseline.pk, "size": "full"})
    assert f'<a href="{opens}"><img' in strip
    assert re.search(rf'<a href="{re.escape(original)}">Original \(0\.3 MP\)', strip)
    compare = page[page.index('class="photo-compare"') :]
    assert reverse("review:photo", kwargs={"photo": baseline.pk, "size": "display"}) in compare
    assert reverse("review:photo", kwargs={"photo": later.pk, "size": "display"}) in compare
    assert "Session 2, after" in compare


def test_without_intake_photos_the_first_sessions_before_photo_is_the_baseline(
    client, practitioner, course
):
    session_1 = course.course.sessions.get(number=1)
    session_3 = course.course.sessions.get(number=3)
    client.post(upload_url(course), form(session_1, moment="before"))
    client.post(upload_url(course), form(session_3, moment="after"))
    first = Photo.objects.get(session=session_1)
    last = Photo.objects.get(session=session_3)

    page = client.get(detail_url(course)).content.decode()

    compare = page[page.index('class="photo-compare"') :]
    assert compare.index(f"/staff/photos/{first.pk}/display/") < compare.index(
        f"/staff/photos/{last.pk}/display/"
    )


def test_a_hostile_compare_query_is_ignored(client, practitioner, course):
    PhotoFactory(consultation=course)
    response = client.get(detail_url(course, photo_view="<script>", photo_session="x'--"))
    assert response.status_code == 200


def test_the_detail_page_costs_the_same_queries_with_one_photo_or_many(
    client, practitioner, course
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        client.get(detail_url(course))
        with CaptureQueriesContext(connection) as queries:
            client.get(detail_url(course))
        return len(queries)

    PhotoFactory(consultation=course)
    one = count()
    for number in (1, 2):
        session = course.course.sessions.get(number=number)
        for view in ("front", "left_45"):
            client.post(upload_url(course), form(session, view=view))
    assert Photo.objects.count() == 5
    assert count() == one
