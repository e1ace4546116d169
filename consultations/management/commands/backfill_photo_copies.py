"""`python manage.py backfill_photo_copies [--dry-run] [--all]`: queue the thumbnail and display
copy of every photo that lacks one, so that the pages stop opening its 7 MB original.

Photos stored before the display copy existed have none (or a task that made them failed):
the original stands in until `photo_thumbnail_make` runs for them, which makes only what is
missing. Run it once after deploying; the workers then make the copies. Photos with a task
waiting already are left out, so running it again queues nothing twice.

`--all` queues every photo's copies to be made again at the current sizes
(photo_files.DISPLAY_SIDE): copies made before (2048 px display copies) stay until then. The
new copy takes the old one's place and the old file is deleted once that commits.

Only photos that exist are queued: a deletion (a retake, an erasure, retention) removes the row
in its own transaction, and a photo deleted after it was queued is skipped by its task, which
waits on the deletion's row lock and then finds no row (tests/photos/test_photo_thumbnail_race.py).
Runs on PostgreSQL take turns (an advisory lock): two at once queue each photo once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.db.models import Q

from clinic.queue import enqueue_with_transaction, queued_ids
from consultations import tasks
from consultations.models import Photo

BATCH = 500
# A PostgreSQL advisory lock's key: this command's runs, one at a time.
RUN_LOCK = 0x0BAC_F111


class Command(BaseCommand):
    help = "Queue the thumbnail and display copy of every photo that lacks one (README, Photos)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, queue nothing.")
        parser.add_argument(
            "--all",
            action="store_true",
            help="Make every photo's copies again, at the current sizes.",
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        # One run at a time (two hosts after a deploy): a second waits for the first, then
        # reads what it queued, so that no photo is queued twice.
        if connection.vendor != "postgresql":
            self.queue(dry_run=dry_run, remake=options["all"])
            return
        with connection.cursor() as cursor:
            # However long the first run takes: the statement timeout would end the wait.
            cursor.execute("SET statement_timeout = 0")
            cursor.execute("SELECT pg_advisory_lock(%s)", [RUN_LOCK])
            cursor.execute("RESET statement_timeout")
            try:
                self.queue(dry_run=dry_run, remake=options["all"])
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK])

    def queue(self, *, dry_run: bool, remake: bool) -> None:
        task = tasks.photo_copies_remake if remake else tasks.photo_thumbnail_make
        photos = Photo.objects.all()
        if not remake:
            photos = photos.filter(Q(thumbnail="") | Q(display=""))
        # A remake also makes what is missing: it counts as queued for either.
        waiting = queued_ids(tasks.photo_copies_remake)
        if not remake:
            waiting |= queued_ids(tasks.photo_thumbnail_make)
        queued = skipped = 0
        last = 0
        while True:
            pks = list(
                photos.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]
            )
            if not pks:
                break
            last = pks[-1]
            fresh = [pk for pk in pks if pk not in waiting]
            skipped += len(pks) - len(fresh)
            queued += len(fresh)
            if dry_run:
                continue
            with transaction.atomic():  # a batch's tasks are queued together, or none
                for pk in fresh:
                    enqueue_with_transaction(task, pk)
        noun = "photo" if queued == 1 else "photos"
        their = "its" if queued == 1 else "their"
        what = f"to have {their} copies made again" if remake else "lacking a copy"
        verb = "Would queue" if dry_run else "Queued"
        self.stdout.write(
            f"{verb} {queued} {noun} {what}" + (f"; {skipped} already queued." if skipped else ".")
        )
