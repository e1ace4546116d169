"""Erasure and retention delete the photos' files, thumbnails and display copies from storage."""

from __future__ import annotations

import datetime
import os
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from consultations.models import Consultation, Photo
from consultations.services.insight import patient_anonymise
from consultations.services.retention import retention_purge
from consultations.storage import photo_storage
from tests.factories import AdminFactory, DraftConsultationFactory
from tests.intake.steps import open_draft
from tests.photos import images
from tests.photos.factories import PhotoFactory
from tests.tasks import run_queued_tasks


def files_of(photo: Photo) -> list[str]:
    return [name for name in (photo.file.name, photo.thumbnail.name, photo.display.name) if name]


@pytest.mark.django_db(transaction=True)
def test_after_erasure_the_files_and_thumbnails_are_gone_from_storage():
    photo = PhotoFactory()
    other = PhotoFactory()  # another patient's stays
    run_queued_tasks()  # nothing queued by the factory; make the thumbnail by hand
    from consultations.services.photos import photo_thumbnail_make

    photo_thumbnail_make(photo_id=photo.pk)
    photo.refresh_from_db()
    names = files_of(photo)
    assert len(names) == 3  # the photo, its thumbnail and its display copy
    assert all(photo_storage().exists(name) for name in names)

    patient_anonymise(patient=photo.consultation.patient, user=AdminFactory())

    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not any(photo_storage().exists(name) for name in names)
    assert photo_storage().exists(other.file.name)


@pytest.mark.django_db(transaction=True)
def test_the_retention_purge_deletes_an_old_drafts_photos_and_files():
    client = Client()
    draft = DraftConsultationFactory()
    open_draft(client, draft)
    client.post(
        "/consultation/photos/",
        {"front": images.upload(images.jpeg_bytes()), "clinical_consent": "on"},
    )
    run_queued_tasks()
    photo = draft.photos.get()
    names = files_of(photo)
    assert len(names) == 3  # the photo, its thumbnail and its display copy
    Consultation.objects.filter(pk=draft.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=31)
    )

    counts = retention_purge(dry_run=False)

    assert counts["drafts"] == 1
    assert not Photo.objects.exists()
    assert not any(photo_storage().exists(name) for name in names)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="row locks: PostgreSQL only")
def test_two_uploads_of_one_view_at_the_same_moment_leave_one_photo_and_one_file():
    draft = DraftConsultationFactory()
    clients = [Client(), Client()]
    for client in clients:
        open_draft(client, draft)
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    failures: list[BaseException] = []

    def send(client: Client) -> None:
        try:
            barrier.wait(timeout=10)
            response = client.post(
                "/consultation/photos/",
                {"front": images.upload(images.jpeg_bytes()), "clinical_consent": "on"},
            )
            statuses.append(response.status_code)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not failures, failures
    assert statuses == [302, 302]
    photo = Photo.objects.get(consultation=draft)
    # The replaced photo's file went with its row: one file left, the one in force.
    assert sorted(os.listdir(photo_storage().location)) == [photo.file.name]
