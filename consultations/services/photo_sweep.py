"""Photo files without a row, deleted: what a request that died between writing a photo's file
and committing its row leaves behind (the process killed, the transaction rolled back after the
upload service had written the file, a storage that failed to delete).

Runs hourly on the task queue (TASK_SCHEDULE, consultations.tasks.photo_orphans_sweep). Only
files older than ORPHAN_AFTER are looked at: a file just written may belong to a row whose
transaction has not committed yet. File names are random, so the log names them, never a
patient.

A safety stop: deleting every file the rows do not name is right only when the rows are the
whole truth. Pointed at the wrong database (an empty one, a restore in progress, a staging copy
sharing the bucket) it would delete real photos. So when the photo table has no rows while
files exist, or when more than max(SAFETY_MIN, SAFETY_SHARE of the files) would go in one run,
nothing is deleted and an error is logged (counts only) for a person to look at.

Cost: one listing of the storage, kept as a list of names (about 40 bytes each), then one query
per BATCH names. The local directory gives each file's modification time with the listing
(os.scandir); S3 through django-storages' listdir does not, so there the bucket's own listing
(which carries LastModified, 1,000 objects a request) is used when the storage exposes it,
else one HEAD request per file (get_modified_time).
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Iterator

from django.core.files.storage import FileSystemStorage
from django.db.models import Q
from django.utils import timezone

from consultations.models import Photo
from consultations.storage import photo_storage

logger = logging.getLogger(__name__)

ORPHAN_AFTER = datetime.timedelta(hours=1)
BATCH = 500
# The most one run may delete: this many files, or this share of all files if more.
SAFETY_MIN = 20
SAFETY_SHARE = 0.10


def photo_orphans_sweep(*, now: datetime.datetime | None = None) -> int:
    """Delete each photo file (or thumbnail, or display copy) older than ORPHAN_AFTER that no
    row names; how many (0 when the safety stop holds the run back)."""
    storage = photo_storage()
    cutoff = (now or timezone.now()) - ORPHAN_AFTER
    total = 0
    old: list[str] = []
    for name, modified in _listing():
        total += 1
        if modified < cutoff:
            old.append(name)
    if not total:
        return 0
    if not Photo.objects.exists():
        logger.error(
            "Photo orphan sweep stopped: no photo rows but %d files in the photo storage; "
            "nothing deleted (is this the right database?)",
            total,
        )
        return 0
    orphans = [name for batch in _batches(iter(old)) for name in _unnamed(batch)]
    allowed = max(SAFETY_MIN, int(total * SAFETY_SHARE))
    if len(orphans) > allowed:
        logger.error(
            "Photo orphan sweep stopped: %d of %d files have no row, more than the %d one run "
            "may delete; nothing deleted (is this the right database?)",
            len(orphans),
            total,
            allowed,
        )
        return 0
    deleted = 0
    for name in orphans:
        try:
            storage.delete(name)
        except Exception:  # the storage is down: the next sweep tries again
            logger.exception("Orphan photo file %s could not be deleted", name)
            continue
        deleted += 1
        logger.info("Orphan photo file %s deleted", name)
    return deleted


def _unnamed(batch: list[str]) -> list[str]:
    named = Photo.objects.filter(
        Q(file__in=batch) | Q(thumbnail__in=batch) | Q(display__in=batch)
    ).values_list("file", "thumbnail", "display")
    kept = {name for names in named for name in names}
    return [name for name in batch if name not in kept]


def _listing() -> Iterator[tuple[str, datetime.datetime]]:
    """Each file's name and modification time (aware, UTC), from the listing where it has them."""
    storage = photo_storage()
    location = getattr(storage, "location", None)
    if isinstance(storage, FileSystemStorage):  # the local directory
        try:
            entries = os.scandir(storage.location)
        except FileNotFoundError:  # nothing stored yet
            return
        with entries:
            for entry in entries:
                if entry.is_file(follow_symlinks=False):
                    stamp = entry.stat(follow_symlinks=False).st_mtime
                    yield entry.name, datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC)
        return
    bucket = getattr(storage, "bucket", None)
    if bucket is not None:  # django-storages' S3Storage: the bucket's listing has the times
        prefix = f"{location.strip('/')}/" if location else ""
        for summary in bucket.objects.filter(Prefix=prefix):
            name = summary.key[len(prefix) :]
            if name and "/" not in name:
                yield name, summary.last_modified
        return
    try:
        _, names = storage.listdir("")
    except FileNotFoundError:  # nothing stored yet
        return
    for name in names:
        try:
            yield name, storage.get_modified_time(name)
        except FileNotFoundError:  # deleted meanwhile
            continue


def _batches(names: Iterator[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for name in names:
        batch.append(name)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
