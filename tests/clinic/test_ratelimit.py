"""Public POSTs are limited per client in a fixed window kept in the shared cache."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from clinic import ratelimit
from clinic.ratelimit import Rate
from consultations.models import Consultation
from tests.intake.steps import ABOUT, SKIN, SKIN_ANSWERS, START, press_save
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("60/10m", Rate(60, 600)),
        ("5/h", Rate(5, 3600)),
        ("5/1h", Rate(5, 3600)),
        (" 100 / 30s ", Rate(100, 30)),
        ("1000/d", Rate(1000, 86400)),
    ],
)
def test_a_rate_is_read_as_count_per_period(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize(
    "text", ["", "60", "60/", "0/1m", "-1/1m", "60/0m", "60/00s", "60/10y", "a/1m"]
)
def test_a_malformed_rate_names_the_expected_form(text):
    with pytest.raises(ImproperlyConfigured, match="60/10m"):
        Rate.parse(text)


def test_a_client_is_let_through_up_to_the_limit_and_then_stopped():
    rate = Rate(3, 60)
    results = [ratelimit.hit(scope="t", client="10.0.0.1", rate=rate, now=1000.0) for _ in range(5)]
    assert results == [True, True, True, False, False]


def test_each_client_and_each_scope_has_its_own_count():
    rate = Rate(1, 60)
    assert ratelimit.hit(scope="t", client="10.0.0.1", rate=rate, now=1000.0)
    assert not ratelimit.hit(scope="t", client="10.0.0.1", rate=rate, now=1000.0)
    assert ratelimit.hit(scope="t", client="10.0.0.2", rate=rate, now=1000.0)
    assert ratelimit.hit(scope="other", client="10.0.0.1", rate=rate, now=1000.0)


def test_the_count_starts_again_in_the_next_window():
    rate = Rate(1, 60)
    assert ratelimit.hit(scope="t", client="10.0.0.1", rate=rate, now=1019.0)
    assert not ratelimit.hit(scope="t", client="10.0.0.1", rate=rate, now=1019.5)
    assert ratelimit.hit(scope="t", client="10.0.0.1", rate=rate, now=1020.0)


def test_too_many_intake_posts_get_a_try_again_later_page(settings):
    settings.INTAKE_RATE_LIMIT = "2/10m"
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert client.post(START, ABOUT).status_code == 302
    assert client.post(SKIN, SKIN_ANSWERS).status_code == 302
    response = client.post(SKIN, SKIN_ANSWERS)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Please try again later" in page
    assert "minute" in page
    assert 0 < int(response["Retry-After"]) <= 601
    # The refused page was not saved, and the page says so.
    assert "We could not save that last page." in page
    assert "Answers you saved on earlier pages are kept." in page
    assert "Your answers so far are saved" not in page
    assert Consultation.objects.get().sebum == "oily"  # from the page saved before
    # Reading pages is not limited; another client is not affected.
    assert client.get(SKIN).status_code == 200
    assert Client(REMOTE_ADDR="203.0.113.8").post(START, ABOUT).status_code == 302
    assert Consultation.objects.count() == 2


def test_a_flood_of_new_consultations_from_one_address_is_stopped(settings):
    settings.INTAKE_RATE_LIMIT = "5/10m"
    statuses = [Client(REMOTE_ADDR="198.51.100.1").post(START, ABOUT).status_code for _ in range(8)]
    assert statuses == [302] * 5 + [429] * 3
    assert Consultation.objects.count() == 5


def test_resume_link_emails_have_their_own_tighter_limit(settings, mailoutbox):
    settings.INTAKE_RATE_LIMIT = "100/10m"
    settings.INTAKE_EMAIL_RATE_LIMIT = "2/1h"
    client = Client(REMOTE_ADDR="192.0.2.5")
    for _ in range(2):
        assert press_save(client, START, ABOUT).status_code == 302
    response = press_save(client, START, ABOUT)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3601
    run_queued_tasks()
    assert len(mailoutbox) == 2


def test_over_the_email_limit_the_page_says_the_answers_are_saved_but_no_link_was_sent(
    settings, mailoutbox
):
    settings.INTAKE_RATE_LIMIT = "100/10m"
    settings.INTAKE_EMAIL_RATE_LIMIT = "1/1h"
    client = Client(REMOTE_ADDR="192.0.2.6")
    assert press_save(client, START, ABOUT).status_code == 302
    client.post(START, ABOUT)
    response = press_save(client, SKIN, SKIN_ANSWERS)
    assert response.status_code == 429
    page = response.content.decode()
    assert "We could not email you a link" in page
    assert "Your answers are saved" in page
    assert "we cannot send another one now" in page and "minute" in page
    assert "We could not save that last page" not in page
    draft = Consultation.objects.get(pk=client.session["intake_consultation_id"])
    assert draft.sebum == "oily"  # the page was saved
    assert client.get(SKIN).status_code == 200  # and the patient can carry on
    run_queued_tasks()
    assert len(mailoutbox) == 1


def test_behind_our_proxy_the_address_it_added_is_counted(settings, rf):
    request = rf.post("/", REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    settings.INTAKE_TRUST_X_FORWARDED_FOR = False
    assert ratelimit.client_address(request) == "10.0.0.254"
    settings.INTAKE_TRUST_X_FORWARDED_FOR = True
    # The client may forge the start of the header; our proxy appends the real address last.
    assert ratelimit.client_address(request) == "198.51.100.9"
