"""`python manage.py rules_table`: the whole rule set as a Markdown table, from the code."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from consultations.rules.markdown import rules_markdown


class Command(BaseCommand):
    help = (
        "Print the treatment-suggestion rules as Markdown for clinical review "
        "(python manage.py rules_table > docs/rules.md)."
    )
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(rules_markdown())
