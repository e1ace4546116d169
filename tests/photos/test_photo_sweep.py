"""Photo files that no row names (a request that died after writing the file) are swept an
hour later; files with a row, and fresh ones, stay."""

from __future__ import annotations

import datetime
import os
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from consultations.models import Photo
from consultations.models.photos import photo_name
from consultations.services import photo_sweep
from consultations.services.photo_sweep import photo_orphans_sweep
from consultations.services.photos import photo_add_by_patient, photo_thumbnail_make
from consultations.storage import photo_storage
from tests.factories import DraftConsultationFactory
from tests.photos import images
from tests.photos.factories import PhotoFactory

pytestmark = pytest.mark.django_db


def written(age: datetime.timedelta) -> str:
    """A file in the photo storage, written `age` ago."""
    name = photo_storage().save(photo_name(), ContentFile(images.jpeg_bytes()))
    when = (timezone.now() - age).timestamp()
    os.utime(photo_storage().path(name), (when, when))
    return name


def aged(*names: str) -> None:
    when = (timezone.now() - datetime.timedelta(hours=2)).timestamp()
    for name in names:
        os.utime(photo_storage().path(name), (when, when))


def test_an_old_file_without_a_row_is_swept_and_the_others_stay():
    orphan = written(datetime.timedelta(hours=2))
    fresh = written(datetime.timedelta(minutes=5))
    photo = PhotoFactory()
    photo_thumbnail_make(photo_id=photo.pk)
    photo.refresh_from_db()
    aged(photo.file.name, photo.thumbnail.name, photo.display.name)

    assert photo_orphans_sweep() == 1

    storage = photo_storage()
    assert not storage.exists(orphan)
    assert storage.exists(fresh)
    assert all(
        storage.exists(name) for name in (photo.file.name, photo.thumbnail.name, photo.display.name)
    )


def test_the_file_of_an_upload_whose_transaction_rolled_back_is_swept():
    draft = DraftConsultationFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        photo_add_by_patient(
            consultation_id=draft.pk,
            draft_key=draft.draft_key,
            view="front",
            upload=images.upload(images.jpeg_bytes()),
            clinical_consent=True,
            other_use_consent=False,
        )
        raise RuntimeError("the request died before its transaction committed")
    assert not Photo.objects.exists()
    _, [left] = photo_storage().listdir("")  # the file written before the row
    kept = PhotoFactory()  # another consultation's photo: the table is not empty

    assert photo_orphans_sweep() == 0  # not yet: it may be a row's, not yet committed
    assert photo_orphans_sweep(now=timezone.now() + datetime.timedelta(hours=2)) == 1
    assert photo_storage().listdir("") == ([], [kept.file.name])


def test_an_empty_storage_is_nothing_to_sweep():
    assert photo_orphans_sweep() == 0


def test_the_sweep_runs_hourly_on_the_task_queue():
    path, every = settings.TASK_SCHEDULE["photo-orphans-sweep"]
    assert every == 3600
    orphan = written(datetime.timedelta(hours=3))
    PhotoFactory()
    assert import_string(path).call() == 1
    assert not photo_storage().exists(orphan)


def test_with_no_photo_rows_at_all_nothing_is_deleted_and_an_error_is_logged(caplog):
    """An empty table beside a full storage: the wrong database (a restore, a staging copy
    sharing the bucket), not orphans."""
    files = [written(datetime.timedelta(hours=2)) for _ in range(3)]

    assert photo_orphans_sweep() == 0

    assert all(photo_storage().exists(name) for name in files)
    [record] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "no photo rows but 3 files" in record.getMessage()
    assert not any(name in record.getMessage() for name in files)


def test_more_orphans_than_one_run_may_delete_stops_the_whole_run(caplog):
    PhotoFactory()
    files = [written(datetime.timedelta(hours=2)) for _ in range(21)]  # more than 20, 10% of 22

    assert photo_orphans_sweep() == 0

    assert all(photo_storage().exists(name) for name in files)
    [record] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "21 of 22 files have no row" in record.getMessage()


def test_up_to_the_safety_limit_the_orphans_are_deleted():
    PhotoFactory()
    files = [written(datetime.timedelta(hours=2)) for _ in range(20)]

    assert photo_orphans_sweep() == 20

    assert not any(photo_storage().exists(name) for name in files)


class BucketStorage(Storage):
    """The shape of django-storages' S3Storage that the sweep reads: a location (the
    environment's prefix) and a boto3 bucket whose listing carries each object's time."""

    location = "staging/photos"

    def __init__(self, objects: list[SimpleNamespace]) -> None:
        listing = SimpleNamespace(
            filter=lambda Prefix: [o for o in objects if o.key.startswith(Prefix)]
        )
        self.bucket = SimpleNamespace(objects=listing)
        self.deleted: list[str] = []

    def delete(self, name: str) -> None:
        self.deleted.append(name)

    def listdir(self, path: str):
        raise AssertionError("the bucket's listing has the times: no request per file")


def test_on_a_bucket_only_the_environments_prefix_is_swept_from_its_listing(monkeypatch):
    photo = PhotoFactory()
    old = timezone.now() - datetime.timedelta(hours=2)
    new = timezone.now()
    storage = BucketStorage(
        [
            SimpleNamespace(key=f"staging/photos/{photo.file.name}", last_modified=old),
            SimpleNamespace(key="staging/photos/orphan.jpg", last_modified=old),
            SimpleNamespace(key="staging/photos/fresh.jpg", last_modified=new),
            SimpleNamespace(key="staging/photos-old/other.jpg", last_modified=old),
            SimpleNamespace(key="production/photos/theirs.jpg", last_modified=old),
        ]
    )
    monkeypatch.setattr(photo_sweep, "photo_storage", lambda: storage)

    assert photo_sweep.photo_orphans_sweep() == 1

    assert storage.deleted == ["orphan.jpg"]
