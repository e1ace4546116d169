"""A patient's private link with characters no token has is simply not found, never an error."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PractitionerFactory, submitted

pytestmark = pytest.mark.django_db

# NUL (which PostgreSQL refuses in text), other control characters, an encoded slash, spaces,
# non-ASCII, and a long run of them.
ODD = [
    "%00",
    "abc%00def",
    "%01%1b%7f",
    "..%2F..%2Fetc",
    "a%20b",
    "%C3%A9t%C3%A9",
    "%E2%80%AE" * 200 + "%00",
    "A" * 65,  # longer than any token the column can hold
]
TOKEN_URLS = ["/c/{}/", "/c/{}/submitted/", "/c/{}/my-answers/"]


@pytest.fixture
def patient_browser() -> Client:
    return Client(raise_request_exception=True)


@pytest.mark.parametrize("odd", ODD)
@pytest.mark.parametrize("url", TOKEN_URLS)
def test_a_status_link_with_odd_characters_is_not_found(patient_browser, url, odd):
    submitted()
    assert patient_browser.get(url.format(odd)).status_code == 404


@pytest.mark.parametrize("odd", ODD[:-1] + ["A" * 201])
def test_a_resume_link_with_odd_characters_is_not_found(patient_browser, odd):
    assert patient_browser.get(f"/consultation/resume/{odd}/").status_code == 404


def test_real_links_still_open(patient_browser):
    consultation = submitted()
    token = consultation.public_token
    for name in ("intake:status", "intake:submitted", "intake:patient_copy"):
        assert patient_browser.get(reverse(name, args=[token])).status_code == 200, name
    # A well-formed but wrong token: the view looks it up and finds nothing.
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert patient_browser.get(reverse("intake:status", args=[wrong])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["insight:print", "insight:fhir", "review:detail"])
def test_a_mangled_staff_reference_is_not_found_never_an_error(client, name):
    client.force_login(PractitionerFactory())
    good = reverse(name, kwargs={"reference": "PX-AAAAA"})
    for bad in ("PX-%00AAA", "%00", "PX-" + "A" * 300):
        response = client.get(good.replace("PX-AAAAA", bad))
        assert response.status_code == 404
