"""Photo files without a row, deleted: what a request that died between writing a photo's file
and committing its row leaves behind (the process killed, the transaction rolled back after the
upload service had written the file, a storage that failed to delete).

Runs hourly on the task queue (TASK_SCHEDULE, consultations.tasks.photo_orphans_sweep). Only
files older than ORPHAN_AFTER are looked at: a file just written may belong to a row whose
transaction has not committed yet. File names are random, so the log names them, never a
patient.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator

from django.db.models import Q
from django.utils import timezone

from consultations.models import Photo
from consultations.storage import photo_storage

logger = logging.getLogger(__name__)

ORPHAN_AFTER = datetime.timedelta(hours=1)
BATCH = 500


def photo_orphans_sweep(*, now: datetime.datetime | None = None) -> int:
    """Delete each photo file (or thumbnail) older than ORPHAN_AFTER that no row names; how
    many."""
    storage = photo_storage()
    cutoff = (now or timezone.now()) - ORPHAN_AFTER
    deleted = 0
    for batch in _batches(_old_names(cutoff)):
        named = set(
            Photo.objects.filter(Q(file__in=batch) | Q(thumbnail__in=batch)).values_list(
                "file", "thumbnail"
            )
        )
        kept = {name for pair in named for name in pair}
        for name in batch:
            if name in kept:
                continue
            try:
                storage.delete(name)
            except Exception:  # the storage is down: the next sweep tries again
                logger.exception("Orphan photo file %s could not be deleted", name)
                continue
            deleted += 1
            logger.info("Orphan photo file %s deleted", name)
    return deleted


def _old_names(cutoff: datetime.datetime) -> Iterator[str]:
    storage = photo_storage()
    try:
        _, names = storage.listdir("")
    except FileNotFoundError:  # nothing stored yet
        return
    for name in names:
        try:
            modified = storage.get_modified_time(name)
        except FileNotFoundError:  # deleted meanwhile
            continue
        if modified < cutoff:
            yield name


def _batches(names: Iterator[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for name in names:
        batch.append(name)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
