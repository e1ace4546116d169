"""The rule test bench against recorded outcomes: would a candidate ruleset have seen it coming?

The candidate is the ruleset in the code (rules.RULESET_VERSION), run on the answers of the
evaluation the decision in force was made on (its `answers` snapshot); "in force" is that
evaluation's output, i.e. what the clinic saw when the treatment went ahead. Both read the same
answers, so a difference is the rules' alone, never an answer corrected or a check-in given
after the decision. Only consultations treated (a session record in
force) count, with the treatment of their latest record in force:

- with an adverse event after treatment (a record naming one, or a follow-up red flag): how
  many each ruleset flagged for that treatment (a stop flag, the treatment excluded, or the
  treatment suggested with caution), and how many the candidate flags that were not flagged;
- without one: how many each ruleset blocked (a stop flag or the treatment excluded), and how
  many the candidate would newly block: treatments that went well that it would have stopped.

Counts only, no percentages on their own: the numbers are small, and a clinician reads them
with the references the report lists.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    JSONField,
    OuterRef,
    QuerySet,
    Subquery,
)

from consultations import rules
from consultations.insight.outcomes import adverse_after, treated_exists
from consultations.models import Consultation, Decision, SessionRecord

CHUNK_SIZE = 2000


def blocked(output: dict[str, Any], treatment: str) -> bool:
    """The output stops the treatment: a stop flag, or the treatment excluded."""
    stop = any(flag["severity"] == rules.vocabulary.STOP for flag in output.get("flags", []))
    return stop or treatment in {e["treatment"] for e in output.get("excluded", [])}


def flagged(output: dict[str, Any], treatment: str) -> bool:
    """Blocked, or not suggested as suitable (suggested with caution, or not at all)."""
    if blocked(output, treatment):
        return True
    suggestion = next(
        (s for s in output.get("suggestions", []) if s["treatment"] == treatment), None
    )
    return suggestion is None or suggestion["status"] == "caution"


@dataclass
class OutcomeReplay:
    ruleset_version: str
    since: datetime.date | None = None
    treated: int = 0
    invalid: list[str] = field(default_factory=list)
    adverse: int = 0
    adverse_flagged_in_force: int = 0
    adverse_flagged_candidate: int = 0
    adverse_newly_flagged: list[str] = field(default_factory=list)
    adverse_no_longer_flagged: list[str] = field(default_factory=list)
    fine: int = 0
    fine_blocked_in_force: int = 0
    fine_blocked_candidate: int = 0
    fine_newly_blocked: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ruleset_version": self.ruleset_version,
            "treated": self.treated,
            "with_adverse_event": {
                "consultations": self.adverse,
                "flagged_in_force": self.adverse_flagged_in_force,
                "flagged_by_candidate": self.adverse_flagged_candidate,
                "newly_flagged": self.adverse_newly_flagged,
                "no_longer_flagged": self.adverse_no_longer_flagged,
            },
            "without_adverse_event": {
                "consultations": self.fine,
                "blocked_in_force": self.fine_blocked_in_force,
                "blocked_by_candidate": self.fine_blocked_candidate,
                "newly_blocked": self.fine_newly_blocked,
            },
            "invalid": self.invalid,
        }


def outcome_queryset(
    consultations: QuerySet[Consultation], *, since: datetime.date | None = None
) -> QuerySet[Consultation, dict[str, Any]]:
    """Treated consultations as plain rows: the answers and output of the evaluation the
    decision in force was made on (what the clinic saw), the treatment performed, and whether
    an adverse event followed."""
    rows = consultations.filter(treated_exists("pk"))
    if since is not None:
        rows = rows.filter(submitted_at__date__gte=since)
    in_force = Decision.objects.current().filter(consultation=OuterRef("pk"))
    latest_record = SessionRecord.objects.filter(
        session__course__consultation=OuterRef("pk"), superseded_by__isnull=True
    ).order_by("-performed_on", "-pk")
    return (
        rows.annotate(
            output_in_force=Subquery(
                in_force.values("evaluation__output")[:1], output_field=JSONField()
            ),
            answers_in_force=Subquery(
                in_force.values("evaluation__answers")[:1], output_field=JSONField()
            ),
            performed=Subquery(latest_record.values("treatment")[:1]),
        )
        .annotate(
            had_adverse_event=ExpressionWrapper(adverse_after("pk"), output_field=BooleanField())
        )
        .order_by("pk")
        .values(
            "reference",
            "output_in_force",
            "answers_in_force",
            "performed",
            "had_adverse_event",
        )
    )


def outcome_replay(
    consultations: QuerySet[Consultation], *, since: datetime.date | None = None
) -> OutcomeReplay:
    """Weigh the candidate ruleset and the one in force against what happened (module doc)."""
    report = OutcomeReplay(ruleset_version=rules.RULESET_VERSION, since=since)
    for row in outcome_queryset(consultations, since=since).iterator(chunk_size=CHUNK_SIZE):
        try:
            answers = rules.Answers.from_mapping(row["answers_in_force"])
        except rules.AnswersError:
            report.invalid.append(row["reference"])
            continue
        candidate = rules.evaluate(answers).to_dict()
        in_force = row["output_in_force"] or {}
        treatment = row["performed"]
        report.treated += 1
        if row["had_adverse_event"]:
            report.adverse += 1
            was, now = flagged(in_force, treatment), flagged(candidate, treatment)
            report.adverse_flagged_in_force += was
            report.adverse_flagged_candidate += now
            if now and not was:
                report.adverse_newly_flagged.append(row["reference"])
            if was and not now:
                report.adverse_no_longer_flagged.append(row["reference"])
        else:
            report.fine += 1
            was, now = blocked(in_force, treatment), blocked(candidate, treatment)
            report.fine_blocked_in_force += was
            report.fine_blocked_candidate += now
            if now and not was:
                report.fine_newly_blocked.append(row["reference"])
    return report


def format_outcomes(report: OutcomeReplay) -> str:
    """The outcome comparison as plain text, after format_table's."""

    def references(refs: list[str]) -> list[str]:
        return [f"    {reference}" for reference in refs] or ["    none"]

    lines = [
        "",
        f"Against recorded outcomes (treated consultations: {report.treated}; candidate: "
        f"ruleset {report.ruleset_version}, in force: the evaluation each decision was made on; "
        "both on that evaluation's answers)",
        f"  With an adverse event after treatment: {report.adverse}",
        f"    flagged for the treatment performed, in force: {report.adverse_flagged_in_force}",
        f"    flagged by the candidate: {report.adverse_flagged_candidate}",
        "    newly flagged by the candidate:",
        *references(report.adverse_newly_flagged),
        "    flagged in force, no longer by the candidate:",
        *references(report.adverse_no_longer_flagged),
        f"  Without an adverse event: {report.fine}",
        f"    blocked (stop or excluded), in force: {report.fine_blocked_in_force}",
        f"    blocked by the candidate: {report.fine_blocked_candidate}",
        "    newly blocked by the candidate:",
        *references(report.fine_newly_blocked),
    ]
    if report.invalid:
        lines += ["  Answers the candidate refuses (not counted):", *references(report.invalid)]
    return "\n".join(lines) + "\n"
