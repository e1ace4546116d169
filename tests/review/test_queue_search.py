"""The queue's search at any size: what it finds, in the tab's order, a page at a time, and
(on PostgreSQL) read so that a common name costs what a rare one does."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations.models import ConsultationStatus
from consultations.selectors_search import could_be_reference
from tests.factories import PatientFactory, decided, submitted
from tests.review.test_queue import QUEUE, days_ago, references

pytestmark = pytest.mark.django_db


def tan(days: int, **kwargs):
    return submitted(
        patient=PatientFactory(first_name="Mei", last_name="Tan"),
        submitted_at=days_ago(days),
        **kwargs,
    )


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("PX-4K7QZ", True),
        ("px-4k7", True),  # any case
        ("4K7", True),
        (" 4k7 ", True),  # spaces around a pasted reference
        ("TAN", True),  # a surname can be a reference's letters: both are searched
        ("Wong", False),  # O is never in a reference (nor I, L, U)
        ("Nurul Tan", False),  # a space is never in one
        ("4K", False),  # too short to mean one reference
        ("Tân", False),
    ],
)
def test_a_search_looks_at_references_only_when_it_could_be_part_of_one(q, expected):
    assert could_be_reference(q) is expected


def test_a_search_of_two_characters_finds_names_not_references(practitioner_client):
    ng = submitted(patient=PatientFactory(first_name="Jun Jie", last_name="Ng"))
    other = submitted(patient=PatientFactory(first_name="Aisha", last_name="Rahman"))
    part = other.reference[-2:]
    found = references(practitioner_client.get(QUEUE, {"q": "ng"}))
    assert found == [ng.reference]
    assert other.reference not in references(practitioner_client.get(QUEUE, {"q": part}))


def test_a_consultation_matching_by_reference_and_by_name_is_listed_once(practitioner_client):
    both = submitted(patient=PatientFactory(first_name="Mei", last_name="Tan"))
    # A patient named after a part of her own reference: found by both parts of the search.
    part = both.reference[-3:]
    both.patient.last_name = part
    both.patient.save()
    response = practitioner_client.get(QUEUE, {"q": part})
    assert references(response) == [both.reference]
    assert {tab["status"]: tab["count"] for tab in response.context["tabs"]}["all"] == 1


def test_a_common_name_past_the_count_is_read_in_the_tabs_order_page_by_page(
    practitioner_client, monkeypatch
):
    """More matches than the count reads: each page reads the matches in the tab's order as far
    as its end, without collecting them all first."""
    monkeypatch.setattr("consultations.selectors.COUNT_CAP", 3)
    monkeypatch.setattr("consultations.selectors.PAGE_SIZE", 2)
    oldest_first = [tan(days) for days in (9, 8, 7, 6, 5)]
    submitted(patient=PatientFactory(last_name="Rahman"), submitted_at=days_ago(10))
    response = practitioner_client.get(QUEUE, {"q": "tan"})
    tabs = {tab["status"]: (tab["count"], tab["more"]) for tab in response.context["tabs"]}
    assert tabs["all"] == (3, True)
    assert "More than 3 consultations" in response.content.decode()
    assert references(response) == [c.reference for c in oldest_first[:2]]
    second = practitioner_client.get(QUEUE, {"q": "tan", "page": 2})
    assert references(second) == [oldest_first[2].reference]
    newest = practitioner_client.get(QUEUE, {"q": "tan", "sort": "newest"})
    assert references(newest) == [c.reference for c in oldest_first[::-1][:2]]


def test_each_tab_counts_its_own_matches_whatever_the_others_hold(practitioner_client, monkeypatch):
    """Many decided matches do not crowd out the few awaiting review: the tab on show is counted
    alone, so the work list says how many wait and lists them all."""
    monkeypatch.setattr("consultations.selectors.COUNT_CAP", 3)
    patient = PatientFactory(first_name="Mei", last_name="Tan")
    for days in (20, 19, 18, 17, 16):
        decided(patient=patient, submitted_at=days_ago(days))
    waiting = [tan(days) for days in (3, 2, 1)]
    response = practitioner_client.get(QUEUE, {"q": "tan"})
    tabs = {tab["status"]: (tab["count"], tab["more"]) for tab in response.context["tabs"]}
    assert tabs["submitted"] == (3, False)  # exact: the tab on show is counted alone
    assert tabs["all"] == (3, True)
    assert tabs["decided"][1] and tabs["withdrawn"][1]  # "more than" what the first 3 held
    assert references(response) == [c.reference for c in waiting]
    text = response.content.decode()
    assert "3 consultations, submitted longest ago first." in text


def test_a_name_with_few_matches_is_paged_in_order_from_either_end(
    practitioner_client, monkeypatch
):
    monkeypatch.setattr("consultations.selectors.PAGE_SIZE", 2)
    oldest_first = [tan(days) for days in (9, 8, 7, 6, 5)]
    pages = [
        references(practitioner_client.get(QUEUE, {"q": "mei tan", "page": page}))
        for page in (1, 2, 3)
    ]
    assert pages == [[c.reference for c in oldest_first[i : i + 2]] for i in (0, 2, 4)]


def test_stop_flags_first_holds_in_a_search(practitioner_client):
    plain = tan(9)
    stop = tan(5, active_infection_or_cold_sore=True)
    assert stop.latest_evaluation.has_stop_flag
    response = practitioner_client.get(QUEUE, {"q": "tan", "sort": "stop"})
    assert references(response) == [stop.reference, plain.reference]


def test_a_search_in_the_decided_tab_keeps_its_order_past_the_count(
    practitioner_client, monkeypatch
):
    monkeypatch.setattr("consultations.selectors.COUNT_CAP", 3)
    patient = PatientFactory(last_name="Tan")
    oldest_first = [decided(patient=patient, submitted_at=days_ago(days)) for days in (9, 8, 7, 6)]
    response = practitioner_client.get(QUEUE, {"q": "tan", "status": ConsultationStatus.DECIDED})
    assert response.context["queue"].status == ConsultationStatus.DECIDED
    assert "More than 3 consultations" in response.content.decode()
    assert references(response) == [c.reference for c in oldest_first[::-1][:3]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans are PostgreSQL's")
def test_each_part_of_a_common_name_search_reads_no_further_than_the_page(
    practitioner_client, monkeypatch
):
    """Past the count the page's query reads each part with its own ORDER BY and LIMIT, so that
    PostgreSQL can stop at the page's end; the count stops at the cap in each part and tab."""
    monkeypatch.setattr("consultations.selectors.COUNT_CAP", 3)
    for days in range(8, 0, -1):
        tan(days)
    with CaptureQueriesContext(connection) as queries:
        practitioner_client.get(QUEUE, {"q": "tan"})
    searches = [q["sql"] for q in queries.captured_queries if "UPPER" in q["sql"]]
    count, page = searches
    # Each of the two parts, and each again in the tab on show.
    assert count.count("LIMIT 4") == 4
    assert count.count("\"status\" = 'submitted'") == 2
    assert page.count("LIMIT 3") == 3  # the page ends at the count: 3 rows
    assert "ORDER BY" in page.split("UNION ALL")[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's parallel workers")
def test_a_requests_queries_run_without_parallel_workers(practitioner_client):
    """A walk under a LIMIT with parallel workers read far past the page (decision 0012)."""
    practitioner_client.get(QUEUE, {"q": "tan"})
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"


def test_a_search_costs_the_same_queries_below_and_past_the_cap(practitioner_client, monkeypatch):
    monkeypatch.setattr("consultations.selectors.COUNT_CAP", 3)

    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert practitioner_client.get(QUEUE, params).status_code == 200
        return len(captured.captured_queries)

    tan(9)
    queries(q="tan")  # a warm-up request, as every request after a login follows one
    below = queries(q="tan")
    for days in (8, 7, 6, 5, 4):
        tan(days)
    assert queries(q="tan") == below
    assert queries(q="tan", page=2) == below
    assert queries(q="tan", sort="stop") == below
