"""The queue as a practitioner's work list: how long each patient has waited, an order to
choose, numbered pages, a search that finds a consultation whatever its status, the outcome and
who decided on the Decided tab, and "Record and open next"."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations import selectors
from consultations.models import (
    AccessLog,
    Consultation,
    ConsultationStatus,
    DecisionOutcome,
    DecisionReason,
)
from consultations.presenters.queue import waiting_text, working_days_between
from tests.factories import (
    PatientFactory,
    PractitionerFactory,
    decided,
    decision_form_data,
    submitted,
)
from tests.review.pages import amend, decide, page_text

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:queue")


@pytest.fixture
def practitioner_client(client, practitioner):
    """The test client, signed in as a practitioner (tests/conftest.py)."""
    return client


def references(response) -> list[str]:
    return [row.consultation.reference for row in response.context["rows"]]


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def row_text(response, reference: str) -> str:
    """The text of the table row of one consultation, tags removed."""
    page = page_text(response)
    row = re.search(
        rf"<tr[^>]*>\s*<th scope=\"row\">\s*<a [^>]*>{reference}</a>.*?</tr>", page, re.S
    )
    assert row, f"no row for {reference}"
    return " ".join(re.sub(r"<[^>]+>", " ", row.group()).split())


# --- Waiting time ------------------------------------------------------------------------------


def test_working_days_skip_weekends():
    friday = datetime.date(2026, 11, 27)
    assert working_days_between(friday, friday) == 0
    assert working_days_between(friday, datetime.date(2026, 11, 29)) == 0  # Sunday
    assert working_days_between(friday, datetime.date(2026, 11, 30)) == 1  # Monday
    assert working_days_between(friday, datetime.date(2026, 12, 4)) == 5  # next Friday
    assert working_days_between(friday, datetime.date(2026, 12, 11)) == 10


def test_waits_are_said_as_people_say_them():
    now = timezone.now()
    assert waiting_text(now - datetime.timedelta(minutes=1), now) == "1 minute"
    assert waiting_text(now - datetime.timedelta(minutes=59), now) == "59 minutes"
    assert waiting_text(now - datetime.timedelta(hours=5, minutes=50), now) == "5 hours"
    assert waiting_text(now - datetime.timedelta(hours=47), now) == "47 hours"
    assert waiting_text(now - datetime.timedelta(days=3, hours=2), now) == "3 days"


def test_each_waiting_consultation_shows_how_long_it_has_waited(practitioner_client, settings):
    settings.CLINIC_REVIEW_WORKING_DAYS = 2
    fresh = submitted(submitted_at=ago(hours=5, minutes=10))
    late = submitted(submitted_at=ago(days=9))

    response = practitioner_client.get(QUEUE)

    assert "5 hours" in row_text(response, fresh.reference)
    assert "Overdue" not in row_text(response, fresh.reference)
    assert "9 days Overdue" in row_text(response, late.reference)
    promise = "past the 2 working days patients are told to expect are marked “Overdue”"
    assert promise in page_text(response)


# --- Orders ------------------------------------------------------------------------------------


def test_awaiting_review_is_longest_wait_first_and_can_be_turned_round(practitioner_client):
    newer = submitted(submitted_at=ago(days=1))
    older = submitted(submitted_at=ago(days=6))

    assert references(practitioner_client.get(QUEUE)) == [older.reference, newer.reference]
    newest_first = practitioner_client.get(QUEUE, {"sort": "newest"})
    assert references(newest_first) == [newer.reference, older.reference]
    assert "most recently submitted first" in page_text(newest_first)


def test_stop_flags_can_come_first(practitioner_client):
    plain = submitted(submitted_at=ago(days=6))
    stop = submitted(submitted_at=ago(days=1), active_infection_or_cold_sore=True)
    assert stop.latest_evaluation.has_stop_flag

    response = practitioner_client.get(QUEUE, {"sort": "stop"})

    assert references(response) == [stop.reference, plain.reference]


def test_stop_flags_first_is_for_the_work_list_only(practitioner_client):
    decided()
    response = practitioner_client.get(QUEUE, {"status": "decided", "sort": "stop"})

    assert re.search(r'<option value="newest" selected>', response.content.decode())
    assert "Stop flags first" not in response.content.decode()
    assert "most recently decided first" in page_text(response)


def test_an_unknown_tab_is_awaiting_review_in_its_own_order(practitioner_client):
    newer = submitted(submitted_at=ago(days=1))
    older = submitted(submitted_at=ago(days=6))

    response = practitioner_client.get(QUEUE, {"status": "bogus"})

    assert references(response) == [older.reference, newer.reference]
    assert re.search(r'<option value="oldest" selected>', response.content.decode())


def test_the_order_chosen_is_the_one_shown_and_a_tab_starts_from_its_own(practitioner_client):
    submitted()
    response = practitioner_client.get(QUEUE, {"sort": "newest"})
    assert re.search(r'<option value="newest" selected>', response.content.decode())
    decided_tab = next(tab for tab in response.context["tabs"] if tab["status"] == "decided")
    assert "sort" not in decided_tab["query"]

    own = practitioner_client.get(QUEUE, {"status": "decided"})
    assert re.search(r'<option value="newest" selected>', own.content.decode())
    assert practitioner_client.get(QUEUE, {"sort": "sideways"}).status_code == 200


# --- The Decided tab ---------------------------------------------------------------------------


def test_decided_shows_the_outcome_and_who_decided_most_recent_first(practitioner_client):
    dr_lim = PractitionerFactory(first_name="Mei", last_name="Lim")
    earlier = decided(submitted_at=ago(days=10), hours_to_decision=24, decided_by=dr_lim)
    later = decided(
        submitted_at=ago(days=3),
        outcome=DecisionOutcome.DECLINED,
        reason_code=DecisionReason.REFER_TO_DOCTOR,
    )

    response = practitioner_client.get(QUEUE, {"status": "decided"})

    assert references(response) == [later.reference, earlier.reference]
    accepted = row_text(response, earlier.reference)
    treatment = earlier.latest_evaluation.get_primary_display()
    assert f"Accepted the suggestion: {treatment} Mei Lim," in accepted
    assert "Declined / referred" in row_text(response, later.reference)
    assert "Waiting" not in page_text(response)


def test_an_amended_decision_shows_the_one_in_force(practitioner_client):
    consultation = decided(fitzpatrick=2, sebum="oily")
    amender = PractitionerFactory(first_name="Ravi", last_name="Kumar")
    practitioner_client.force_login(amender)
    response = amend(
        practitioner_client,
        consultation,
        choice="declined",
        reason_code=DecisionReason.PATIENT_PREFERENCE,
        amendment_reason="Patient changed their mind on the phone.",
    )
    assert response.status_code == 302

    row = row_text(practitioner_client.get(QUEUE, {"status": "decided"}), consultation.reference)

    # The tab is in the order of first decisions: both dates are there.
    first = timezone.localtime(consultation.decided_at).strftime("%-d %b %Y, %H:%M")
    assert f"Declined / referred Decided {first}; amended by Ravi Kumar," in row


def test_the_decided_tab_costs_the_same_queries_for_1_and_20_rows(practitioner_client):
    decided()
    practitioner_client.get(QUEUE, {"status": "decided"})

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert practitioner_client.get(QUEUE, {"status": "decided"}).status_code == 200
        return len(queries)

    one = count()
    for _ in range(19):
        decided(decided_by=PractitionerFactory())
    # New practitioners change who holds what: the first request reads permissions afresh.
    practitioner_client.get(QUEUE, {"status": "decided"})
    assert count() == one


# --- Search across statuses -------------------------------------------------------------------


def test_a_reference_read_out_on_the_phone_is_found_whatever_its_status(practitioner_client):
    submitted()
    done = decided()

    response = practitioner_client.get(QUEUE, {"q": done.reference})

    assert references(response) == [done.reference]
    assert "No consultations awaiting review match" in page_text(response)
    assert "Showing the matches in every status" in page_text(response)
    active = [tab["status"] for tab in response.context["tabs"] if tab["active"]]
    assert active == ["all"]
    assert "Decided" in row_text(response, done.reference)
    # The order is still the one the form shows: the tab's own.
    assert re.search(r'<option value="oldest" selected>', response.content.decode())
    assert "submitted longest ago first" in page_text(response)


def test_a_search_with_matches_in_its_tab_stays_in_it(practitioner_client):
    tan = PatientFactory(last_name="Tan")
    waiting = submitted(patient=tan)
    decided(patient=PatientFactory(last_name="Tan"))

    response = practitioner_client.get(QUEUE, {"q": "tan"})

    assert references(response) == [waiting.reference]
    assert "Showing the matches in every status" not in page_text(response)
    tabs = {tab["status"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs["decided"] == 1  # the other match is one click away


# --- Numbered pages ----------------------------------------------------------------------------


def test_pages_are_numbered_with_the_first_and_last_always_there(practitioner_client, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    for days in range(24, 0, -1):
        submitted(submitted_at=ago(days=days))

    response = practitioner_client.get(QUEUE, {"page": 6, "flag": "", "sort": "oldest"})

    numbers = [link["number"] for link in response.context["page_links"]]
    assert numbers == [1, None, 4, 5, 6, 7, 8, None, 12]
    text = page_text(response)
    assert "Page 6 of 12" in text
    assert '<span class="visually-hidden">Page </span>12</a>' in text
    twelfth = next(link for link in response.context["page_links"] if link["number"] == 12)
    last = practitioner_client.get(f"{QUEUE}?{twelfth['query']}")
    assert last.context["page"].number == 12
    # Read from the other end (no OFFSET over the tab), in the same order as page 1 would give.
    everything = [
        c.reference
        for c in Consultation.objects.filter(status="submitted").order_by("submitted_at", "pk")
    ]
    assert references(last) == everything[22:24]
    eleventh = practitioner_client.get(QUEUE, {"page": 11})
    assert references(eleventh) == everything[20:22]


# --- Record and open next ----------------------------------------------------------------------


def test_record_and_open_next_opens_the_longest_waiting_consultation(practitioner_client):
    now_deciding = submitted(submitted_at=ago(days=2))
    longest = submitted(submitted_at=ago(days=5))
    submitted(submitted_at=ago(days=1))

    response = decide(practitioner_client, now_deciding, then="next", follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "review:detail", kwargs={"reference": longest.reference}
    )
    now_deciding.refresh_from_db()
    assert now_deciding.status == ConsultationStatus.DECIDED
    assert f"{now_deciding.reference}: decision recorded." in page_text(response)


def test_open_next_passes_over_a_consultation_a_colleague_has_open(practitioner_client):
    now_deciding = submitted(submitted_at=ago(days=2))
    colleagues = submitted(submitted_at=ago(days=5))
    free = submitted(submitted_at=ago(days=1))
    AccessLog.objects.create(
        user=PractitionerFactory(),
        action=AccessLog.Action.VIEW,
        consultation=colleagues,
        at=ago(minutes=3),
    )
    opened_long_ago = submitted(submitted_at=ago(days=9))
    AccessLog.objects.create(
        user=PractitionerFactory(),
        action=AccessLog.Action.VIEW,
        consultation=opened_long_ago,
        at=ago(minutes=30),
    )

    response = decide(practitioner_client, now_deciding, then="next")
    assert response.url == reverse("review:detail", kwargs={"reference": opened_long_ago.reference})

    opened_long_ago.status = ConsultationStatus.WITHDRAWN
    opened_long_ago.save()
    another = submitted(submitted_at=ago(days=3))
    response = decide(practitioner_client, another, then="next")
    assert response.url == reverse("review:detail", kwargs={"reference": free.reference})


def test_open_next_goes_to_the_longest_wait_when_colleagues_have_every_one_open(
    practitioner_client,
):
    now_deciding = submitted(submitted_at=ago(days=2))
    longest = submitted(submitted_at=ago(days=5))
    AccessLog.objects.create(
        user=PractitionerFactory(), action=AccessLog.Action.VIEW, consultation=longest
    )

    response = decide(practitioner_client, now_deciding, then="next")

    assert response.url == reverse("review:detail", kwargs={"reference": longest.reference})


def test_a_double_click_on_open_next_records_and_says_it_once(practitioner_client):
    now_deciding = submitted(submitted_at=ago(days=2))
    following = submitted(submitted_at=ago(days=1))
    data = decision_form_data(now_deciding, then="next")

    decide(practitioner_client, now_deciding, data)
    response = decide(practitioner_client, now_deciding, data, follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "review:detail", kwargs={"reference": following.reference}
    )
    assert page_text(response).count(f"{now_deciding.reference}: decision recorded.") == 1
    assert now_deciding.decisions.count() == 1


def test_record_and_open_next_on_the_last_one_goes_back_to_the_queue(practitioner_client):
    last = submitted()

    response = decide(practitioner_client, last, then="next", follow=True)

    assert response.redirect_chain[-1][0] == QUEUE
    assert "No other consultation is awaiting review." in page_text(response)


def test_a_refused_decision_stays_on_its_page_even_with_open_next(practitioner_client):
    consultation = submitted()
    submitted()

    response = decide(practitioner_client, consultation, then="next", choice="")

    assert response.status_code == 200
    assert "Choose a decision: accept the suggestion" in page_text(response)
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.SUBMITTED
