"""One questionnaire: every page and export asks and shows a question in the words defined in
consultations/questionnaire.py, and a change of wording needs a new questionnaire version."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.urls import reverse

from consultations import fhir, questionnaire, rules
from consultations.questionnaire import (
    QUESTIONNAIRE_FINGERPRINTS,
    QUESTIONNAIRE_VERSION,
    questionnaire_fingerprint,
)
from tests.factories import CompleteDraftFactory, PractitionerFactory, submitted
from tests.intake.steps import open_draft

ROOT = Path(__file__).resolve().parents[2]


def test_the_questionnaire_version_names_the_current_wording() -> None:
    current = questionnaire_fingerprint()

    assert QUESTIONNAIRE_FINGERPRINTS.get(QUESTIONNAIRE_VERSION) == current, (
        "The questionnaire's wording changed but QUESTIONNAIRE_VERSION did not. In "
        "consultations/questionnaire.py, add a new version to QUESTIONNAIRE_FINGERPRINTS with the "
        f"fingerprint {current!r} and make it QUESTIONNAIRE_VERSION (now "
        f"{QUESTIONNAIRE_VERSION!r}); never edit a released version's fingerprint."
    )
    assert list(QUESTIONNAIRE_FINGERPRINTS)[-1] == QUESTIONNAIRE_VERSION


def test_changing_one_word_of_a_question_changes_the_fingerprint(monkeypatch) -> None:
    before = questionnaire_fingerprint()
    question = questionnaire.question("pregnant")
    changed = tuple(
        q if q.code != "pregnant" else type(q)(**{**vars(q), "help": q.help + " "})
        for q in questionnaire.QUESTIONS
    )
    monkeypatch.setattr(questionnaire, "QUESTIONS", changed)

    assert question.help  # the help text exists, and one added space is a change
    assert questionnaire_fingerprint() != before


def test_the_questionnaire_covers_every_answer_the_rules_read() -> None:
    asked_or_derived = set(questionnaire.BY_CODE)

    assert set(rules.ANSWER_FIELDS) <= asked_or_derived
    assert set(questionnaire.HEALTH_QUESTION_CODES) == set(rules.BOOLEAN_FIELDS)
    assert questionnaire.question("sebum").values == rules.SEBUM_LEVELS
    assert questionnaire.question("goals").values == rules.GOALS
    assert questionnaire.question("fitzpatrick_source").values == rules.FITZPATRICK_SOURCES


def _source_files() -> list[Path]:
    files = [*ROOT.glob("consultations/**/*.py"), *ROOT.glob("consultations/**/*.html")]
    files += [*ROOT.glob("templates/**/*.html"), *ROOT.glob("jinja2/**/*.html")]
    files += [*ROOT.glob("clinic/**/*.py")]
    return [path for path in files if "migrations" not in path.parts]


def test_each_question_is_worded_once_in_the_code() -> None:
    """Every question, help text and option label lives in questionnaire.py, nowhere else."""
    wordings = set()
    for question in questionnaire.QUESTIONS:
        wordings |= {question.text, question.help, question.summary, question.required_message}
        wordings |= {option.label for option in question.options}
    for item in questionnaire.SELF_TEST:
        wordings |= {item.question, item.help}
    # Short words ("Yes", "Email address") are naturally repeated; sentences must not be.
    sentences = {wording for wording in wordings if len(wording) >= 25}
    sources = {path: path.read_text(encoding="utf-8") for path in _source_files()}
    definition = ROOT / "consultations" / "questionnaire.py"

    repeated = {
        (sentence, str(path.relative_to(ROOT)))
        for sentence in sentences
        for path, text in sources.items()
        if path != definition and sentence in text
    }

    assert not repeated


# --- The pages, against the definition ----------------------------------------------------------


def _labels(page: str, tags: str) -> list[str]:
    """The text of every `tags` element, without markup or the required-field asterisk."""
    found = re.findall(rf"<({tags})\b[^>]*>(.*?)</\1>", page, flags=re.S)
    texts = [html.unescape(re.sub(r"<[^>]+>", "", inner)).replace("*", "") for _, inner in found]
    return [" ".join(text.split()) for text in texts if text.strip()]


@pytest.mark.django_db
@pytest.mark.parametrize("step", questionnaire.QUESTION_STEPS)
def test_each_intake_step_asks_its_questions_in_the_questionnaires_words(client, step) -> None:
    draft = CompleteDraftFactory()
    open_draft(client, draft)
    url = reverse("intake:start") if step == "about" else reverse("intake:step", args=[step])

    page = client.get(url).content.decode()
    labels = _labels(page, "label|legend")

    asked = [
        q for q in questionnaire.questions_in(step) if not q.derived and q.code != "date_of_birth"
    ]
    for question in asked:
        assert question.text in labels, question.code
    if step == "about":
        assert questionnaire.question("date_of_birth").text in labels
    if step == "skin":
        for number, item in enumerate(questionnaire.SELF_TEST, start=1):
            assert f"{number}. {item.question}" in labels


@pytest.mark.django_db
def test_the_check_page_labels_are_the_questionnaires(client) -> None:
    draft = CompleteDraftFactory()
    open_draft(client, draft)
    allowed = {q.label for q in questionnaire.QUESTIONS} | {questionnaire.NAME_LABEL}

    page = client.get(reverse("intake:check")).content.decode()
    shown = _labels(page, "dt")

    assert shown
    assert set(shown) <= allowed
    for code in questionnaire.HEALTH_QUESTION_CODES:
        assert questionnaire.question(code).label in shown


@pytest.mark.django_db
def test_the_practitioners_answer_table_uses_the_clinical_terms(client) -> None:
    consultation = submitted()
    client.force_login(PractitionerFactory())
    allowed = {q.term for q in questionnaire.QUESTIONS} | {questionnaire.NAME_LABEL}

    page = client.get(reverse("review:detail", args=[consultation.reference])).content.decode()
    table = page[page.index('id="answers-heading"') :]
    shown = _labels(table, "th")

    assert set(shown) <= allowed
    for code in questionnaire.HEALTH_QUESTION_CODES:
        assert questionnaire.question(code).term in shown


def test_the_fhir_questionnaire_asks_in_the_patients_words() -> None:
    resource = fhir.questionnaire()
    items = [item for group in resource["item"] for item in group["item"]]

    assert items
    for item in items:
        question = questionnaire.question(item["linkId"])
        assert item["text"] == question.text
        for option in item.get("answerOption", []):
            coding = option["valueCoding"]
            assert coding["display"] == question.option_label(
                int(coding["code"]) if coding["code"].isdigit() else coding["code"]
            )
    assert resource["version"] == QUESTIONNAIRE_VERSION
