"""Deleting photos before the record ends: the patient deletes one (before sending, in the
browser holding the draft; after, through the private link) or withdraws their consent, which
deletes them all; a practitioner deletes a session photo with a reason. Each asks first, and
each is recorded: who, when, which photo, and the consent's version."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from consultations.models import (
    AccessLog,
    Photo,
    PhotoConsent,
    PhotoConsentKind,
    PhotoDeletion,
)
from consultations.photo_consent import PHOTO_CONSENT_TEXT_VERSION
from consultations.services.insight import REMOVED_TEXT, patient_anonymise
from consultations.services.photos import photo_thumbnail_make
from consultations.storage import photo_storage
from tests.factories import AdminFactory, DraftConsultationFactory, UserFactory, coursed, submitted
from tests.intake.steps import open_draft
from tests.photos import images
from tests.photos.factories import PhotoConsentFactory, PhotoFactory

pytestmark = pytest.mark.django_db

CONFIRM = {"confirm": "yes"}


def with_renditions(photo: Photo) -> Photo:
    """The photo with its thumbnail and display copy made (the task queue's job)."""
    photo_thumbnail_make(photo_id=photo.pk)
    photo.refresh_from_db()
    assert photo.thumbnail and photo.display
    return photo


def gone(photo: Photo) -> bool:
    """No row, and none of its files (the photo, its thumbnail, its display copy) stored."""
    names = [n for n in (photo.file.name, photo.thumbnail.name, photo.display.name) if n]
    return not Photo.objects.filter(pk=photo.pk).exists() and not any(
        photo_storage().exists(name) for name in names
    )


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what waits for the transaction's commit (the files' deletion)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# --- The patient, before sending ------------------------------------------------------------


@pytest.fixture
def draft(client):
    consultation = DraftConsultationFactory()
    open_draft(client, consultation)
    client.post(
        "/consultation/photos/",
        {
            "front": images.upload(images.jpeg_bytes()),
            "left_45": images.upload(images.jpeg_bytes()),
            "clinical_consent": "on",
        },
    )
    return consultation


def draft_delete_url(photo: Photo) -> str:
    return reverse("intake:draft_photo_delete", kwargs={"photo": photo.pk})


def test_the_patient_is_asked_before_a_draft_photo_is_deleted(client, draft, commit):
    front = draft.photos.get(view="front")
    page = client.get("/consultation/photos/").content.decode()
    assert draft_delete_url(front) in page

    confirm = client.get(draft_delete_url(front)).content.decode()
    assert "Delete this photo?" in confirm
    assert "This cannot be undone." in confirm
    assert 'name="confirm" value="yes"' in confirm
    # A POST without the page's button changes nothing.
    assert client.post(draft_delete_url(front), {}).status_code == 200
    assert Photo.objects.filter(pk=front.pk).exists()

    with commit():
        response = client.post(draft_delete_url(front), CONFIRM)

    assert response.status_code == 302
    assert response["Location"] == reverse("intake:photos")
    assert gone(front)
    assert list(draft.photos.values_list("view", flat=True)) == ["left_45"]
    record = PhotoDeletion.objects.get()
    assert (record.photo_number, record.view, record.deleted_by, record.reason) == (
        front.pk,
        "front",
        None,
        "",
    )
    assert AccessLog.objects.get(action="photo_delete").detail == (
        f"photo {front.pk} deleted by the patient (draft)"
    )


def test_another_browser_cannot_delete_a_draft_photo(client, draft):
    front = draft.photos.get(view="front")
    stranger = Client()
    response = stranger.post(draft_delete_url(front), CONFIRM)
    assert response["Location"] == reverse("intake:start")
    # Nor another patient's draft, in its own browser.
    open_draft(stranger, DraftConsultationFactory())
    assert stranger.post(draft_delete_url(front), CONFIRM).status_code == 404
    assert Photo.objects.filter(pk=front.pk).exists()
    assert not PhotoDeletion.objects.exists()


