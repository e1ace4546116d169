"""The practitioners' queue page, kept rendered while nothing it shows has changed.

The queue is the page practitioners load most, and most loads find it as it was. A rendered
page is kept in this process's memory (never in a shared cache: it names patients) under:

- the review version: a number PostgreSQL triggers raise at the commit of every transaction
  that changed a row the page can show, whatever wrote it (migration 0024_review_version). It is
  read before the page's data, so a page kept under a version holds data at least as new as it;
- the minute of the clock, in UTC (the page says how long each consultation has waited), so a
  kept page is never older than a minute, whatever happened;
- the path with its query, and who is asking (their id and permissions: the menu depends on
  them).

Only the pages of the current version and minute are kept: the others are dropped at the first
view after either moves on. A page is rendered afresh, and not kept, whenever any of these
holds: the request is inside a transaction (it could see its own uncommitted writes: so in
TestCase tests), the database is not PostgreSQL (no triggers on SQLite), a message waits to be
shown, the version cannot be read, or the answer is not a 200. The CSRF token is the asking
request's own: the kept page holds a placeholder where the form's token was.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from consultations.models import ReviewVersion

# Enough for every practitioner's few views in the current minute; older minutes fall out.
KEPT_PAGES = 256
# `epoch` is a column only PostgreSQL has (migration 0024): a sequence no flush resets.
VERSION_SQL = f"SELECT sum(n), max(epoch) FROM {ReviewVersion._meta.db_table}"  # noqa: S608
TOKEN_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
PLACEHOLDER = b"\x00csrf\x00"

_pages: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
_lock = threading.Lock()
# The version and minute of the pages kept: when either moves on, the older pages are dropped
# (an erased patient's name stays in memory only until this process's next queue view).
_current: list[tuple[object, ...]] = [()]


def review_version() -> tuple[int, int] | None:
    """How many changes the queue's data has seen, with the newest counter row's epoch (the
    pair never repeats, even after the counters are emptied); None without counters."""
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL)
        total, newest = cursor.fetchone()
    return None if newest is None else (int(total), int(newest))


def _keepable(request: HttpRequest) -> bool:
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and not len(messages.get_messages(request))
    )


def _key(request: HttpRequest, version: tuple[int, int]) -> tuple[object, ...]:
    user = request.user
    # In UTC: a local minute repeats when the clocks go back (the two compare equal).
    minute = timezone.now().replace(second=0, microsecond=0)
    return (
        version,
        minute,
        request.get_full_path(),
        user.pk,
        user.is_staff,
        user.is_superuser,
        frozenset(user.get_all_permissions()),
    )


def kept_page(request: HttpRequest, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The page `render` makes for this request, from memory when nothing it shows changed."""
    if not _keepable(request) or (version := review_version()) is None:
        return render()
    key = _key(request, version)
    with _lock:
        if key[:2] != _current[0]:
            _pages.clear()
            _current[0] = key[:2]
        page = _pages.get(key)
        if page is not None:
            _pages.move_to_end(key)
    if page is not None:
        token = get_token(request).encode()
        return HttpResponse(page.replace(PLACEHOLDER, token))
    response = render()
    if response.status_code == 200 and not response.streaming:
        kept = TOKEN_INPUT.sub(rb"\1" + PLACEHOLDER + rb"\2", response.content)
        with _lock:
            if key[:2] != _current[0]:  # moved on while this page was rendered
                return response
            _pages[key] = kept
            while len(_pages) > KEPT_PAGES:
                _pages.popitem(last=False)
    return response


def forget() -> None:
    """Drop every kept page (tests)."""
    with _lock:
        _pages.clear()
        _current[0] = ()
