"""The review queue: oldest first, stop flags marked, filters, search, pages and counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.models import Consultation, ConsultationStatus
from tests.factories import (
    DraftConsultationFactory,
    PatientFactory,
    decided,
    submitted,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:queue")


def references(response) -> list[str]:
    return [c.reference for c in response.context["page"].object_list]


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def test_it_renders_the_same_number_of_queries_for_1_and_25_consultations(practitioner_client):
    submitted(active_infection_or_cold_sore=True)  # a stop flag
    practitioner_client.get(QUEUE)  # a warm-up request (the user's read compiled, the session read)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = practitioner_client.get(QUEUE)
        assert response.status_code == 200
        return len(queries)

    one = count()
    for index in range(24):
        submitted(fitzpatrick=5, pregnant=index % 2 == 0, melasma=index % 3 == 0)
    assert Consultation.objects.filter(status="submitted").count() == 25
    assert count() == one


def test_filters_keep_the_query_count_fixed(practitioner_client):
    def add_match() -> None:
        submitted(melasma=True, patient=PatientFactory(last_name="Tan"))

    def count(**params) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = practitioner_client.get(QUEUE, params)
        assert response.context["page"].object_list
        return len(queries)

    add_match()
    practitioner_client.get(QUEUE)
    one = count(flag="MELASMA", primary="chemical_peel", q="Tan")
    for _ in range(10):
        add_match()
    assert count(flag="MELASMA", primary="chemical_peel", q="Tan") == one


def test_it_lists_submitted_consultations_oldest_first(practitioner_client):
    newest = submitted(submitted_at=days_ago(1))
    oldest = submitted(submitted_at=days_ago(9))
    middle = submitted(submitted_at=days_ago(4))
    decided()
    DraftConsultationFactory()
    response = practitioner_client.get(QUEUE)
    assert references(response) == [oldest.reference, middle.reference, newest.reference]


def test_a_stop_flag_is_marked_in_words_not_colour_alone(practitioner_client):
    stop = submitted(active_infection_or_cold_sore=True)
    calm = submitted()
    page = practitioner_client.get(QUEUE).content.decode()
    row_of = {
        ref: page[page.index(ref) :].split("</tr>")[0] for ref in (stop.reference, calm.reference)
    }
    assert "Stop: Active infection" in row_of[stop.reference]
    assert ">Stop<" in row_of[stop.reference]
    assert "Stop" not in row_of[calm.reference]


def test_it_filters_by_status(practitioner_client):
    waiting = submitted()
    done = decided()
    withdrawn = submitted(status=ConsultationStatus.WITHDRAWN)
    assert references(practitioner_client.get(QUEUE)) == [waiting.reference]
    assert references(practitioner_client.get(QUEUE, {"status": "decided"})) == [done.reference]
    assert references(practitioner_client.get(QUEUE, {"status": "withdrawn"})) == [
        withdrawn.reference
    ]
    assert set(references(practitioner_client.get(QUEUE, {"status": "all"}))) == {
        waiting.reference,
        done.reference,
        withdrawn.reference,
    }


def test_it_filters_by_flag_on_the_latest_evaluation(practitioner_client):
    melasma = submitted(melasma=True)
    stop = submitted(suspicious_lesion=True)
    submitted()
    assert references(practitioner_client.get(QUEUE, {"flag": "MELASMA"})) == [melasma.reference]
    assert references(practitioner_client.get(QUEUE, {"flag": "stop"})) == [stop.reference]
    assert references(practitioner_client.get(QUEUE, {"flag": "SUSPICIOUS_LESION"})) == [
        stop.reference
    ]


def test_it_filters_by_primary_suggestion(practitioner_client):
    deferred = submitted(active_infection_or_cold_sore=True)
    peel = submitted()
    response = practitioner_client.get(QUEUE, {"primary": "defer_to_practitioner"})
    assert references(response) == [deferred.reference]
    assert references(practitioner_client.get(QUEUE, {"primary": "chemical_peel"})) == [
        peel.reference
    ]


def test_it_finds_a_consultation_by_reference_or_patient_name(practitioner_client):
    aisha = submitted(patient=PatientFactory(first_name="Aisha", last_name="Rahman"))
    wei_ling = submitted(patient=PatientFactory(first_name="Wei Ling", last_name="Tan"))
    assert references(practitioner_client.get(QUEUE, {"q": aisha.reference})) == [aisha.reference]
    assert references(practitioner_client.get(QUEUE, {"q": aisha.reference[-3:].lower()})) == [
        aisha.reference
    ]
    assert references(practitioner_client.get(QUEUE, {"q": "wei ling tan"})) == [wei_ling.reference]
    assert references(practitioner_client.get(QUEUE, {"q": "rahman"})) == [aisha.reference]
    assert references(practitioner_client.get(QUEUE, {"q": "Nobody"})) == []


def test_it_shows_25_a_page(practitioner_client):
    for days in range(30, 0, -1):
        submitted(submitted_at=days_ago(days))
    first = practitioner_client.get(QUEUE)
    assert len(references(first)) == 25
    second = practitioner_client.get(QUEUE, {"page": 2})
    assert len(references(second)) == 5
    assert "Page 2 of 2" in second.content.decode()


def test_it_counts_consultations_per_status_within_the_other_filters(practitioner_client):
    submitted(melasma=True)
    submitted()
    decided(melasma=True)
    submitted(status=ConsultationStatus.WITHDRAWN)
    tabs = {tab["status"]: tab["count"] for tab in practitioner_client.get(QUEUE).context["tabs"]}
    assert tabs == {"submitted": 2, "decided": 1, "withdrawn": 1, "all": 4}
    response = practitioner_client.get(QUEUE, {"flag": "MELASMA"})
    tabs = {tab["status"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs == {"submitted": 1, "decided": 1, "withdrawn": 0, "all": 2}


def test_a_filter_with_many_matches_says_more_than_it_counted(practitioner_client, monkeypatch):
    """A filter counts its first matches only (250; 3 here), never every match."""
    monkeypatch.setattr("consultations.selectors.COUNT_CAP", 3)
    monkeypatch.setattr("consultations.selectors.PAGE_SIZE", 2)
    oldest_first = [submitted(melasma=True, submitted_at=days_ago(days)) for days in (9, 8, 7, 6)]
    response = practitioner_client.get(QUEUE, {"flag": "MELASMA"})
    tabs = {tab["status"]: (tab["count"], tab["more"]) for tab in response.context["tabs"]}
    assert tabs == {
        "submitted": (3, True),
        "decided": (0, True),  # among the first 3: more may follow
        "withdrawn": (0, True),
        "all": (3, True),
    }
    text = response.content.decode()
    assert "More than 3 consultations, submitted longest ago first." in text
    assert "Only the first 3 are listed: narrow the filters to see the others." in text
    assert ">3+</span>" in text
    # The pages go as far as the count: read from the front, never from a guessed end.
    assert references(response) == [c.reference for c in oldest_first[:2]]
    last = practitioner_client.get(QUEUE, {"flag": "MELASMA", "page": 2})
    assert references(last) == [oldest_first[2].reference]


def test_a_filter_with_few_matches_counts_them_exactly(practitioner_client, monkeypatch):
    monkeypatch.setattr("consultations.selectors.COUNT_CAP", 3)
    submitted(melasma=True)
    decided(melasma=True)
    submitted(melasma=True, status=ConsultationStatus.WITHDRAWN)
    response = practitioner_client.get(QUEUE, {"flag": "MELASMA"})
    tabs = {tab["status"]: (tab["count"], tab["more"]) for tab in response.context["tabs"]}
    assert tabs == {
        "submitted": (1, False),
        "decided": (1, False),
        "withdrawn": (1, False),
        "all": (3, False),
    }


def test_unknown_filter_values_are_ignored(practitioner_client):
    waiting = submitted()
    response = practitioner_client.get(QUEUE, {"status": "nonsense", "flag": "NOPE", "page": "x"})
    assert response.status_code == 200
    assert references(response) == [waiting.reference]
