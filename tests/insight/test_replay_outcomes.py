"""The rule test bench weighs a ruleset against recorded outcomes, not only decisions.

The ruleset in force when a treatment went ahead is the evaluation its decision was made on; an
older ruleset is simulated by rewriting that stored output, as tests/insight/test_replay_rules.py
does for primaries.
"""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from consultations.insight.replay_outcomes import blocked, flagged, outcome_replay
from consultations.models import Consultation, Evaluation
from tests.factories import AdminFactory, SessionRecordFactory, coursed

pytestmark = pytest.mark.django_db


def treated(*, adverse=(), **answers) -> Consultation:
    consultation = coursed(treatment="chemical_peel", **answers)
    SessionRecordFactory(
        session=consultation.course.sessions.get(number=1), adverse_events=list(adverse)
    )
    return consultation


def as_if_older_rules_saw_nothing(consultation: Consultation) -> None:
    """The decision's evaluation as an older ruleset without the caution would have made it."""
    evaluation = consultation.decisions.get().evaluation
    output = {
        **evaluation.output,
        "flags": [],
        "excluded": [],
        "suggestions": [{**s, "status": "suitable"} for s in evaluation.output["suggestions"]],
    }
    Evaluation.objects.filter(pk=evaluation.pk).update(output=output)


def as_if_older_rules_saw(consultation: Consultation, **answers) -> None:
    """The decision was made on these answers, by an older ruleset that flagged nothing for
    them (its stored output kept as it is)."""
    evaluation = consultation.decisions.get().evaluation
    Evaluation.objects.filter(pk=evaluation.pk).update(answers={**evaluation.answers, **answers})


@pytest.fixture
def outcomes_bench() -> dict[str, Consultation]:
    # Cold sores (R26, a caution for peels): an adverse event the older rules did not flag.
    newly_flagged = treated(hsv_history=True, adverse=["hsv_reactivation"])
    as_if_older_rules_saw_nothing(newly_flagged)
    # The same, flagged then as now.
    flagged_both = treated(hsv_history=True, adverse=["hsv_reactivation"])
    # Went well on a photosensitising medicine the older rules let through; the current rules
    # exclude peels for it.
    newly_blocked = treated()
    as_if_older_rules_saw(newly_blocked, photosensitising_meds=True)
    fine = treated()
    coursed(treatment="chemical_peel", hsv_history=True)  # no session yet: not counted
    return {
        "newly_flagged": newly_flagged,
        "flagged_both": flagged_both,
        "newly_blocked": newly_blocked,
        "fine": fine,
    }


def test_it_counts_adverse_events_each_ruleset_flagged_for_the_treatment_performed(
    outcomes_bench,
):
    report = outcome_replay(Consultation.objects.all())
    assert report.treated == 4
    assert report.adverse == 2
    assert report.adverse_flagged_in_force == 1
    assert report.adverse_flagged_candidate == 2
    assert report.adverse_newly_flagged == [outcomes_bench["newly_flagged"].reference]
    assert report.adverse_no_longer_flagged == []


def test_it_counts_treatments_that_went_well_the_candidate_would_newly_block(outcomes_bench):
    report = outcome_replay(Consultation.objects.all())
    assert report.fine == 2
    assert report.fine_blocked_in_force == 0
    assert report.fine_blocked_candidate == 1
    assert report.fine_newly_blocked == [outcomes_bench["newly_blocked"].reference]


def test_an_amended_record_without_the_adverse_event_counts_as_without(outcomes_bench):
    consultation = outcomes_bench["flagged_both"]
    record = consultation.course.sessions.get(number=1).records.get()
    SessionRecordFactory(
        session=record.session,
        supersedes=record,
        amendment_reason="Not a cold sore.",
    )
    report = outcome_replay(Consultation.objects.all())
    assert (report.adverse, report.fine) == (1, 3)


def test_flagged_and_blocked_read_the_rules_output():
    output = {
        "flags": [{"severity": "caution", "rule": "R26", "code": "HSV_HISTORY", "message": ""}],
        "excluded": [{"treatment": "laser", "reasons": []}],
        "suggestions": [
            {"treatment": "chemical_peel", "status": "caution"},
            {"treatment": "microdermabrasion", "status": "suitable"},
        ],
    }
    assert blocked(output, "laser") and flagged(output, "laser")
    assert not blocked(output, "chemical_peel") and flagged(output, "chemical_peel")
    assert not flagged(output, "microdermabrasion")
    stop = {**output, "flags": [{"severity": "stop", "rule": "R01"}]}
    assert blocked(stop, "microdermabrasion")


def test_the_command_reports_the_outcomes_in_json_and_as_a_table(outcomes_bench):
    out = StringIO()
    call_command("replay_rules", "--format", "json", stdout=out, stderr=StringIO())
    data = json.loads(out.getvalue())["outcomes"]
    assert data["with_adverse_event"]["newly_flagged"] == [
        outcomes_bench["newly_flagged"].reference
    ]
    assert data["without_adverse_event"]["blocked_by_candidate"] == 1

    out = StringIO()
    call_command("replay_rules", stdout=out, stderr=StringIO())
    assert "Against recorded outcomes (treated consultations: 4" in out.getvalue()
    assert outcomes_bench["newly_blocked"].reference in out.getvalue()


def test_the_bench_page_shows_the_outcomes_to_admins(client, outcomes_bench):
    client.force_login(AdminFactory())
    page = client.get(reverse("insight:replay"), {"run": "1", "since": ""}).content.decode()
    table = re.search(r'<table[^>]*id="replay-outcomes-table".*?</table>', page, re.S).group(0)
    assert outcomes_bench["newly_flagged"].reference in table
    assert outcomes_bench["newly_blocked"].reference in table


def test_the_candidate_reads_the_answers_the_decision_was_made_on_not_later_ones():
    # After the decision a check-in (or a correction) changed the answers: a photosensitising
    # medicine now, cold sores now. The candidate is weighed on what the decision saw, as the
    # ruleset in force was: a later answer is not a rules change.
    went_well = treated()
    Consultation.objects.filter(pk=went_well.pk).update(photosensitising_meds=True)
    went_badly = treated(adverse=["hsv_reactivation"])
    Consultation.objects.filter(pk=went_badly.pk).update(hsv_history=True)

    report = outcome_replay(Consultation.objects.all())

    assert (report.treated, report.adverse, report.fine) == (2, 1, 1)
    assert report.fine_newly_blocked == [] and report.fine_blocked_candidate == 0
    assert report.adverse_newly_flagged == []
    assert report.adverse_flagged_candidate == report.adverse_flagged_in_force
    assert report.invalid == []
