"""Fixtures for the cross-cutting pieces in clinic/."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.urls import clear_url_caches


@pytest.fixture(scope="module")
def bench_urls() -> Iterator[None]:
    """The URLs as `make bench` serves them: with the bare bench view routed."""
    import clinic.urls

    with override_settings(BENCH_ENDPOINTS=True):
        importlib.reload(clinic.urls)
        clear_url_caches()
        yield
    importlib.reload(clinic.urls)
    clear_url_caches()
