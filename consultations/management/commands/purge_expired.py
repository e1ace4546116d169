"""`manage.py purge_expired [--dry-run]`: enforce the retention policy now, and say what went."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from consultations.services.retention import retention_purge


class Command(BaseCommand):
    help = "Delete what the retention policy no longer keeps (README, Retention)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be deleted."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        counts = retention_purge(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        for what, count in counts.items():
            self.stdout.write(f"{verb} {count} {what.replace('_', ' ')}")
