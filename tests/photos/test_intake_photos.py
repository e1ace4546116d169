"""The patient adds photos to their own draft: three views, consent, refusals with a message."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from consultations.models import AccessLog, Photo, PhotoConsent, PhotoConsentKind
from consultations.storage import photo_storage
from tests.factories import DraftConsultationFactory
from tests.intake.steps import open_draft
from tests.photos import images

pytestmark = pytest.mark.django_db

PAGE = "/consultation/photos/"


def three_views(**extra) -> dict:
    return {
        "front": images.upload(images.jpeg_bytes(gps=True), "front.jpg"),
        "left_45": images.upload(images.png_bytes(), "left.png", "image/png"),
        "right_45": images.upload(images.webp_bytes(), "right.webp", "image/webp"),
        "clinical_consent": "on",
        **extra,
    }


@pytest.fixture
def patient(client):
    draft = DraftConsultationFactory()
    open_draft(client, draft)
    return draft


def errors_of(response) -> list[str]:
    return [message for _, message in response.context["error_links"]]


def test_the_check_page_offers_photos_as_optional(client, patient):
    page = client.get(reverse("intake:check")).content.decode()
    assert "Add photos (optional)" in page
    assert "You can send your answers without them." in page


def test_the_photo_page_opens_the_camera_and_says_who_sees_the_photos(client, patient):
    page = client.get(PAGE).content.decode()
    assert page.count('accept="image/*" capture="user"') == 3
    assert "Only the clinic&#x27;s practitioners see your photos" in page
    assert "No make-up, and tie your hair back." in page
    # The other-use consent is off unless the patient ticks it.
    assert 'name="other_use_consent"' in page
    assert 'name="other_use_consent" checked' not in page


def test_a_patient_adds_three_views_and_sees_them_on_the_check_page(client, patient):
    response = client.post(PAGE, three_views())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("intake:check"))
    photos = list(Photo.objects.filter(consultation=patient))
    assert sorted(p.view for p in photos) == ["front", "left_45", "right_45"]
    assert {p.uploaded_by for p in photos} == {None}
    assert {p.content_type for p in photos} == {"image/jpeg"}
    check = client.get(reverse("intake:check")).content.decode()
    for photo in photos:
        assert (
            reverse("intake:draft_photo", kwargs={"photo": photo.pk, "size": "thumbnail"}) in check
        )
    consents = PhotoConsent.objects.filter(consultation=patient)
    assert [(c.kind, c.granted) for c in consents] == [(PhotoConsentKind.CLINICAL, True)]


def test_the_photo_served_back_has_no_exif_at_all(client, patient):
    client.post(PAGE, three_views())
    front = Photo.objects.get(consultation=patient, view="front")

    response = client.get(reverse("intake:draft_photo", kwargs={"photo": front.pk, "size": "full"}))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Content-Type-Options"] == "nosniff"
    served = images.decoded(b"".join(response.streaming_content))
    assert not served.getexif()
    assert not served.getexif().get_ifd(images.GPS_IFD)
    assert "exif" not in served.info
    assert AccessLog.objects.filter(action="photo", detail__startswith=f"photo {front.pk}").exists()


def test_the_other_use_consent_is_recorded_only_when_ticked(client, patient):
    client.post(PAGE, three_views(other_use_consent="on"))
    kinds = set(PhotoConsent.objects.filter(granted=True).values_list("kind", flat=True))
    assert kinds == {"clinical", "other_use"}


def test_without_the_clinical_consent_nothing_is_kept(client, patient):
    data = three_views()
    del data["clinical_consent"]
    response = client.post(PAGE, data)
    assert response.status_code == 200
    assert errors_of(response) == [
        "Tick the box to agree to clinical photos. We can only keep your photos with your consent."
    ]
    assert not Photo.objects.exists()


def test_a_consent_box_saying_no_is_not_consent(client, patient):
    response = client.post(PAGE, three_views(clinical_consent="no"))
    assert response.status_code == 200
    assert not Photo.objects.exists()


def test_no_photo_chosen_gets_a_message(client, patient):
    response = client.post(PAGE, {"clinical_consent": "on"})
    assert errors_of(response) == [
        "Choose or take at least one photo, or go back to check your answers."
    ]


@pytest.mark.parametrize(
    ("data", "name", "content_type", "message"),
    [
        (b"just some text", "notes.jpg", "image/jpeg", "This file is not a photo we can open."),
        (images.jpeg_with_zip(), "a.jpg", "image/jpeg", "contains more than a photo (archive)"),
        (images.jpeg_with_html(), "a.jpg", "image/jpeg", "(web page or script)"),
        (images.png_bomb(), "a.png", "image/png", "too many pixels"),
        (images.heic_bytes(), "IMG_1.HEIC", "image/heic", "Formats > Most Compatible"),
    ],
)
def test_bad_files_are_refused_on_their_field_and_the_good_ones_kept(
    client, patient, data, name, content_type, message
):
    response = client.post(PAGE, three_views(left_45=images.upload(data, name, content_type)))
    assert response.status_code == 200
    [error] = errors_of(response)
    assert message in error
    assert response.context["error_links"][0][0] == "id_left_45"
    assert sorted(Photo.objects.values_list("view", flat=True)) == ["front", "right_45"]
    assert "Your 2 photos were added." in response.content.decode()


def test_an_oversized_photo_is_refused_with_its_size(client, patient, settings):
    settings.PHOTO_MAX_BYTES = 30_000
    big = images.jpeg_bytes(images.picture(1600, 1200), quality=95)
    response = client.post(PAGE, {"front": images.upload(big), "clinical_consent": "on"})
    assert response.status_code == 200
    assert errors_of(response)[0].startswith("This photo is too large (")
    assert not Photo.objects.exists()


def test_a_body_far_over_the_upload_limit_is_refused_unread(client, patient, settings):
    settings.REQUEST_MAX_BYTES = 2048
    settings.UPLOAD_REQUEST_MAX_BYTES = 50_000
    big = images.jpeg_bytes() + b"\x00" * 60_000
    response = client.post(PAGE, {"front": images.upload(big), "clinical_consent": "on"})
    assert response.status_code == 413
    assert not Photo.objects.exists()


def test_other_pages_keep_the_small_body_limit(client, patient, settings):
    settings.REQUEST_MAX_BYTES = 2048  # and UPLOAD_REQUEST_MAX_BYTES far above it
    response = client.post(reverse("intake:step", kwargs={"step": "skin"}), {"x": "y" * 5000})
    assert response.status_code == 413


def test_a_retake_replaces_the_photo_and_its_file(
    client, patient, django_capture_on_commit_callbacks
):
    client.post(PAGE, three_views())
    first = Photo.objects.get(consultation=patient, view="front")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PAGE, {"front": images.upload(images.jpeg_bytes()), "clinical_consent": "on"})
    again = Photo.objects.get(consultation=patient, view="front")
    assert again.pk != first.pk
    assert not photo_storage().exists(first.file.name)
    assert photo_storage().exists(again.file.name)


def test_another_browser_cannot_add_to_or_see_the_draft(client, patient):
    client.post(PAGE, three_views())
    front = Photo.objects.get(consultation=patient, view="front")
    stranger = Client()
    response = stranger.post(PAGE, three_views())
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:start")
    url = reverse("intake:draft_photo", kwargs={"photo": front.pk, "size": "full"})
    assert stranger.get(url).status_code == 404
    # Another patient's own draft does not open this one's photos either.
    open_draft(stranger, DraftConsultationFactory())
    assert stranger.get(url).status_code == 404
    assert Photo.objects.count() == 3


def test_a_browser_whose_key_was_replaced_cannot_add_photos(client, patient):
    from consultations.models import new_draft_key

    type(patient).objects.filter(pk=patient.pk).update(draft_key=new_draft_key())
    response = client.post(PAGE, three_views())
    assert response.status_code == 302
    assert not Photo.objects.exists()


def test_uploads_are_limited_per_client(client, patient, settings):
    settings.PHOTO_UPLOAD_RATE_LIMIT = "2/1h"
    for _ in range(2):
        assert (
            client.post(
                PAGE, {"front": images.upload(images.jpeg_bytes()), "clinical_consent": "on"}
            ).status_code
            == 302
        )
    response = client.post(
        PAGE, {"front": images.upload(images.jpeg_bytes()), "clinical_consent": "on"}
    )
    assert response.status_code == 429
    assert response["Retry-After"]


def test_uploads_are_limited_per_consultation(client, patient, settings):
    settings.PHOTO_CONSULTATION_RATE_LIMIT = "4/1d"
    assert client.post(PAGE, three_views()).status_code == 302
    response = client.post(PAGE, three_views())
    assert response.status_code == 429
    assert Photo.objects.count() == 3


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            b"--x\r\nContent-Disposition: form-data; name=front; filename=a.jpg\r\n\r\n\xff\xd8",
            "multipart/form-data; boundary=x",
        ),
        (b"garbage", "multipart/form-data"),
        (b"front=%00%ff&clinical_consent=on", "application/x-www-form-urlencoded"),
    ],
)
def test_a_hostile_body_gets_a_page_not_a_500(client, patient, body, content_type):
    response = client.generic("POST", PAGE, body, content_type=content_type)
    assert response.status_code in (200, 400)
    assert not Photo.objects.exists()