def test_the_patient_withdraws_consent_on_the_draft_and_the_photos_go(client, draft, commit):
    photos = list(draft.photos.all())
    url = reverse("intake:draft_photos_withdraw")
    assert url in client.get("/consultation/photos/").content.decode()
    assert "we delete all your photos straight away" in client.get(url).content.decode()

    with commit():
        response = client.post(url, CONFIRM)

    assert response["Location"] == reverse("intake:check")
    assert all(gone(photo) for photo in photos)
    latest = PhotoConsent.objects.filter(consultation=draft, kind=PhotoConsentKind.CLINICAL).first()
    assert (latest.granted, latest.text_version, latest.recorded_by) == (
        False,
        PHOTO_CONSENT_TEXT_VERSION,
        None,
    )
    assert PhotoDeletion.objects.filter(consent_withdrawn=True).count() == 2


# --- The patient, after sending, through the private link -------------------------------------


@pytest.fixture
def sent():
    consultation = coursed(treatment="chemical_peel")
    PhotoConsentFactory(consultation=consultation)
    PhotoConsentFactory(consultation=consultation, kind=PhotoConsentKind.OTHER_USE)
    return consultation


def link_delete_url(consultation, photo: Photo) -> str:
    return reverse(
        "intake:photo_delete", kwargs={"token": consultation.public_token, "photo": photo.pk}
    )


def test_the_patient_deletes_an_intake_photo_through_their_link(client, sent, commit):
    photo = with_renditions(PhotoFactory(consultation=sent))
    status = client.get(reverse("intake:status", kwargs={"token": sent.public_token}))
    assert link_delete_url(sent, photo) in status.content.decode()
    assert "Delete this photo?" in client.get(link_delete_url(sent, photo)).content.decode()

    with commit():
        response = client.post(link_delete_url(sent, photo), CONFIRM)

    assert response.status_code == 302
    assert response["Location"].endswith("#your-photos-heading")
    assert gone(photo)
    record = PhotoDeletion.objects.get()
    assert (record.consultation, record.deleted_by, record.consent_withdrawn) == (
        sent,
        None,
        False,
    )
    assert "Your photo was deleted." in client.get(response["Location"]).content.decode()


def test_another_patients_link_cannot_delete_the_photo(client, sent):
    photo = PhotoFactory(consultation=sent)
    other = submitted()
    for url in (
        link_delete_url(other, photo),  # a real link, of another consultation
        reverse("intake:photo_delete", kwargs={"token": "made-up-token", "photo": photo.pk}),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, CONFIRM).status_code == 404
    withdraw = reverse("intake:photos_withdraw", kwargs={"token": "made-up-token"})
    assert client.post(withdraw, CONFIRM).status_code == 404
    assert Photo.objects.filter(pk=photo.pk).exists()
    assert not PhotoDeletion.objects.filter(consultation=sent).exists()


def test_a_session_photo_is_not_the_patients_to_delete_one_by_one(client, sent):
    session = sent.course.sessions.get(number=1)
    photo = PhotoFactory(consultation=sent, session=session, moment="before")
    assert client.post(link_delete_url(sent, photo), CONFIRM).status_code == 404
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_withdrawing_consent_through_the_link_deletes_every_photo(
    client, sent, commit, practitioner
):
    session = sent.course.sessions.get(number=1)
    photos = [
        with_renditions(PhotoFactory(consultation=sent)),
        with_renditions(PhotoFactory(consultation=sent, session=session, moment="before")),
    ]
    url = reverse("intake:photos_withdraw", kwargs={"token": sent.public_token})
    page = client.get(url).content.decode()
    assert "including any that the practitioner took at your treatment sessions" in page

    with commit():
        response = client.post(url, CONFIRM)

    assert response.status_code == 302
    assert all(gone(photo) for photo in photos)
    for kind in (PhotoConsentKind.CLINICAL, PhotoConsentKind.OTHER_USE):
        latest = PhotoConsent.objects.filter(consultation=sent, kind=kind).first()
        assert (latest.granted, latest.text_version) == (False, PHOTO_CONSENT_TEXT_VERSION)
    assert set(PhotoDeletion.objects.values_list("photo_number", "consent_withdrawn")) == {
        (photos[0].pk, True),
        (photos[1].pk, True),
    }
    # The practitioner must record consent again before taking new photos.
    upload = client.post(
        reverse("review:photo_upload", kwargs={"reference": sent.reference}),
        {
            "session": str(session.pk),
            "moment": "after",
            "view": "front",
            "photo": images.upload(images.jpeg_bytes()),
        },
    )
    assert "The patient has not consented to clinical photos." in upload.content.decode()


