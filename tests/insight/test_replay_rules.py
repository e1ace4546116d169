"""The rule test bench reports exactly the consultations a rule change alters.

"A rule change" is simulated the way it happens in production: the stored evaluations were
produced by an older ruleset whose primary differed, so their stored primary is rewritten to
another treatment, as if that older ruleset had made it.
"""

from __future__ import annotations

import datetime
import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from consultations import rules
from consultations.insight.replay import replay
from consultations.models import (
    Consultation,
    ConsultationStatus,
    DecisionOutcome,
    DecisionReason,
    Evaluation,
)
from consultations.services import consultation_answers
from tests.factories import (
    AdminFactory,
    ConsentFactory,
    ConsultationFactory,
    DecisionFactory,
    DraftConsultationFactory,
    PractitionerFactory,
    UserFactory,
    decided,
    safe_answers,
    submitted,
)

pytestmark = pytest.mark.django_db


OLD_RULESET = "2025.9"


def as_if_older_rules_said(consultation: Consultation, primary: str) -> None:
    """Rewrite the stored evaluation as an older ruleset would have produced it."""
    evaluation = consultation.latest_evaluation
    output = {**evaluation.output, "primary": primary, "ruleset_version": OLD_RULESET}
    Evaluation.objects.filter(pk=evaluation.pk).update(
        primary=primary, output=output, ruleset_version=OLD_RULESET
    )
    consultation.refresh_from_db()


def answers(**overrides) -> dict:
    """The answers ConsultationFactory stores, with these overrides (age: the factory's 35)."""
    return safe_answers(age=35, **overrides)


def another_treatment(consultation: Consultation) -> str:
    return next(t for t in rules.TREATMENTS if t != consultation.latest_evaluation.primary)


@pytest.fixture
def bench() -> dict[str, object]:
    """Seven replayable consultations, of which three had another primary under older rules."""
    # A: the older rules said `old`, the practitioner accepted it; the current rules disagree.
    a = submitted(goals=["acne_scars"])
    old = another_treatment(a)
    as_if_older_rules_said(a, old)
    DecisionFactory(evaluation=a.latest_evaluation, outcome=DecisionOutcome.ACCEPTED, treatment=old)
    Consultation.objects.filter(pk=a.pk).update(status="decided", decided_at=a.submitted_at)
    # B: unchanged, accepted.
    b = decided(goals=["texture"])
    # C: changed, not decided yet.
    c = submitted(goals=["fine_lines"], sebum="oily")
    as_if_older_rules_said(c, rules.DEFER)
    # D: the practitioner chose a treatment the current rules exclude (an override).
    excluded = rules.suggest(answers(systemic_gold_therapy_ever=True))["excluded"]
    assert excluded, "gold therapy excludes a treatment (R04)"
    d = decided(
        systemic_gold_therapy_ever=True,
        outcome=DecisionOutcome.CHANGED,
        treatment=excluded[0]["treatment"],
        reason_code=DecisionReason.CLINICAL_JUDGEMENT,
        notes="Discussed the risk; patient insists.",
    )
    # E: unchanged, declined.
    e = decided(outcome=DecisionOutcome.DECLINED, reason_code=DecisionReason.REFER_TO_DOCTOR)
    # F: unchanged, waiting.
    f = submitted()
    # G: changed, but submitted before the --since date used below.
    g = submitted(submitted_at=datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC))
    as_if_older_rules_said(g, another_treatment(g))
    # Not replayed: a withdrawn consultation with a changed primary, and a draft.
    withdrawn = submitted()
    as_if_older_rules_said(withdrawn, another_treatment(withdrawn))
    Consultation.objects.filter(pk=withdrawn.pk).update(status=ConsultationStatus.WITHDRAWN)
    DraftConsultationFactory()
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g, "old": old}


def test_it_reports_exactly_the_consultations_whose_primary_changes(bench):
    report = replay(Consultation.objects.all())
    a, c, g = bench["a"], bench["c"], bench["g"]
    assert report.replayed == 7
    assert {x.reference for x in report.changed} == {a.reference, c.reference, g.reference}
    by_reference = {x.reference: (x.stored, x.now) for x in report.changed}
    assert by_reference[a.reference] == (
        bench["old"],
        rules.suggest(consultation_answers(a))["primary"],
    )
    assert by_reference[c.reference][0] == rules.DEFER
    assert sum(n for _, _, n in report.transitions) == 3
    assert report.stored_versions == {OLD_RULESET: 3, rules.RULESET_VERSION: 4}


def test_it_compares_agreement_with_practitioners_before_and_after(bench):
    report = replay(Consultation.objects.all())
    # Decided: A (accepted the old primary), B (accepted), D (override), E (declined).
    assert report.decided == 4
    assert report.agreement_before == 2  # A and B
    assert report.agreement_after == 1  # B only: A's choice is no longer the primary
    assert report.agreement_before_percent == 50.0
    assert report.agreement_after_percent == 25.0


def test_it_lists_choices_of_a_treatment_the_current_rules_exclude(bench):
    report = replay(Consultation.objects.all())
    assert [(x.reference, x.outcome) for x in report.excluded_choices] == [
        (bench["d"].reference, "changed")
    ]


def test_since_leaves_out_older_consultations(bench):
    report = replay(Consultation.objects.all(), since=datetime.date(2026, 1, 1))
    assert report.replayed == 6
    assert {x.reference for x in report.changed} == {bench["a"].reference, bench["c"].reference}


