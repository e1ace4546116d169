"""`python manage.py rerun_rules [--dry-run] [--include-decided]`: after a new ruleset is deployed,
run it on every consultation awaiting review whose latest evaluation an earlier ruleset made.

Each gets a new evaluation (trigger "rerun"); the earlier ones are kept as they were. Decided
consultations keep the evaluation their decision was made on unless --include-decided (an
amendment then starts from the current rules). Run it once after `migrate` when RULESET_VERSION
changes; the review page also offers the same re-run, consultation by consultation.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from consultations import rules
from consultations.models import Consultation, ConsultationStatus
from consultations.services.review import ConsultationChanged, ReviewRefused, evaluation_rerun


class Command(BaseCommand):
    help = (
        "Run the current rules on consultations whose latest evaluation is from an earlier ruleset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")
        parser.add_argument(
            "--include-decided",
            action="store_true",
            help="Decided consultations too (their decisions stay as they were).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        statuses = [ConsultationStatus.SUBMITTED]
        if options["include_decided"]:
            statuses.append(ConsultationStatus.DECIDED)
        outdated = (
            Consultation.objects.filter(status__in=statuses, latest_evaluation__isnull=False)
            .exclude(latest_evaluation__ruleset_version=rules.RULESET_VERSION)
            .order_by("pk")
        )
        pks = list(outdated.values_list("pk", flat=True))
        if options["dry_run"]:
            self.stdout.write(
                f"{len(pks)} consultations would be evaluated by ruleset {rules.RULESET_VERSION}."
            )
            return
        done = skipped = 0
        for pk in pks:
            consultation = Consultation.objects.get(pk=pk)
            try:
                evaluation_rerun(consultation=consultation, user=None)
            except (ConsultationChanged, ReviewRefused):
                skipped += 1  # sent back or changed meanwhile: the review page offers it
                continue
            done += 1
        self.stdout.write(
            f"{done} consultations evaluated by ruleset {rules.RULESET_VERSION}"
            + (f"; {skipped} skipped (changed meanwhile)." if skipped else ".")
        )
