"""`python manage.py suggest FILE|-`: contract JSON out, exit 2 and nothing on stdout for bad input.

No database: the command needs none, so these tests are not marked django_db.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from consultations.rules import FOLLOW_UPS, NEW_CODES_2026_2, suggest
from tests.rules.helpers import answers
from tests.rules.strategies import INVALID_KINDS, answer_sets, invalid_answers

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run manage.py as a user would, to see the real exit code and streams."""
    env = {**os.environ, "DEBUG": "1"}  # a local run needs no SECRET_KEY; the command ignores it
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def call_suggest(*args: str, stdin: str | None = None) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    options: dict[str, Any] = {"stdout": out, "stderr": err}
    if stdin is not None:
        options["stdin"] = StringIO(stdin)
    call_command("suggest", *args, **options)
    return out.getvalue(), err.getvalue()


def test_it_prints_the_suggestion_for_an_answers_file(tmp_path: Path) -> None:
    data = answers(fitzpatrick=5, sebum="oily", goals=["pore_size"])
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    result = manage("suggest", str(path))

    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output == suggest(data)
    assert output["primary"] == "chemical_peel"
    assert [f["code"] for f in output["flags"]] == ["PIH_RISK"]


def test_it_reads_answers_from_standard_input() -> None:
    data = answers(active_infection_or_cold_sore=True)

    result = manage("suggest", "-", stdin=json.dumps(data))

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["primary"] == "defer_to_practitioner"


def test_it_answers_a_list_with_a_list_in_the_same_order(tmp_path: Path) -> None:
    items = [answers(goals=["fine_lines"]), answers(), answers(pregnant=True)]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(items), encoding="utf-8")

    out, err = call_suggest(str(path))

    assert json.loads(out) == [suggest(item) for item in items]
    assert [o["primary"] for o in json.loads(out)] == [
        "laser",
        "microdermabrasion",
        "microdermabrasion",
    ]
    assert err == ""


def test_it_reads_standard_input_through_call_command_too() -> None:
    out, _ = call_suggest("-", stdin=json.dumps(answers()))

    assert json.loads(out)["primary"] == "microdermabrasion"


def test_it_exits_2_naming_every_invalid_answer_and_prints_nothing() -> None:
    data = answers(sebum="greasy", age=16, skin_colour="olive")
    del data["pregnant"]

    result = manage("suggest", "-", stdin=json.dumps(data))

    assert result.returncode == 2
    assert result.stdout == ""
    assert "sebum: must be one of dry, normal, oily, very_oily" in result.stderr
    assert "age: must be at least 18" in result.stderr
    assert "pregnant: is required" in result.stderr
    assert "skin_colour: is not a known answer code" in result.stderr


def test_it_prefixes_each_problem_with_the_item_index_in_a_list(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps([answers(), answers(melasma="yes"), "texture"]), encoding="utf-8")
    err = StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("suggest", str(path), stdout=StringIO(), stderr=err)

    assert exited.value.code == 2
    assert err.getvalue().splitlines() == [
        "item 1: melasma: must be true or false",
        "item 2: must be a JSON object of answer codes and values",
    ]


def test_it_prints_nothing_for_a_list_with_one_bad_item(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps([answers(), answers(goals=[])]), encoding="utf-8")

    result = manage("suggest", str(path))

    assert result.returncode == 2
    assert result.stdout == ""
    assert "item 1: goals: must list at least one goal" in result.stderr


def test_it_exits_2_on_invalid_json() -> None:
    result = manage("suggest", "-", stdin='{"fitzpatrick": 3,')

    assert result.returncode == 2
    assert result.stdout == ""
    assert "invalid JSON" in result.stderr


