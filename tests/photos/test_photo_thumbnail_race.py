"""The thumbnail task and an erasure at the same moment, on two PostgreSQL connections, in
both orders: whichever takes the photo's row lock first, the other waits for it, and the
erasure leaves no row and no file (the photo's, the thumbnail's or the display copy's).

Each order is forced: one side holds its transaction open at the point that matters until the
other is seen waiting on the row lock (pg_stat_activity)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from consultations.models import Photo
from consultations.services.photos import photo_thumbnail_make, photos_delete
from consultations.storage import photo_storage
from tests.photos.factories import PhotoFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only"),
]


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def wait_until(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the other side never waited on the lock"
        time.sleep(0.02)


class Side(threading.Thread):
    """One connection's work in its own thread; failures kept for the test to see."""

    def __init__(self, work: Callable[[], object]) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.result: object = None
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.work()
        except BaseException as exc:
            self.failure = exc
        finally:
            connections.close_all()

    def finished(self) -> object:
        self.join(timeout=30)
        assert not self.is_alive()
        if self.failure:
            raise self.failure
        return self.result


def stored_files() -> list[str]:
    root = photo_storage().location
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


def test_the_erasure_locks_first_and_the_thumbnail_finds_no_row():
    photo = PhotoFactory()
    other = PhotoFactory()  # another patient's photo stays
    locked, release = threading.Event(), threading.Event()

    def erase() -> int:
        with transaction.atomic():
            deleted = photos_delete(consultation_ids=[photo.consultation_id])
            locked.set()
            release.wait(timeout=20)  # the thumbnail is made meanwhile, then waits on the row
        return deleted

    eraser = Side(erase)
    eraser.start()
    assert locked.wait(timeout=10)
    thumbnailer = Side(lambda: photo_thumbnail_make(photo_id=photo.pk))
    thumbnailer.start()
    wait_until(waiting_on_a_lock)  # its thumbnail written, its UPDATE waiting
    release.set()

    assert eraser.finished() == 1
    assert thumbnailer.finished() is False  # no row left: it removed its own file
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert stored_files() == [other.file.name]


def test_the_thumbnail_commits_first_and_the_erasure_deletes_it_too():
    photo = PhotoFactory()
    other = PhotoFactory()
    updated, release = threading.Event(), threading.Event()

    def thumbnail() -> bool:
        with transaction.atomic():  # the task's own write, held open before it commits
            made = photo_thumbnail_make(photo_id=photo.pk)
            updated.set()
            release.wait(timeout=20)
        return made

    thumbnailer = Side(thumbnail)
    thumbnailer.start()
    assert updated.wait(timeout=10)
    assert len(stored_files()) == 4  # both photos, the new thumbnail and display copy

    def erase() -> int:
        with transaction.atomic():
            return photos_delete(consultation_ids=[photo.consultation_id])

    eraser = Side(erase)
    eraser.start()
    wait_until(waiting_on_a_lock)  # the erasure waits to read the row's names
    release.set()

    assert thumbnailer.finished() is True
    assert eraser.finished() == 1
    assert not Photo.objects.filter(pk=photo.pk).exists()
    # The erasure read the thumbnail's and display copy's names once the task had committed,
    # and deleted them too.
    assert stored_files() == [other.file.name]


def with_copies() -> Photo:
    photo = PhotoFactory()
    photo_thumbnail_make(photo_id=photo.pk)
    photo.refresh_from_db()
    return photo


def test_the_erasure_locks_first_and_copies_made_again_find_no_row():
    photo = with_copies()  # `backfill_photo_copies --all` makes its copies again
    other = PhotoFactory()
    locked, release = threading.Event(), threading.Event()

    def erase() -> int:
        with transaction.atomic():
            deleted = photos_delete(consultation_ids=[photo.consultation_id])
            locked.set()
            release.wait(timeout=20)
        return deleted

    eraser = Side(erase)
    eraser.start()
    assert locked.wait(timeout=10)
    remaker = Side(lambda: photo_thumbnail_make(photo_id=photo.pk, remake=True))
    remaker.start()
    wait_until(waiting_on_a_lock)  # its new thumbnail written, its UPDATE waiting
    release.set()

    assert eraser.finished() == 1
    assert remaker.finished() is False  # no row left: it removed its own files
    assert stored_files() == [other.file.name]


def test_copies_made_again_commit_first_and_the_erasure_deletes_them_and_the_old_ones_go():
    photo = with_copies()
    other = PhotoFactory()
    updated, release = threading.Event(), threading.Event()

    def remake() -> bool:
        with transaction.atomic():
            made = photo_thumbnail_make(photo_id=photo.pk, remake=True)
            updated.set()
            release.wait(timeout=20)
        return made

    remaker = Side(remake)
    remaker.start()
    assert updated.wait(timeout=10)
    assert len(stored_files()) == 6  # both photos, the old copies and the new ones

    def erase() -> int:
        with transaction.atomic():
            return photos_delete(consultation_ids=[photo.consultation_id])

    eraser = Side(erase)
    eraser.start()
    wait_until(waiting_on_a_lock)
    release.set()

    assert remaker.finished() is True
    assert eraser.finished() == 1
    # The old copies went when the new names committed, the new ones with the erasure.
    assert stored_files() == [other.file.name]
