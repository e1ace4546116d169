"""The Redis count (clinic/cache.py): the first count sets the window's expiry, later ones
keep it."""

from __future__ import annotations

import os

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")


def test_the_first_count_sets_the_expiry_and_later_counts_keep_it():
    counters = caches["default"]
    key = "review3:count"
    counters.delete(key)
    redis = counters._cache.get_client(write=True)
    full_key = counters.make_and_validate_key(key)

    assert counters.count(key, 65) == 1
    first_ttl = redis.ttl(full_key)
    redis.expire(full_key, 10)  # time passes
    assert counters.count(key, 65) == 2

    assert 60 <= first_ttl <= 65
    assert redis.ttl(full_key) <= 10  # not pushed back: the window still ends on time
    counters.delete(key)
