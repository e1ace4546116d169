"""A fixed-window rate limit per client, kept in Django's cache so it holds across workers.

A rate is written "COUNT/PERIOD" with PERIOD one of `s`, `m`, `h`, `d`, optionally preceded
by a number: "60/10m" allows 60 requests per client in each 10-minute window.

Counting is atomic, so a burst of concurrent requests gets exactly the limit through: in Redis
(REDIS_URL) with one script that counts and sets the expiry, one round trip (clinic/cache.py);
otherwise in the database, one upsert per request (`RateLimitCounter`), because the database
cache's increment is a read and a write.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinic.cache import RedisCache

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    """At most `count` requests per client in each window of `seconds`."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        match = _RATE.match(text)
        if not match or int(match[1]) < 1 or int(match[2] or 1) < 1:
            raise ImproperlyConfigured(
                f"A rate limit is written like '60/10m' (count/period, period in s, m, h "
                f"or d); got {text!r}."
            )
        return cls(int(match[1]), int(match[2] or 1) * _UNIT_SECONDS[match[3]])


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the one our own proxy appended to
    X-Forwarded-For when INTAKE_TRUST_X_FORWARDED_FOR is on (a client can forge the rest).

    Always a valid IP address (django-axes stores it in an address column); "0.0.0.0" when
    the request carries none, as with a test client's force_login.
    """
    if getattr(settings, "INTAKE_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.headers.get("x-forwarded-for", "").split(",")[-1].strip()
        if _is_ip(forwarded):
            return forwarded
    remote = request.META.get("REMOTE_ADDR", "")
    return remote if _is_ip(remote) else "0.0.0.0"  # noqa: S104 - a placeholder, not a bind


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def hit(*, scope: str, client: str, rate: Rate, now: float | None = None) -> bool:
    """Count one request; True while the client is within its limit in the current window."""
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    # A fixed-length key that is valid in every cache backend, and keyed with the secret key:
    # a plain hash of an email or IP address is found by hashing a list of them.
    digest = hmac.new(
        settings.SECRET_KEY.encode(), client.encode("utf-8", "replace"), hashlib.sha256
    ).hexdigest()[:32]
    key = f"ratelimit:{scope}:{rate.seconds}:{window}:{digest}"
    # Keep the counter a little past its window so a slow clock skew cannot reset it early.
    timeout = rate.seconds + 5
    if not settings.REDIS_URL:
        return _database_count(key, expires=now + timeout) <= rate.count
    counters = caches["default"]
    if not isinstance(counters, RedisCache):
        raise ImproperlyConfigured("With REDIS_URL, the default cache is clinic.cache.RedisCache")
    return counters.count(key, timeout) <= rate.count


def _database_count(key: str, *, expires: float) -> int:
    """Add one to the key's counter and return the new count, in one atomic statement
    (PostgreSQL and SQLite 3.35+ both have INSERT ... ON CONFLICT ... RETURNING)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO clinic_ratelimitcounter (key, count, expires_at) VALUES (%s, 1, %s) "
            "ON CONFLICT (key) DO UPDATE SET count = clinic_ratelimitcounter.count + 1 "
            "RETURNING count",
            [key, datetime.fromtimestamp(expires, tz=UTC)],
        )
        row = cursor.fetchone()
    return int(row[0])


def rate_limited(
    scope: str, *, setting: str, methods: tuple[str, ...] = ("POST",)
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view: over the limit named by `setting`, answer 429 with a friendly page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                rate = Rate.parse(getattr(settings, setting))
                if not hit(scope=scope, client=client_address(request), rate=rate):
                    return too_many_requests(request, rate=rate)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def too_many_requests(request: HttpRequest, *, rate: Rate) -> HttpResponse:
    """The "try again later" page, with how long until the client's window ends."""
    seconds_left = int(rate.seconds - time.time() % rate.seconds) + 1
    minutes = -(-seconds_left // 60)
    response = render(request, "intake/rate_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds_left)
    return response
