"""Prepared statements (decision 0014): the database parses and plans a connection's repeated
statements once; where the best plan depends on the values (the queue, the admin), each
statement is still planned for its own values (clinic/plans.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.db import NotSupportedError, close_old_connections, connection, transaction
from django.urls import reverse, set_script_prefix

from bench.server import database_url
from clinic.env import database_from_env
from clinic.plans import custom_plans
from consultations import selectors
from consultations.models import Consultation
from tests.factories import (
    AdminFactory,
    ConsultationFactory,
    PatientFactory,
    PractitionerFactory,
    submitted,
)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)
QUEUE = reverse("review:queue")
RUNS = 8  # past psycopg's threshold (5): a statement run this often is prepared


def prepared() -> list[str]:
    """The statements this connection holds prepared on the server."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [(None, {"server_side_binding": True, "prepare_threshold": 5}), ("0", {}), ("2", None)],
)
def test_the_threshold_comes_from_the_environment(monkeypatch, tmp_path, threshold, expected):
    monkeypatch.setenv("DATABASE_URL", "postgres://clinic@db.example:5432/clinic")
    if threshold is None:
        monkeypatch.delenv("DB_PREPARE_THRESHOLD", raising=False)
    else:
        monkeypatch.setenv("DB_PREPARE_THRESHOLD", threshold)
    options = database_from_env(tmp_path / "db.sqlite3")["OPTIONS"]
    if expected is None:
        expected = {"server_side_binding": True, "prepare_threshold": int(threshold)}
    assert {
        k: options[k] for k in ("server_side_binding", "prepare_threshold") if k in options
    } == (expected)
    # The per-connection settings stay, whatever the threshold.
    assert "statement_timeout=" in options["options"]


