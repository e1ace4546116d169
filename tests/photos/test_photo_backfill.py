"""`manage.py backfill_photo_copies`: photos stored without a thumbnail or display copy get them
from the task queue, and the pages then open the display copy instead of the 7 MB original;
`--all` makes every copy again at the current size (a 2048 px copy becomes a 1600 px one)."""

from __future__ import annotations

import os
import threading
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse

from bench.server import database_url
from clinic.queue import enqueue_with_transaction, queued_ids
from consultations import tasks
from consultations.management.commands.backfill_photo_copies import RUN_LOCK
from consultations.models import Photo
from consultations.services import photo_files
from consultations.services.insight import patient_anonymise
from consultations.services.photo_files import photo_clean
from consultations.services.photos import photo_thumbnail_make
from consultations.storage import photo_storage
from tests.factories import AdminFactory, PractitionerFactory
from tests.photos import images
from tests.photos.factories import PhotoFactory
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _large_photos_allowed(settings):
    settings.PHOTO_MAX_PIXELS = 30_000_000


def backfill(*args: str) -> str:
    out = StringIO()
    call_command("backfill_photo_copies", *args, stdout=out)
    return out.getvalue().strip()


def large_photo() -> Photo:
    """A 3000 x 2000 photo, stored without its copies (as before the task made them)."""
    return PhotoFactory(
        clean=photo_clean(images.upload(images.jpeg_bytes(images.picture(3000, 2000))))
    )


def shown_size(client, photo: Photo) -> tuple[int, int]:
    """The size of the picture the pages open when the photo is clicked."""
    response = client.get(reverse("review:photo", kwargs={"photo": photo.pk, "size": "display"}))
    assert response.status_code == 200
    return images.decoded(b"".join(response.streaming_content)).size


def stored_files() -> list[str]:
    root = photo_storage().location
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


def test_photos_lacking_a_copy_are_queued_once_and_then_open_their_display_copy(client):
    client.force_login(PractitionerFactory())
    never = large_photo()  # stored before any copy was made
    no_display = large_photo()  # stored before the display copy existed: a thumbnail only
    photo_thumbnail_make(photo_id=no_display.pk)
    Photo.objects.filter(pk=no_display.pk).update(display="")
    done = large_photo()
    photo_thumbnail_make(photo_id=done.pk)
    done.refresh_from_db()
    assert shown_size(client, never) == (3000, 2000)  # the original stands in
    assert shown_size(client, no_display) == (3000, 2000)

    assert backfill("--dry-run") == "Would queue 2 photos lacking a copy."
    assert run_queued_tasks() == 0
    assert backfill() == "Queued 2 photos lacking a copy."
    # Run again before the workers got to them: nothing is queued twice.
    assert backfill() == "Queued 0 photos lacking a copy; 2 already queued."

    assert run_queued_tasks() == 2
    assert shown_size(client, never) == (1600, 1067)
    assert shown_size(client, no_display) == (1600, 1067)
    # The photo that had both copies kept them as they were.
    kept = Photo.objects.get(pk=done.pk)
    assert (kept.thumbnail.name, kept.display.name) == (done.thumbnail.name, done.display.name)
    assert backfill() == "Queued 0 photos lacking a copy."


def test_all_makes_a_2048_pixel_copy_again_at_1600_and_deletes_the_old_file(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(PractitionerFactory())
    photo = large_photo()
    with monkeypatch.context() as before:  # as the first display copies were made
        before.setattr(photo_files, "DISPLAY_SIDE", 2048)
        photo_thumbnail_make(photo_id=photo.pk)
    photo.refresh_from_db()
    old = [photo.thumbnail.name, photo.display.name]
    assert shown_size(client, photo) == (2048, 1365)
    assert backfill() == "Queued 0 photos lacking a copy."  # it has both: left as it is

    assert backfill("--all", "--dry-run") == "Would queue 1 photo to have its copies made again."
    assert backfill("--all") == "Queued 1 photo to have its copies made again."
    with django_capture_on_commit_callbacks(execute=True):
        assert run_queued_tasks() == 1

    assert shown_size(client, photo) == (1600, 1067)
    photo.refresh_from_db()
    assert stored_files() == sorted([photo.file.name, photo.thumbnail.name, photo.display.name])
    assert not any(photo_storage().exists(name) for name in old)


def test_a_photo_erased_after_it_was_queued_is_skipped_and_leaves_no_file(
    django_capture_on_commit_callbacks,
):
    erased, kept = large_photo(), large_photo()
    assert backfill() == "Queued 2 photos lacking a copy."
    with django_capture_on_commit_callbacks(execute=True):
        patient_anonymise(patient=erased.consultation.patient, user=AdminFactory())

    assert run_queued_tasks() == 2  # the erased photo's task finds no row: nothing made
    assert not Photo.objects.filter(pk=erased.pk).exists()
    kept.refresh_from_db()
    assert stored_files() == sorted([kept.file.name, kept.thumbnail.name, kept.display.name])
    assert backfill("--all") == "Queued 1 photo to have its copies made again."


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL advisory lock")
@pytest.mark.django_db(transaction=True)
def test_a_second_run_waits_for_the_first_and_queues_nothing_twice():
    """Two runs at once (two hosts after a deploy): the second waits for the first's lock (past
    the statement timeout), then reads what the first queued."""
    photos = [large_photo(), large_photo()]
    other = psycopg.connect(database_url(connection.settings_dict), autocommit=True)
    other.execute("SELECT pg_advisory_lock(%s)", [RUN_LOCK])  # a first run, still queuing
    said: list[str] = []

    def second_run() -> None:
        with connection.cursor() as cursor:  # a wait far longer than any statement may take
            cursor.execute("SET statement_timeout = 200")
        try:
            said.append(backfill())
        finally:
            connections.close_all()

    second = threading.Thread(target=second_run)
    second.start()
    second.join(timeout=1)
    assert second.is_alive(), "the second run did not wait for the first"
    for photo in photos:  # what the first run queues before it lets go
        enqueue_with_transaction(tasks.photo_thumbnail_make, photo.pk)
    other.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK])
    other.close()
    second.join(timeout=30)
    assert said == ["Queued 0 photos lacking a copy; 2 already queued."]
    assert queued_ids(tasks.photo_thumbnail_make) == {photo.pk for photo in photos}
