"""Error pages are friendly, branded, and give away nothing about the system behind them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.template import loader
from django.test import Client

from tests.clinic.error_urls import INTERNAL_DETAIL

# Words that would mean an error page leaks how the site is built.
LEAKS = (INTERNAL_DETAIL, "Traceback", "Django", "DEBUG", "exception", "settings.py", "CSRF")


def assert_friendly(response, *, status: int, heading: str) -> None:
    assert response.status_code == status
    page = response.content.decode()
    assert f">{heading}</h1>" in page
    assert 'class="navbar-brand"' in page and f">{settings.CLINIC_NAME}</a>" in page
    assert settings.CLINIC_PHONE in page  # how to reach the clinic, on every error page
    assert "/static/css/site.css" in page
    assert "Go to the home page" in page
    for leak in LEAKS:
        assert leak not in page, leak


@pytest.mark.django_db
def test_an_unknown_address_gets_the_friendly_404_page(client):
    response = client.get("/no-such-page/")
    assert_friendly(response, status=404, heading="We can't find that page")
    assert "/no-such-page/" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls("tests.clinic.error_urls")
def test_a_bad_request_gets_the_friendly_400_page(client):
    response = client.get("/test-errors/400/")
    assert_friendly(response, status=400, heading="Something was wrong with that request")


@pytest.mark.django_db
@pytest.mark.urls("tests.clinic.error_urls")
def test_a_refused_request_gets_the_friendly_403_page(client):
    response = client.get("/test-errors/403/")
    assert_friendly(response, status=403, heading="You don't have access to this page")


@pytest.mark.django_db
@pytest.mark.urls("tests.clinic.error_urls")
def test_a_crash_gets_the_friendly_500_page(client):
    client.raise_request_exception = False
    response = client.get("/test-errors/500/")
    assert_friendly(response, status=500, heading="Sorry, something went wrong on our side")


def test_the_500_page_renders_without_a_request_or_context_processors():
    """Django renders 500.html with an empty context; it must not need the database either."""
    page = loader.get_template("500.html").render()
    assert "Sorry, something went wrong on our side" in page
    assert 'href="/"' in page


@pytest.mark.django_db
def test_a_form_posted_without_its_csrf_token_gets_the_friendly_csrf_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert_friendly(response, status=403, heading="Your form could not be sent")
    assert "reload the page" in response.content.decode()