def test_sqlite_has_no_such_options(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    database = database_from_env(tmp_path / "var" / "db.sqlite3")
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert "OPTIONS" not in database or "prepare_threshold" not in database["OPTIONS"]


@on_postgresql
@pytest.mark.django_db
def test_a_statement_run_again_and_again_is_prepared_once():
    consultation = ConsultationFactory()
    for _ in range(RUNS):
        assert Consultation.objects.get(reference=consultation.reference) == consultation
    mine = [s for s in prepared() if '"consultations_consultation"."reference" = $1' in s]
    assert len(mine) == 1


@on_postgresql
@pytest.mark.django_db
def test_inside_custom_plans_nothing_is_prepared_and_the_threshold_comes_back():
    consultation = ConsultationFactory()
    before = connection.connection.prepare_threshold
    with custom_plans():
        with custom_plans():  # nested: the inner one gives back what the outer one set
            pass
        for _ in range(RUNS):
            Consultation.objects.filter(patient_id=consultation.patient_id).exists()
        assert connection.connection.prepare_threshold is None
    assert connection.connection.prepare_threshold == before
    assert not [s for s in prepared() if '"patient_id" = $' in s and "LIMIT 1" in s]


@on_postgresql
@pytest.mark.django_db
def test_the_queue_search_is_planned_for_each_name():
    """A generic plan would read a common name's matches as it reads a rare one's: each search
    is planned for its own words, however often it runs."""
    submitted(patient=PatientFactory(last_name="Tan"))
    for _ in range(RUNS):
        selectors.queue(selectors.QueueFilters(q="tan"))
        selectors.queue(selectors.QueueFilters(flag="stop"))
    assert not [s for s in prepared() if "consultations_consultation" in s]


@on_postgresql
@pytest.mark.django_db
def test_admin_pages_are_planned_for_each_search(client):
    client.force_login(AdminFactory())
    PatientFactory(last_name="Tan")
    changelist = reverse("admin:consultations_patient_changelist")
    for _ in range(RUNS):
        assert client.get(changelist, {"q": "tan"}).status_code == 200
    assert not [s for s in prepared() if "consultations_patient" in s and "UPPER" in s]


@on_postgresql
@pytest.mark.django_db
def test_admin_pages_are_planned_for_each_search_under_a_script_prefix(client):
    """Mounted under a path (a proxy's SCRIPT_NAME), the admin still runs with custom plans."""
    client.force_login(AdminFactory())
    PatientFactory(last_name="Tan")
    changelist = reverse("admin:consultations_patient_changelist")  # the path after it
    # What Django's WSGI handler does with each request's SCRIPT_NAME (the test client does
    # not): reverse() then writes the prefix, which request.path_info never has.
    set_script_prefix("/clinic/")
    try:
        for _ in range(RUNS):
            response = client.get(changelist, {"q": "tan"}, SCRIPT_NAME="/clinic")
            assert response.status_code == 200
    finally:
        set_script_prefix("/")
    assert not [s for s in prepared() if "consultations_patient" in s and "UPPER" in s]


@on_postgresql
@pytest.mark.django_db
def test_a_page_outside_the_admin_keeps_its_prepared_statements(client):
    """The guard is the admin's and the queue's only: the detail page's read of the
    consultation by its reference is prepared, as decision 0014 is for."""
    client.force_login(PractitionerFactory())
    detail = reverse("review:detail", kwargs={"reference": submitted().reference})
    for _ in range(RUNS):
        assert client.get(detail).status_code == 200
    assert [s for s in prepared() if '"consultations_consultation"."reference" = $' in s]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_custom_plans_hold_on_the_connection_a_health_check_opened():
    """The first query of a request finds the server closed the kept connection (a restart, a
    failover) and Django opens another: the block's statements are still not prepared."""
    consultation = ConsultationFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    migrate_elsewhere(f"SELECT pg_terminate_backend({int(pid)})")
    for _ in range(200):  # until the server has ended it
        if not connection.is_usable():
            break
        time.sleep(0.01)
    close_old_connections()  # a new request: its first query checks the connection
    with custom_plans():
        for _ in range(RUNS):
            Consultation.objects.filter(patient_id=consultation.patient_id).exists()
    assert not [s for s in prepared() if '"patient_id" = $' in s and "LIMIT 1" in s]


@contextmanager
def scratch_table() -> Iterator[Callable[[], tuple]]:
    """A table of its own, and a read of it by key as a page would run it."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE prepared_scratch (id int PRIMARY KEY, name varchar(10))")
        cursor.execute("INSERT INTO prepared_scratch VALUES (1, 'one')")

    def read() -> tuple:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, name FROM prepared_scratch WHERE id = %s", [1])
            return cursor.fetchone()

    try:
        for _ in range(RUNS):
            assert read() == (1, "one")
        assert any("prepared_scratch" in s for s in prepared())
        yield read
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS prepared_scratch")


def migrate_elsewhere(*statements: str) -> None:
    """DDL from another connection: a deploy's `migrate` while the servers still run."""
    with psycopg.connect(database_url(connection.settings_dict), autocommit=True) as other:
        for statement in statements:
            other.execute(statement)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_migration_elsewhere_leaves_prepared_statements_working():
    """A column added or dropped is planned again by PostgreSQL; a column whose type changed
    (a longer CharField) makes it refuse the prepared read, which is dropped and run again."""
    with scratch_table() as read:
        migrate_elsewhere("ALTER TABLE prepared_scratch ADD COLUMN added int")
        assert read() == (1, "one")
        migrate_elsewhere("ALTER TABLE prepared_scratch DROP COLUMN added")
        assert read() == (1, "one")
        migrate_elsewhere("ALTER TABLE prepared_scratch ALTER COLUMN name TYPE varchar(20)")
        assert read() == (1, "one")
        for _ in range(RUNS):  # and prepared again
            assert read() == (1, "one")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_in_a_transaction_a_stale_statement_fails_that_transaction_only():
    """The error aborts the transaction, so the read cannot run again inside it; its rollback
    drops the connection's prepared statements, and the next transaction reads."""
    with scratch_table() as read:
        migrate_elsewhere("ALTER TABLE prepared_scratch ALTER COLUMN name TYPE varchar(20)")
        with pytest.raises(NotSupportedError), transaction.atomic():
            read()
        with transaction.atomic():
            assert read() == (1, "one")


@contextmanager
def coded_table() -> Iterator[Callable[[], tuple | None]]:
    """A table whose `code` column a later migration makes a number (a CharField that becomes
    an IntegerField), and a read by that code as a page would run it, prepared."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE prepared_coded (id int PRIMARY KEY, code varchar(10))")
        cursor.execute("INSERT INTO prepared_coded VALUES (1, '5')")

    def read() -> tuple | None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM prepared_coded WHERE code = %s", ["5"])
            return cursor.fetchone()

    try:
        for _ in range(RUNS):
            assert read() == (1,)
        assert any("prepared_coded" in s for s in prepared())
        yield read
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS prepared_coded")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_column_retyped_to_another_kind_leaves_prepared_statements_working():
    """Unprepared, the running code's text value still compares with the new number column;
    the prepared read keeps the parameter type it was planned with ("operator does not exist:
    integer = text") on every run, until the connection ends: it is dropped and run again."""
    with coded_table() as read:
        migrate_elsewhere("ALTER TABLE prepared_coded ALTER COLUMN code TYPE int USING code::int")
        assert read() == (1,)
        assert read() == (1,)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_executemany_of_one_shot_rows_is_not_run_again_without_them():
    """A stale executemany is run again only with rows it can send again: rows from a
    generator are spent by the first try, which would then write nothing and say nothing."""

    def insert(rows) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO prepared_scratch (id, name) SELECT %s, %s RETURNING name", rows
            )

    with scratch_table() as read:
        insert([(2, "two")])  # an executemany is prepared at once (psycopg)
        migrate_elsewhere("ALTER TABLE prepared_scratch ALTER COLUMN name TYPE varchar(20)")
        with pytest.raises(NotSupportedError):
            insert(row for row in [(3, "three"), (4, "four")])
        insert(row for row in [(3, "three"), (4, "four")])  # the stale statement is gone
        insert([(5, "five")])
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM prepared_scratch ORDER BY id")
            assert [row[0] for row in cursor.fetchall()] == [1, 2, 3, 4, 5]
        assert read() == (1, "one")