def test_it_replays_the_answers_as_corrected_by_practitioners():
    consultation = submitted(goals=["acne_scars"])
    unchanged = submitted(goals=["acne_scars"])
    stored = consultation.latest_evaluation.primary
    # The first practitioner's correction that makes the current rules suggest something else.
    candidates = [("fitzpatrick", 6), ("fitzpatrick", 5), ("recent_tan", True), ("melasma", True)]
    field, value = next(
        (field, value)
        for field, value in candidates
        if rules.suggest({**consultation_answers(consultation), field: value})["primary"] != stored
    )
    Consultation.objects.filter(pk=consultation.pk).update(**{field: value})
    report = replay(Consultation.objects.all())
    assert [x.reference for x in report.changed] == [consultation.reference]
    assert unchanged.reference not in {x.reference for x in report.changed}


def run_command(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("replay_rules", *args, stdout=out, stderr=err)
    assert re.search(r"Replayed \d+ consultations in \d+\.\d s\.", err.getvalue())
    return out.getvalue()


def test_the_json_format_lists_exactly_the_changed_consultations(bench):
    data = json.loads(run_command("--format", "json"))
    assert data["replayed"] == 7
    assert data["primary_changed"] == 3
    assert {x["reference"] for x in data["changed"]} == {
        bench["a"].reference,
        bench["c"].reference,
        bench["g"].reference,
    }
    assert data["agreement"] == {
        "decided": 4,
        "before": 2,
        "before_percent": 50.0,
        "after": 1,
        "after_percent": 25.0,
    }
    assert [x["reference"] for x in data["excluded_choices"]] == [bench["d"].reference]
    assert sum(t["count"] for t in data["transitions"]) == 3
    since = json.loads(run_command("--format", "json", "--since", "2026-01-01"))
    assert {x["reference"] for x in since["changed"]} == {
        bench["a"].reference,
        bench["c"].reference,
    }


def test_the_table_format_lists_exactly_the_changed_consultations(bench):
    text = run_command()
    changed_section = text.split("Changed primaries (reference: stored -> now):\n")[1].split(
        "\n\n"
    )[0]
    listed = set(re.findall(r"^  (PX-\w+): \S+ -> \S+$", changed_section, re.M))
    assert listed == {bench["a"].reference, bench["c"].reference, bench["g"].reference}
    assert "Primary would change:     3" in text
    assert "Agreement with practitioners before: 2 (50.0%)" in text
    assert "Agreement with practitioners after:  1 (25.0%)" in text
    excluded_section = text.split("exclude:\n")[1]
    assert re.findall(r"^  (PX-\w+):", excluded_section, re.M) == [bench["d"].reference]


def test_a_bad_since_date_is_a_clear_error():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("replay_rules", "--since", "yesterday")


def test_the_admin_page_shows_the_same_report(client, bench):
    client.force_login(AdminFactory())
    url = reverse("insight:replay")
    assert 'id="changed"' not in client.get(url).content.decode()  # nothing runs until asked
    page = client.get(url, {"run": "1", "since": ""}).content.decode()
    changed_table = page.split('id="changed"')[1].split("</table>")[0]
    listed = set(re.findall(r"<tr><td>(PX-\w+)</td>", changed_table))
    assert listed == {bench["a"].reference, bench["c"].reference, bench["g"].reference}
    excluded_table = page.split('id="excluded-choices"')[1].split("</table>")[0]
    assert re.findall(r"<tr><td>(PX-\w+)</td>", excluded_table) == [bench["d"].reference]
    assert '<dd class="col-sm-6 col-lg-8" id="changed-count">3</dd>' in page
    page = client.get(url, {"run": "1", "since": "2026-01-01"}).content.decode()
    assert '<dd class="col-sm-6 col-lg-8" id="changed-count">2</dd>' in page


def test_a_bad_date_on_the_page_is_a_field_message(client):
    client.force_login(AdminFactory())
    response = client.get(reverse("insight:replay"), {"run": "1", "since": "31/31/2026"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def test_the_page_is_for_admins_only(client):
    url = reverse("insight:replay")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(PractitionerFactory())
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(is_staff=True))  # staff without the evaluation permission
    assert client.get(url).status_code == 403
    client.force_login(AdminFactory())
    assert client.get(url).status_code == 200


def test_it_counts_deferrals_before_and_after_by_rule():
    # Stored as a suggestion, now deferred by R40 (vitiligo, a 2026.2 question).
    a = submitted(vitiligo=True)
    as_if_older_rules_said(a, "microdermabrasion")
    b = submitted()  # no deferral either way
    report = replay(Consultation.objects.filter(pk__in=[a.pk, b.pk]))
    assert (report.deferred_before, report.deferred_after) == (0, 1)
    assert report.deferring_rules == {"R40": 1}
    assert report.newly_deferring_rules == {"R40": 1}
    assert report.to_dict()["deferrals"]["by_rule"] == {"R40": 1}


def test_consultations_answered_under_2026_1_defer_until_asked_and_are_counted_apart():
    legacy = ConsultationFactory(
        questionnaire_version="2026.1", **dict.fromkeys(rules.NEW_BOOLEAN_FIELDS_2026_2, None)
    )
    ConsentFactory(consultation=legacy)
    from consultations.services import evaluation_create

    evaluation_create(consultation=legacy)
    report = replay(Consultation.objects.filter(pk=legacy.pk))
    assert report.replayed == 1 and report.invalid == []
    assert report.deferring_rules == {"R45": 1}
    assert (report.legacy, report.legacy_deferred_if_answered_no) == (1, 0)
