"""The bare benchmark view exists only when BENCH_ENDPOINTS is on."""

from __future__ import annotations

import importlib

import pytest
from django.urls import clear_url_caches

import clinic.urls


@pytest.fixture
def bench_urls(settings):
    settings.BENCH_ENDPOINTS = True
    importlib.reload(clinic.urls)
    clear_url_caches()
    yield
    settings.BENCH_ENDPOINTS = False
    importlib.reload(clinic.urls)
    clear_url_caches()


def test_production_does_not_serve_it(client):
    assert client.get("/bench/constant/").status_code == 404


def test_it_answers_a_constant_through_the_whole_middleware_stack(client, bench_urls):
    response = client.get("/bench/constant/")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    # The same middleware as every page: security headers are there.
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert client.post("/bench/constant/").status_code == 405