def test_the_patient_actions_need_the_csrf_token(sent):
    photo = PhotoFactory(consultation=sent)
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(link_delete_url(sent, photo), CONFIRM).status_code == 403
    assert Photo.objects.filter(pk=photo.pk).exists()


# --- The practitioner ---------------------------------------------------------------------------


def staff_delete_url(consultation, photo: Photo) -> str:
    return reverse(
        "review:photo_delete", kwargs={"reference": consultation.reference, "photo": photo.pk}
    )


def test_a_practitioner_deletes_a_session_photo_with_a_reason(client, practitioner, sent, commit):
    session = sent.course.sessions.get(number=2)
    photo = with_renditions(PhotoFactory(consultation=sent, session=session, moment="after"))
    detail = client.get(reverse("review:detail", kwargs={"reference": sent.reference}))
    assert staff_delete_url(sent, photo) in detail.content.decode()

    response = client.post(staff_delete_url(sent, photo), {"reason": "  "})
    assert response.status_code == 200
    assert "Say why the photo is deleted." in response.content.decode()
    assert Photo.objects.filter(pk=photo.pk).exists()

    with commit():
        response = client.post(staff_delete_url(sent, photo), {"reason": "Blurred; retaken."})

    assert response.status_code == 302
    assert gone(photo)
    record = PhotoDeletion.objects.get()
    assert (record.deleted_by, record.reason, record.session_number, record.moment) == (
        practitioner,
        "Blurred; retaken.",
        2,
        "after",
    )
    log = AccessLog.objects.get(action="photo_delete")
    assert log.user == practitioner
    assert log.detail == f"photo {photo.pk} deleted: session 2 after front"
    assert "Blurred" not in log.detail


def test_a_practitioner_cannot_delete_an_intake_photo_or_without_permission(client, sent):
    intake = PhotoFactory(consultation=sent)
    session_photo = PhotoFactory(
        consultation=sent, session=sent.course.sessions.get(number=1), moment="before"
    )
    client.force_login(UserFactory(is_staff=True))  # no review permission
    assert client.post(staff_delete_url(sent, session_photo), {"reason": "x"}).status_code == 403
    client.force_login(AdminFactory())
    assert client.post(staff_delete_url(sent, intake), {"reason": "x"}).status_code == 404
    assert Photo.objects.count() == 2


def test_erasure_replaces_the_reasons_given_for_deletions(client, practitioner, sent):
    session = sent.course.sessions.get(number=1)
    photo = PhotoFactory(consultation=sent, session=session, moment="before")
    client.post(staff_delete_url(sent, photo), {"reason": "Wrong patient: Mrs Example"})
    patient_anonymise(patient=sent.patient, user=AdminFactory())
    assert PhotoDeletion.objects.get().reason == REMOVED_TEXT


def test_the_admin_lists_deleted_photos_read_only(client, sent, commit):
    from tests.factories import AdminFactory

    photo = PhotoFactory(consultation=sent)
    with commit():
        client.post(link_delete_url(sent, photo), CONFIRM)
    record = PhotoDeletion.objects.get()
    client.force_login(AdminFactory())
    listing = client.get(reverse("admin:consultations_photodeletion_changelist"))
    assert listing.status_code == 200 and sent.reference in listing.content.decode()
    change = reverse("admin:consultations_photodeletion_change", args=[record.pk])
    page = client.get(change)
    assert page.status_code == 200 and "Save" not in page.content.decode()
    # Nobody adds, edits or deletes the trace of a deletion.
    assert client.get(reverse("admin:consultations_photodeletion_add")).status_code == 403
    assert client.post(change, {"reason": "rewritten"}).status_code == 403
    delete = reverse("admin:consultations_photodeletion_delete", args=[record.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert PhotoDeletion.objects.filter(pk=record.pk, reason=record.reason).exists()
