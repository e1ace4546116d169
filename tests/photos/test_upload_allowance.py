"""The photo upload pages' larger body limit is for senders who may upload there: a patient
whose browser holds a draft, a practitioner signed in with the permission. Anyone else's body
over the usual limit is refused unread (413), as on every other page."""

from __future__ import annotations

import io

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from clinic.middleware import UploadAllowanceMiddleware
from consultations.models import Photo
from tests.factories import DraftConsultationFactory, UserFactory, coursed
from tests.intake.steps import open_draft
from tests.photos import images
from tests.photos.factories import PhotoConsentFactory

pytestmark = pytest.mark.django_db

PATIENT_PAGE = "/consultation/photos/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.REQUEST_MAX_BYTES = 4096
    settings.UPLOAD_REQUEST_MAX_BYTES = 2_000_000


def large_body() -> dict:
    data = images.jpeg_bytes()
    assert len(data) > 4096
    return {"front": images.upload(data), "clinical_consent": "on"}


def staff_page(consultation) -> str:
    return reverse("review:photo_upload", kwargs={"reference": consultation.reference})


def staff_body(consultation) -> dict:
    session = consultation.course.sessions.get(number=1)
    return {
        "session": str(session.pk),
        "moment": "before",
        "view": "front",
        "photo": images.upload(images.jpeg_bytes()),
    }


def test_a_patient_whose_browser_holds_the_draft_may_send_a_large_body(client):
    draft = DraftConsultationFactory()
    open_draft(client, draft)
    response = client.post(PATIENT_PAGE, large_body())
    assert response.status_code == 302
    assert Photo.objects.filter(consultation=draft).count() == 1


def test_an_anonymous_large_body_to_the_patient_page_is_refused_unread():
    response = Client().post(PATIENT_PAGE, large_body())
    assert response.status_code == 413


def test_a_session_cookie_that_opens_no_draft_may_not_send_a_large_body():
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "made-up-session-key"
    assert client.post(PATIENT_PAGE, large_body()).status_code == 413


def test_a_practitioner_may_send_a_large_body_to_the_session_photo_page(client, practitioner):
    consultation = coursed(treatment="chemical_peel")
    PhotoConsentFactory(consultation=consultation)
    response = client.post(staff_page(consultation), staff_body(consultation))
    assert response.status_code == 302
    assert Photo.objects.filter(consultation=consultation).count() == 1


def test_a_signed_out_practitioners_large_body_is_sent_to_sign_in_unread():
    """A practitioner whose session ended while choosing the photo gets the sign-in page (and
    back to the photo page after), not an error."""
    consultation = coursed(treatment="chemical_peel")
    response = Client().post(staff_page(consultation), staff_body(consultation))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={staff_page(consultation)}"
    assert not Photo.objects.exists()


def test_an_unpermitted_large_body_to_the_staff_page_is_refused_unread():
    consultation = coursed(treatment="chemical_peel")
    signed_in = Client()
    signed_in.force_login(UserFactory())  # no review permission
    assert signed_in.post(staff_page(consultation), staff_body(consultation)).status_code == 413
    assert not Photo.objects.exists()


def test_small_bodies_still_reach_the_pages_whoever_sends_them():
    # A login redirect, not a 413: the page's own checks answer.
    assert Client().post(PATIENT_PAGE, {"x": "y"}).status_code in (200, 302)


def test_the_check_runs_after_the_session_and_before_anything_reads_the_body():
    order = django_settings.MIDDLEWARE
    allowance = order.index("clinic.middleware.UploadAllowanceMiddleware")
    assert order.index("django.contrib.sessions.middleware.SessionMiddleware") < allowance
    assert order.index("django.contrib.auth.middleware.AuthenticationMiddleware") < allowance
    assert order.index("clinic.middleware.RequestSizeLimitMiddleware") < allowance


class Unreadable(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")


def test_large_bodies_over_the_upload_rate_are_answered_unread(settings):
    """A patient's browser (or a script holding a draft) sending large bodies again and again:
    past the rate, each is answered 429 before the body is read or spooled to disk."""
    settings.PHOTO_UPLOAD_RATE_LIMIT = "2/10m"
    reached = []
    middleware = UploadAllowanceMiddleware(lambda request: reached.append(1) or HttpResponse())
    statuses = []
    for _ in range(4):
        request = RequestFactory().post(PATIENT_PAGE, large_body(), REMOTE_ADDR="203.0.113.9")
        request._stream = Unreadable()
        request.upload_allowed_if = lambda request: True
        statuses.append(middleware(request).status_code)

    assert statuses == [200, 200, 429, 429]
    assert len(reached) == 2
    other = RequestFactory().post(PATIENT_PAGE, large_body(), REMOTE_ADDR="203.0.113.10")
    other.upload_allowed_if = lambda request: True
    assert middleware(other).status_code == 200  # per client address


def test_a_patients_large_uploads_over_the_rate_get_the_try_later_page(client, settings):
    settings.PHOTO_UPLOAD_RATE_LIMIT = "1/10m"
    draft = DraftConsultationFactory()
    open_draft(client, draft)
    assert client.post(PATIENT_PAGE, large_body()).status_code == 302
    response = client.post(PATIENT_PAGE, large_body())
    assert response.status_code == 429
    assert Photo.objects.filter(consultation=draft).count() == 1
