"""Re-run the current rules over stored consultations and report what would change."""

from __future__ import annotations

import datetime
import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consultations.insight.replay import format_table, replay
from consultations.insight.replay_outcomes import format_outcomes, outcome_replay
from consultations.models import Consultation


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since must be a date as YYYY-MM-DD; got {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Rule test bench: re-run the current ruleset over submitted and decided consultations "
        "(their answers as corrected by practitioners) and report which primary suggestions "
        "would change, how the rules agree with practitioners' decisions, and how they weigh "
        "against recorded outcomes (adverse events flagged, treatments that went well blocked)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            type=str,
            default=None,
            help="Only consultations submitted on or after this date (YYYY-MM-DD).",
        )
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        since = _date(options["since"]) if options["since"] else None
        started = time.perf_counter()
        report = replay(Consultation.objects.all(), since=since)
        outcomes = outcome_replay(Consultation.objects.all(), since=since)
        seconds = time.perf_counter() - started
        if options["format"] == "json":
            self.stdout.write(
                json.dumps({**report.to_dict(), "outcomes": outcomes.to_dict()}, indent=2)
            )
        else:
            self.stdout.write(format_table(report) + format_outcomes(outcomes), ending="")
        self.stderr.write(f"Replayed {report.replayed} consultations in {seconds:.1f} s.")
