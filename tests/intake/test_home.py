"""The public home page explains pores and the three treatments in plain words."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_home_page_explains_the_three_treatments(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("Picosecond laser", "Chemical peel", "Microdermabrasion"):
        assert heading in page
    assert "Downtime" in page and "Sessions" in page
    assert "under 18" in page


@pytest.mark.django_db
def test_home_page_uses_only_local_assets(client):
    page = client.get(reverse("home")).content.decode()
    assert "/static/vendor/bootstrap-5.3.9/css/bootstrap.min.css" in page
    assert "cdn" not in page.lower()
    assert "<style" not in page and "style=" not in page


@pytest.mark.django_db
def test_home_page_is_readable_on_a_small_phone(client):
    page = client.get(reverse("home")).content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page


def test_home_page_refuses_posts(client):
    assert client.post(reverse("home")).status_code == 405
