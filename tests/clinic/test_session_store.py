"""The session store (clinic/sessions.py) answers as Django's database store does."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.contrib.sessions.backends import db as django_db
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from clinic import sessions
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.django_db

STORES = [django_db.SessionStore, sessions.SessionStore]


def _stored(data: dict, *, expires_in: datetime.timedelta) -> str:
    store = django_db.SessionStore()
    store.update(data)
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expires_in
    )
    return store.session_key


@pytest.mark.parametrize("store_class", STORES)
@pytest.mark.parametrize(
    ("expires_in", "loads"),
    [
        (datetime.timedelta(seconds=-1), False),
        (datetime.timedelta(microseconds=-1), False),
        (datetime.timedelta(seconds=2), True),
        (datetime.timedelta(hours=9), True),  # later than now in Singapore time too
        (datetime.timedelta(hours=-7), False),  # earlier than now in UTC, later in local time
    ],
)
def test_it_loads_a_session_only_before_it_expires(store_class, expires_in, loads):
    key = _stored({"seen": True}, expires_in=expires_in)

    store = store_class(key)

    assert (store.get("seen") is True) is loads
    assert (store.session_key == key) is loads


@pytest.mark.parametrize("store_class", STORES)
def test_an_expired_session_saved_again_gets_a_new_key(store_class):
    key = _stored({"seen": True}, expires_in=datetime.timedelta(seconds=-1))

    store = store_class(key)
    store["draft"] = 1
    store.save()

    assert store.session_key != key
    assert store_class(store.session_key)["draft"] == 1


@pytest.mark.parametrize("store_class", STORES)
def test_a_save_writes_the_data_and_the_new_expiry(store_class):
    key = _stored({"seen": True}, expires_in=datetime.timedelta(seconds=60))

    store = store_class(key)
    store["draft"] = 7
    store.set_expiry(3600)
    store.save()

    row = Session.objects.get(session_key=key)
    assert store_class(key)["draft"] == 7
    remaining = row.expire_date - timezone.now()
    assert datetime.timedelta(seconds=3590) < remaining <= datetime.timedelta(seconds=3600)


@pytest.mark.parametrize("store_class", STORES)
def test_a_session_deleted_meanwhile_is_not_written_back(store_class):
    key = _stored({"seen": True}, expires_in=datetime.timedelta(seconds=60))
    store = store_class(key)
    store["draft"] = 1

    Session.objects.filter(session_key=key).delete()  # a logout in another tab

    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.filter(session_key=key).exists()


def test_a_logout_in_another_tab_is_not_undone_by_a_slower_request(client):
    PractitionerFactory(username="drtabs", password="a long enough pass phrase")
    client.post(reverse("login"), {"username": "drtabs", "password": "a long enough pass phrase"})
    key = client.session.session_key
    slow = sessions.SessionStore(key)
    slow["note"] = "typed while the other tab signed out"

    client.post(reverse("logout"))

    with pytest.raises(UpdateError):
        slow.save()
    assert not Session.objects.filter(session_key=key).exists()


def test_signing_in_gives_the_session_a_new_key(client):
    PractitionerFactory(username="drfix", password="a long enough pass phrase")
    session = client.session
    session["seen"] = True
    session.save()
    planted = session.session_key

    client.post(reverse("login"), {"username": "drfix", "password": "a long enough pass phrase"})

    assert client.session.session_key != planted
    assert not Session.objects.filter(session_key=planted).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="row locks and lock_timeout")
@pytest.mark.parametrize("store_class", STORES)
def test_a_failed_save_inside_a_transaction_leaves_that_transaction_usable(store_class):
    """Django's store writes in a savepoint of its own: a failed write raises UpdateError and
    the caller's transaction carries on. Here the session row is locked by another connection
    and the write gives up after lock_timeout."""
    key = _stored({"seen": True}, expires_in=datetime.timedelta(seconds=60))
    locked, release = threading.Event(), threading.Event()

    def hold_the_row() -> None:
        try:
            with transaction.atomic():
                list(Session.objects.select_for_update().filter(session_key=key))
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(10)
        store = store_class(key)
        store["draft"] = 1
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
            with pytest.raises((UpdateError, DatabaseError)):
                store.save()
            # The caller's transaction goes on.
            assert Session.objects.filter(session_key=key).exists()
    finally:
        release.set()
        holder.join(10)
