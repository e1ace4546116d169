"""Where a query is planned for its own values instead of from a prepared statement.

On PostgreSQL each connection prepares a statement it has run DB_PREPARE_THRESHOLD times
(clinic/env.py, decision 0014): PostgreSQL then parses it once and, after five runs, may keep
one generic plan for every value. That is right for a read by key (a session, a user, a
consultation by its reference), where every value has the same best plan. It is wrong where
the best plan depends on the value: the queue's search walks the tab's index in order for a
common name and reads the trigram index for a rare one (consultations/selectors_search.py),
and a filter on a rare value reads another index than one on a common value. A generic plan
estimated from an average value would serve some searches slowly at a million consultations.

`custom_plans()` sends the statements run inside it unprepared, so that each is planned for its
values, as without prepared statements. The queue's reads and every admin page (its searches,
filters and counts) run in it.

A migration that changes the type of a column (a longer CharField) while servers still run makes
PostgreSQL refuse their prepared statements that return it ("cached plan must not change result
type"), on every run, until the connection ends; one that makes it another kind (a CharField
becoming an IntegerField) those that compare it with a value, which keep the value's old type
("operator does not exist: integer = text"). `replan_after_migration` drops the connection's
prepared statements then and runs the statement again; inside a transaction,
which that error has already aborted, the transaction's rollback drops them (psycopg), so only
that one request fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse


@contextmanager
def custom_plans() -> Iterator[None]:
    """The statements run inside are planned for their own values (no prepared statements)."""
    if connection.vendor != "postgresql":
        yield
        return
    # A request's first query checks the kept connection (CONN_HEALTH_CHECKS) and replaces it
    # if the server closed it: done here, so that the block runs on the connection it set.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    before = raw.prepare_threshold
    raw.prepare_threshold = None  # psycopg: neither prepare nor use a prepared statement
    try:
        yield
    finally:
        # The connection may have been replaced inside (closed and opened again): the new one
        # starts with the setting's own threshold, which this leaves alone.
        if connection.connection is raw:
            raw.prepare_threshold = before


class AdminCustomPlansMiddleware:
    """Every admin page runs its queries with custom plans: the admin is where staff search and
    filter freely, and it is not a page loaded many times a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefix = ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # path_info never has the script prefix (SCRIPT_NAME: the site mounted under a path);
        # reverse() writes the request's own: the admin's path without it.
        self.prefix = self.prefix or "/" + reverse("admin:index").removeprefix(get_script_prefix())
        if not request.path_info.startswith(self.prefix):
            return self.get_response(request)
        with custom_plans():
            return self.get_response(request)


CHANGED_RESULT_TYPE = "cached plan must not change result type"
# What a prepared statement planned before a column changed type can fail with, where the same
# SQL sent again is planned for the new type: its result type changed (0A000), or a parameter
# keeps the type it was given then ("operator does not exist: integer = text", 42883; "column
# is of type integer but expression is of type text", 42804).
STALE_PLAN_SQLSTATES = {"42883", "42804"}


def _stale_plan(exc: DatabaseError) -> bool:
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    if sqlstate == "0A000":
        return CHANGED_RESULT_TYPE in str(exc)
    return sqlstate in STALE_PLAN_SQLSTATES


def replan_after_migration(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """An execute wrapper: a prepared statement a migration made stale is dropped and run again.

    Only in autocommit: the failed statement (an executemany's rows, which psycopg sends in one
    implicit transaction) changed nothing, so running it again is safe. Not an executemany's
    rows from an iterator, which the first try has spent: that call fails, the next runs."""
    try:
        return execute(sql, params, many, context)
    except DatabaseError as exc:
        wrapper: BaseDatabaseWrapper = context["connection"]
        if not _stale_plan(exc) or not wrapper.get_autocommit():
            raise
        # psycopg forgets its prepared statements when it sees DEALLOCATE ALL succeed.
        with wrapper.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        if many and not isinstance(params, Sequence):
            raise
        return execute(sql, params, many, context)


def watch_for_migrations(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """connection_created: every PostgreSQL connection gets the wrapper above, once."""
    if (
        connection.vendor == "postgresql"
        and replan_after_migration not in connection.execute_wrappers
    ):
        connection.execute_wrappers.insert(0, replan_after_migration)
