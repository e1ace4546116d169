"""`python manage.py suggest FILE|-`: answers JSON in, the rules' suggestion JSON out."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from consultations.rules import Answers, AnswersError, evaluate

INVALID_ANSWERS_EXIT = 2


class Command(BaseCommand):
    help = (
        "Read one answers object, or a JSON list of them, from FILE (or - for standard input) "
        'and print the rules\' output as JSON. An object may carry "questionnaire_version": '
        '"2026.1" (the codes added in 2026.2 may then be absent: rule R45 asks for them) or '
        '"2026.2" (the default: every code is required). Exit 2 on unreadable or invalid '
        "input, with one message per field on standard error."
    )
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="answers JSON file, or - to read standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        text = self._read(options["file"], options.get("stdin") or sys.stdin)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            self._fail([f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})"])
        many = isinstance(data, list)
        items = data if many else [data]
        answers: list[Answers] = []
        problems: list[str] = []
        for index, item in enumerate(items):
            prefix = f"item {index}: " if many else ""
            if not isinstance(item, dict):
                problems.append(f"{prefix}must be a JSON object of answer codes and values")
                continue
            try:
                answers.append(Answers.from_mapping(item))
            except AnswersError as error:
                problems += [f"{prefix}{code}: {message}" for code, message in error.errors.items()]
        if problems:
            self._fail(problems)
        output = [evaluate(a).to_dict() for a in answers]
        self.stdout.write(json.dumps(output if many else output[0], indent=2))

    def _read(self, path: str, stdin: Any) -> str:
        try:
            if path == "-":
                return stdin.read()
            with open(path, encoding="utf-8") as file:
                return file.read()
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            self._fail([f"cannot read {path}: {reason}"])

    def _fail(self, messages: list[str]) -> NoReturn:
        for message in messages:
            self.stderr.write(message)
        raise SystemExit(INVALID_ANSWERS_EXIT)