def test_it_exits_2_when_the_file_cannot_be_read(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    err = StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("suggest", str(missing), stdout=StringIO(), stderr=err)

    assert exited.value.code == 2
    assert f"cannot read {missing}" in err.getvalue()


# --- questionnaire 2026.2 (intake-contract.md 1.2, 1.3 and 3) ---------------------------------


def old_consultation(**overrides: Any) -> dict[str, Any]:
    """A consultation answered under questionnaire 2026.1: none of the 13 new codes."""
    data = {k: v for k, v in answers(**overrides).items() if k not in NEW_CODES_2026_2}
    return data


def test_a_2026_1_consultation_gets_answers_missing_and_a_deferral_not_an_error() -> None:
    data = {**old_consultation(), "questionnaire_version": "2026.1"}

    result = manage("suggest", "-", stdin=json.dumps(data))

    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["primary"] == "defer_to_practitioner"
    assert [(f["code"], f["severity"]) for f in output["flags"]] == [("ANSWERS_MISSING", "stop")]
    asks = {s["constraints"][-1] for s in output["suggestions"]}
    assert asks == {
        "ask the patient first: " + ", ".join(c for c in NEW_CODES_2026_2 if c not in FOLLOW_UPS)
    }


def test_the_same_answers_without_the_version_are_2026_2_answers_missing_eleven_codes() -> None:
    result = manage("suggest", "-", stdin=json.dumps(old_consultation()))

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{code}: is required" for code in NEW_CODES_2026_2 if code not in FOLLOW_UPS
    ]


def test_it_names_a_null_or_unknown_questionnaire_version() -> None:
    out, err = StringIO(), StringIO()
    items = [answers(questionnaire_version=None), answers(questionnaire_version="2027.1")]

    with pytest.raises(SystemExit) as exited:
        call_command("suggest", "-", stdin=StringIO(json.dumps(items)), stdout=out, stderr=err)

    assert exited.value.code == 2
    assert out.getvalue() == ""
    message = 'questionnaire_version: must be "2026.1" or "2026.2" (leave it out for "2026.2")'
    assert err.getvalue().splitlines() == [f"item 0: {message}", f"item 1: {message}"]


def test_it_prints_the_contracts_worked_example() -> None:
    data = answers(
        fitzpatrick=5,
        fitzpatrick_source="self_report",
        sebum="oily",
        goals=["pore_size"],
        salicylate_allergy=True,
    )

    out, _ = call_suggest("-", stdin=json.dumps(data))

    output = json.loads(out)
    assert output["ruleset_version"] == "2026.2"
    assert output["primary"] == "chemical_peel"
    peel = output["suggestions"][0]
    assert list(peel)[:5] == ["treatment", "rank", "status", "agents", "agents_excluded"]
    assert peel["agents"] == ["mandelic", "lactic"]
    assert peel["constraints"] == [
        "agents allowed: mandelic acid, lactic acid",
        "superficial peel only",
        "check that no product used contains salicylates",
    ]
    assert [s["treatment"] for s in output["suggestions"]] == [
        "chemical_peel",
        "microdermabrasion",
        "laser",
    ]
    assert [f["code"] for f in output["flags"]] == ["SALICYLATE_ALLERGY", "PIH_RISK"]


def test_the_docs_example_answers_are_valid_2026_2_answers() -> None:
    for name in ("answers.json", "answers-2026.1.json"):
        result = manage("suggest", str(ROOT / "docs" / "examples" / name))

        assert result.returncode == 0, (name, result.stderr)
        assert json.loads(result.stdout)["ruleset_version"] == "2026.2"


@settings(max_examples=60, deadline=None)
@given(answer_sets(), st.sampled_from(INVALID_KINDS), st.data())
def test_I17_invalid_answers_exit_2_with_a_message_for_the_field_and_nothing_printed(
    data: dict[str, Any], kind: str, draw: st.DataObject
) -> None:
    bad, field = invalid_answers(data, kind, draw)
    out, err = StringIO(), StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("suggest", "-", stdin=StringIO(json.dumps(bad)), stdout=out, stderr=err)

    assert exited.value.code == 2
    assert out.getvalue() == ""
    assert any(line.startswith(f"{field}: ") for line in err.getvalue().splitlines())
