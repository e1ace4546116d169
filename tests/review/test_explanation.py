"""The suggestion read in ten seconds: a summary line, the facts looked at first, each reason
marked for or against its option and said once, and free text that contradicts an answer."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from consultations import presenters
from consultations.presenters import explain, free_text
from tests.factories import submitted
from tests.review.pages import page_text

pytestmark = pytest.mark.django_db


def html(client, consultation) -> str:
    response = client.get(reverse("review:detail", kwargs={"reference": consultation.reference}))
    assert response.status_code == 200
    return page_text(response)


def words(page: str) -> str:
    """The page as read: tags dropped, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))


def test_the_summary_line_names_the_first_option_and_why_the_others_are_not_first(
    client, practitioner
):
    consultation = submitted(
        fitzpatrick=2, fitzpatrick_source="practitioner", sebum="oily", pregnant=True
    )
    page = words(html(client, consultation))

    assert (
        "Summary: Chemical peel (caution: R05 Pregnant or trying to conceive), because "
        "picosecond laser is excluded (R05 Pregnant or trying to conceive); microdermabrasion "
        "ranks lower: less effective for this goal (R19a Pores or oil the main goal)."
    ) in page


@pytest.mark.parametrize(
    ("answers", "summary"),
    [
        # A rule on every option (R26) is not why one ranks lower: downtime is.
        (
            {"goals": ["texture"], "hsv_history": True},
            "Microdermabrasion (caution: R26 History of HSV (none active)), because chemical "
            "peel ranks lower: more downtime; picosecond laser ranks lower: more downtime.",
        ),
        # R16 weighs on the peel and the laser alike; R19 prefers the peel.
        (
            {"fitzpatrick": 4, "sebum": "oily"},
            "Chemical peel (caution: R16 PIH risk (Fitzpatrick III–VI)), because picosecond "
            "laser ranks lower: chemical peel is preferred (R19 Oily skin with pores or oil the "
            "main goal); microdermabrasion ranks lower: less effective for this goal (R19a Pores "
            "or oil the main goal).",
        ),
        # R21 prefers the laser and only makes the peel eligible.
        (
            {"goals": ["acne_scars"]},
            "Picosecond laser (suitable), because chemical peel ranks lower: picosecond laser is "
            "preferred (R21 Acne scars the main goal); microdermabrasion ranks lower: never "
            "first for this goal (R21 Acne scars the main goal).",
        ),
    ],
)
def test_the_summary_names_the_ranking_key_that_decided(answers, summary):
    consultation = submitted(fitzpatrick_source="practitioner", **{"fitzpatrick": 2, **answers})
    evaluation = consultation.latest_evaluation

    card = explain.mark_reasons(presenters.suggestion_card(evaluation), evaluation)

    assert explain.summary_line(card) == summary


def test_a_deferral_summary_names_the_stop_rule(client, practitioner):
    page = words(html(client, submitted(fitzpatrick=3, recent_tan=True)))

    assert (
        "Summary: No automatic suggestion (R09 Tan, sunburn, sunbed or self-tan within 4 "
        "weeks): the practitioner decides."
    ) in page


def test_the_facts_come_before_the_suggestion_and_the_answers(client, practitioner):
    consultation = submitted(
        fitzpatrick=4,
        fitzpatrick_source="practitioner",
        sebum="very_oily",
        age=41,
        goals=["oiliness", "pore_size"],
        downtime_tolerance="none",
    )
    page = html(client, consultation)
    facts = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split('class="facts"')[1]))

    for label, value in [
        ("Phototype", "Type IV (practitioner)"),
        ("Sebum", "Very oily"),
        ("Age", "41"),
        ("Main goal", "Oiliness"),
        ("Downtime", "None"),
    ]:
        assert f"{label} {value}" in facts
    assert page.index('class="facts"') < page.index("What the rules suggest")
    assert page.index('class="facts"') < page.index('id="answers-heading"')


