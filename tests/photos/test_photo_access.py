"""Who may open a photo: the practitioner with the review permission, the patient through
their private link; nobody else, and never through a public URL. Every view is logged."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from consultations.models import AccessLog, new_public_token
from consultations.services.photo_files import photo_clean
from consultations.storage import photo_storage
from tests.factories import PractitionerFactory, UserFactory, submitted
from tests.photos import images
from tests.photos.factories import PhotoFactory
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


def staff_url(photo, size="full") -> str:
    return reverse("review:photo", kwargs={"photo": photo.pk, "size": size})


def link_url(photo, token=None, size="full") -> str:
    token = token or photo.consultation.public_token
    return reverse("intake:photo", kwargs={"token": token, "photo": photo.pk, "size": size})


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_practitioner_gets_the_photo_without_exif_and_it_is_logged(client):
    photo = PhotoFactory()  # uploaded with GPS
    user = PractitionerFactory()
    client.force_login(user)

    response = client.get(staff_url(photo))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Content-Type-Options"] == "nosniff"
    served = images.decoded(body(response))
    assert not served.getexif()
    assert not served.getexif().get_ifd(images.GPS_IFD)
    log = AccessLog.objects.get(action="photo")
    assert (log.user, log.consultation_id) == (user, photo.consultation_id)
    assert log.detail == f"photo {photo.pk} staff full"
    assert photo.consultation.patient.last_name not in log.detail


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(staff_url(PhotoFactory()))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_without_the_review_permission_are_refused(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(staff_url(PhotoFactory())).status_code == 403
    assert not AccessLog.objects.filter(action="photo").exists()


def test_the_patient_sees_their_photo_through_their_link(client):
    photo = PhotoFactory()
    response = client.get(link_url(photo))
    assert response.status_code == 200
    assert not images.decoded(body(response)).getexif()
    log = AccessLog.objects.get(action="photo")
    assert (log.user, log.detail) == (None, f"photo {photo.pk} patient link full")


def test_another_patients_token_or_a_made_up_one_is_not_found(client):
    photo = PhotoFactory()
    other = submitted()
    assert client.get(link_url(photo, token=other.public_token)).status_code == 404
    assert client.get(link_url(photo, token=new_public_token())).status_code == 404
    assert not AccessLog.objects.filter(action="photo").exists()


def test_an_unknown_size_or_photo_is_not_found(client):
    photo = PhotoFactory()
    assert client.get(link_url(photo, size="original")).status_code == 404
    client.force_login(PractitionerFactory())
    assert (
        client.get(reverse("review:photo", kwargs={"photo": 999999, "size": "full"})).status_code
        == 404
    )


def test_a_photo_id_beyond_any_integer_column_is_not_found(client):
    photo = PhotoFactory()
    token = photo.consultation.public_token
    assert client.get(f"/c/{token}/photos/{'9' * 30}/full/").status_code == 404
    client.force_login(PractitionerFactory())
    assert client.get(f"/staff/photos/{'9' * 30}/full/").status_code == 404


def test_the_status_page_shows_the_patients_photos(client):
    photo = PhotoFactory()
    page = client.get(reverse("intake:status", kwargs={"token": photo.consultation.public_token}))
    assert link_url(photo, size="thumbnail") in page.content.decode()
    assert link_url(photo, size="display") in page.content.decode()  # what the photo opens
    assert link_url(photo, size="full") not in page.content.decode()


def test_the_storage_has_no_url_for_a_photo():
    photo = PhotoFactory()
    with pytest.raises(NotImplementedError):
        photo.file.url  # noqa: B018
    assert photo.consultation.reference not in photo.file.name


def test_thumbnails_come_from_the_task_queue_and_the_photo_stands_in_until_then():
    from consultations.services import photos
    from tests.factories import DraftConsultationFactory
    from tests.intake.steps import open_draft

    client = Client()
    draft = DraftConsultationFactory()
    open_draft(client, draft)
    client.post(
        "/consultation/photos/",
        {
            "front": images.upload(images.jpeg_bytes(images.picture(1200, 900))),
            "clinical_consent": "on",
        },
    )
    photo = draft.photos.get()
    url = reverse("intake:draft_photo", kwargs={"photo": photo.pk, "size": "thumbnail"})
    assert images.decoded(body(client.get(url))).size == (1200, 900)  # not made yet

    assert run_queued_tasks() == 1

    photo.refresh_from_db()
    assert photo_storage().exists(photo.thumbnail.name)
    assert max(images.decoded(body(client.get(url))).size) == 320
    assert photo_storage().exists(photo.display.name)  # made by the same task
    assert photos.photo_thumbnail_make(photo_id=photo.pk) is False  # a second run: nothing


def test_the_display_copy_stands_in_for_the_original_until_made_then_is_served_and_logged(
    client, settings
):
    from consultations.services import photos

    settings.PHOTO_MAX_PIXELS = 30_000_000
    photo = PhotoFactory(
        clean=photo_clean(images.upload(images.jpeg_bytes(images.picture(3000, 2000))))
    )
    user = PractitionerFactory()
    client.force_login(user)
    url = staff_url(photo, size="display")
    assert images.decoded(body(client.get(url))).size == (3000, 2000)  # not made yet

    assert photos.photo_thumbnail_make(photo_id=photo.pk) is True
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Content-Type-Options"] == "nosniff"
    served = images.decoded(body(response))
    assert served.size == (1600, 1067)
    assert not served.getexif()
    # The original is still there, full size, for zooming in.
    assert images.decoded(body(client.get(staff_url(photo)))).size == (3000, 2000)
    details = list(AccessLog.objects.filter(action="photo").values_list("user", "detail"))
    assert (user.pk, f"photo {photo.pk} staff display") in details
    # The patient's link serves it too.
    assert images.decoded(body(client.get(link_url(photo, size="display")))).size == (1600, 1067)


def test_a_copy_deleted_under_a_request_gives_way_to_the_original_not_a_404(client, settings):
    """A copy made again (backfill_photo_copies --all) deletes the file the row named a moment
    before: a page that read the row first still gets a photo."""
    from consultations.services import photos

    settings.PHOTO_MAX_PIXELS = 30_000_000
    photo = PhotoFactory(
        clean=photo_clean(images.upload(images.jpeg_bytes(images.picture(3000, 2000))))
    )
    photos.photo_thumbnail_make(photo_id=photo.pk)
    photo.refresh_from_db()
    client.force_login(PractitionerFactory())
    photo_storage().delete(photo.display.name)  # the row still names it
    response = client.get(staff_url(photo, size="display"))
    assert response.status_code == 200
    assert images.decoded(body(response)).size == (3000, 2000)
    photo_storage().delete(photo.file.name)  # nothing left at all: not found, not an error
    assert client.get(staff_url(photo, size="display")).status_code == 404


def test_an_unknown_size_is_not_found(client):
    client.force_login(PractitionerFactory())
    assert client.get(staff_url(PhotoFactory(), size="huge")).status_code == 404


def test_the_admin_shows_the_image_only_to_staff_with_the_review_permission(client):
    from django.contrib.auth.models import Permission

    from tests.factories import AdminFactory

    photo = PhotoFactory()
    url = reverse("admin:consultations_photo_change", args=[photo.pk])
    thumbnail = reverse("review:photo", kwargs={"photo": photo.pk, "size": "thumbnail"})
    client.force_login(AdminFactory())
    assert thumbnail in client.get(url).content.decode()

    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_photo"))
    client.force_login(clerk)
    page = client.get(url)
    assert page.status_code == 200
    assert thumbnail not in page.content.decode()
    assert client.get(thumbnail).status_code == 403
