"""Django's database sessions, each read and each write of a session one plain statement.

The same table, rows and encoding as `django.contrib.sessions.backends.db` (sessions stay in
PostgreSQL, see the README). Nearly every request reads its session and many write it: Django's
store compiles the same ORM query for each read, and writes through a model save in a
transaction of its own (BEGIN, UPDATE, COMMIT). Here a read is one SELECT and a write of an
existing session one UPDATE; a new session is made as Django makes it.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

_LOAD = (
    'SELECT "session_data" FROM "django_session" WHERE "session_key" = %s AND "expire_date" > %s'
)
_UPDATE = (
    'UPDATE "django_session" SET "session_data" = %s, "expire_date" = %s WHERE "session_key" = %s'
)


class SessionStore(db.SessionStore):
    """Django's database session store, reading and writing with one statement each."""

    def load(self) -> dict[str, Any]:
        with connection.cursor() as cursor:
            cursor.execute(_LOAD, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:  # unknown or expired: a new session, with a new key, if one is saved
            self._session_key = None
            return {}
        return self.decode(row[0])

    def save(self, must_create: bool = False) -> None:
        if must_create or self.session_key is None:
            super().save(must_create=must_create)  # a new session: Django's insert
            return
        data = self.encode(dict(self.items()))
        expires = connection.ops.adapt_datetimefield_value(self.get_expiry_date())
        # Inside a transaction, in a savepoint of its own (as Django's store): a failed write
        # must not leave the caller's transaction aborted. Outside one (the middleware's save,
        # every request) no BEGIN and COMMIT around a single statement.
        within = transaction.atomic() if connection.in_atomic_block else nullcontext()
        try:
            with within, connection.cursor() as cursor:
                cursor.execute(_UPDATE, [data, expires, self.session_key])
                updated = cursor.rowcount
        except DatabaseError:  # as Django's store answers any failed update
            raise UpdateError from None
        if not updated:  # deleted meanwhile (a logout in another tab)
            raise UpdateError