def test_each_reason_is_marked_for_or_against_and_a_repeated_sentence_reads_as_above(
    client, practitioner
):
    consultation = submitted(
        fitzpatrick=4, fitzpatrick_source="practitioner", sebum="oily", goals=["pore_size"]
    )
    output = consultation.latest_evaluation.output
    repeated = "Pores or oiliness as the main goal: laser and chemical peels are first-line"
    assert sum(repeated in r["text"] for s in output["suggestions"] for r in s["reasons"]) > 1
    page = html(client, consultation)

    assert page.count(repeated) == 1
    assert "as for chemical peel" in page
    peel = page.split("<strong>Chemical peel</strong>")[1].split("</li>\n        \n")[0]
    assert re.search(r"stance-for\">For</span> <span class=\"rule-id\">R19<", peel)
    assert re.search(r"stance-caution\">Caution</span> <span class=\"rule-id\">R16<", peel)
    dermabrasion = page.split("<strong>Microdermabrasion</strong>")[1]
    assert re.search(r"stance-against\">Against</span> <span class=\"rule-id\">R19a<", dermabrasion)


def test_free_text_naming_a_photosensitiser_beside_a_no_is_shown_as_a_contradiction(
    client, practitioner
):
    consultation = submitted(
        other_medicines="Doxycycline 100 mg for acne", photosensitising_meds=False
    )
    page = html(client, consultation)

    assert (
        "doxycycline under “Other medicines” bears on “Photosensitising medication”, "
        "answered No: check with the patient."
    ) in words(page)
    assert "<mark>Doxycycline</mark> 100 mg for acne" in page


def test_a_name_the_patient_answered_yes_to_is_highlighted_without_a_contradiction(
    client, practitioner
):
    consultation = submitted(
        isotretinoin_last_6_months=True, previous_treatments="Roaccutane course in 2025"
    )
    page = html(client, consultation)

    assert "<mark>Roaccutane</mark> course in 2025" in page
    assert "Oral isotretinoin within 6 months”, answered Yes." in words(page)
    assert "check with the patient" not in page


@pytest.mark.parametrize(
    ("field", "text", "expected"),
    [
        ("other_medicines", "Warfarin 5 mg", ["Anticoagulant or bleeding disorder"]),
        ("other_medicines", "tretinoin 0.025% at night", ["Topical retinoid within 7 days"]),
        ("other_medicines", "Golden turmeric tea; goldfish oil", []),
        ("previous_treatments", "24K gold facial, gold thread lift", []),
        ("other_medicines", "Auranofin for arthritis", ["Systemic gold therapy (ever)"]),
        ("other_medicines", "St. John's-Wort tea", ["Photosensitising medication"]),
        ("other_medicines", "Xarelto 20mg", ["Anticoagulant or bleeding disorder"]),
        ("other_medicines", "Retin-A at night", ["Topical retinoid within 7 days"]),
        ("previous_treatments", "ROACCUTANE course", ["Oral isotretinoin within 6 months"]),
        ("other_medicines", "teeth bleaching kit", []),
        ("allergies", "Aspirin (hives)", ["Salicylate or aspirin allergy"]),
        ("allergies", "Doxycycline rash", []),  # an allergy is not a medicine they take
        ("other_medicines", "aspirin 100 mg daily", ["Anticoagulant or bleeding disorder"]),
    ],
)
def test_names_are_matched_as_whole_words_in_the_answer_they_bear_on(field, text, expected):
    consultation = submitted(**{field: text})

    alerts = free_text.free_text_alerts(consultation)

    assert [alert.question for alert in alerts] == expected


def test_free_text_is_escaped_when_a_name_in_it_is_marked(client, practitioner):
    consultation = submitted(other_medicines='<script>alert("x")</script> warfarin\nsecond line')
    response = client.get(reverse("review:detail", kwargs={"reference": consultation.reference}))
    raw = response.content.decode()
    assert "<script>alert" not in raw
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>warfarin</mark><br>second line"
        in raw
    )


def test_an_earlier_rulesets_suggestion_is_shown_without_stances(practitioner):
    consultation = submitted(fitzpatrick=4, sebum="oily")
    evaluation = consultation.latest_evaluation
    evaluation.ruleset_version = "2026.1"

    card = explain.mark_reasons(presenters.suggestion_card(evaluation), evaluation)

    stances = {r["stance"] for s in card["suggestions"] for r in s["reasons"]}
    assert stances == {""}
