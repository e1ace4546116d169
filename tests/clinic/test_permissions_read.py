"""Each staff request's permission set comes with its read of the user (clinic/permissions.py),
exactly the set Django's model backend reads, and a change in who holds what shows on the very
next request, however it was made: never a stale permission."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic import permissions
from clinic.auth import ClinicModelBackend, _user_read
from consultations.permissions import REVIEW_PERMISSION
from tests.factories import AdminFactory, PractitionerFactory, UserFactory, practitioners_group

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:queue")


def review_permission() -> Permission:
    return Permission.objects.get(
        content_type__app_label="consultations", codename="review_consultation"
    )


def test_the_permission_set_comes_with_the_user_and_costs_no_query_of_its_own(client):
    client.force_login(PractitionerFactory())
    assert client.get(QUEUE).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE).status_code == 200

    reading = [q["sql"] for q in queries if "auth_permission" in q["sql"]]
    assert len(reading) == 1
    assert 'FROM "auth_user" WHERE "auth_user"."id" =' in reading[0]


def django_reads(user: User) -> set[str]:
    """What Django's own model backend reads for this user, from a fresh copy of its row."""
    return ModelBackend().get_all_permissions(User.objects.get(pk=user.pk))


def read_with_the_user(user: User) -> set[str]:
    found = _user_read(User).get(user.pk)
    assert permissions.held(found) is not None  # read with the user, not asked afterwards
    return ClinicModelBackend().get_all_permissions(found)


def some_permissions(count: int, offset: int = 0) -> list[Permission]:
    return list(Permission.objects.order_by("pk")[offset : offset + count])


HOLDINGS = {
    "nothing": lambda user: None,
    "a group": lambda user: user.groups.add(practitioners_group()),
    "two groups and their own": lambda user: (
        user.groups.add(practitioners_group()),
        user.groups.add(group_with(some_permissions(5, 10))),
        user.user_permissions.add(*some_permissions(3, 12)),  # two held twice over
    ),
    "their own only": lambda user: user.user_permissions.add(*some_permissions(4, 30)),
    "an empty group": lambda user: user.groups.add(group_with([])),
}


def group_with(held: list[Permission]) -> Group:
    group = Group.objects.create(name=f"group {Group.objects.count()}")
    group.permissions.add(*held)
    return group


@pytest.mark.parametrize("holding", HOLDINGS)
def test_the_set_read_with_the_user_is_the_one_django_reads(holding):
    user = UserFactory()
    HOLDINGS[holding](user)

    assert read_with_the_user(user) == django_reads(user)


def test_a_superuser_holds_every_permission_as_with_django():
    admin = AdminFactory()
    every = {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.all()}

    assert read_with_the_user(admin) == django_reads(admin) == every


def test_an_inactive_user_holds_nothing():
    user = UserFactory(is_superuser=True)
    user.groups.add(practitioners_group())
    User.objects.filter(pk=user.pk).update(is_active=False)

    found = _user_read(User).get(user.pk)
    assert ClinicModelBackend().get_all_permissions(found) == set()
    assert not ClinicModelBackend().has_perm(found, REVIEW_PERMISSION)


def test_a_user_read_another_way_is_asked_as_django_asks():
    user = UserFactory()
    user.groups.add(practitioners_group())
    plain = User.objects.get(pk=user.pk)

    assert ClinicModelBackend().get_all_permissions(plain) == {REVIEW_PERMISSION}


def test_a_codename_holding_a_newline_grants_nothing_more():
    """The names come as a list, not joined by a separator a codename could hold: a permission
    made (by hand, in SQL) to read as two names does not give the second one."""
    forged = Permission.objects.create(
        content_type=review_permission().content_type,
        codename="x\nconsultations.review_consultation",
        name="forged",
    )
    user = UserFactory()
    user.user_permissions.add(forged)

    assert read_with_the_user(user) == django_reads(user)
    assert REVIEW_PERMISSION not in read_with_the_user(user)


def test_a_user_made_superuser_in_memory_is_asked_as_django_asks():
    """The set read answers for the row as it was read: once code flips the flag on the object
    (as a management command or a test might), the backend asks as Django does."""
    user = UserFactory()
    user.groups.add(practitioners_group())
    every = {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.all()}

    promoted = _user_read(User).get(user.pk)
    promoted.is_superuser = True
    assert ClinicModelBackend().get_all_permissions(promoted) == every

    admin = AdminFactory()
    demoted, as_django = _user_read(User).get(admin.pk), User.objects.get(pk=admin.pk)
    demoted.is_superuser = as_django.is_superuser = False
    assert ClinicModelBackend().get_all_permissions(demoted) == (
        ModelBackend().get_all_permissions(as_django)
    )
    assert ClinicModelBackend().get_all_permissions(demoted) != every


def test_on_a_database_without_the_aggregate_the_set_is_read_as_django_reads_it(monkeypatch):
    """Only PostgreSQL and SQLite get the one-statement read; any other database gets the
    user row alone, and the backend's two queries, never SQL written for another database."""
    monkeypatch.setattr(permissions, "VENDORS", set())
    user = UserFactory()
    user.groups.add(practitioners_group())

    found = permissions.with_permissions(User.objects.all()).get(pk=user.pk)
    assert permissions.held(found) is None
    assert ClinicModelBackend().get_all_permissions(found) == {REVIEW_PERMISSION}


def raw_sql_removal(practitioner: User) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM auth_user_groups WHERE user_id = %s", [practitioner.pk])


# Ways a practitioner stops holding the review permission. Raw SQL sends no signal, and
# nothing is kept between requests to go stale.
TAKEN_AWAY = {
    "in raw SQL": raw_sql_removal,
    "taken out of the group": lambda user: user.groups.remove(practitioners_group()),
    "permission taken from the group": lambda user: practitioners_group().permissions.remove(
        review_permission()
    ),
    "group deleted": lambda user: Group.objects.filter(pk=practitioners_group().pk).delete(),
}


@pytest.mark.parametrize("how", TAKEN_AWAY)
def test_a_practitioner_whose_permission_is_taken_away_loses_the_queue_at_once(client, how):
    practitioner = PractitionerFactory()
    client.force_login(practitioner)
    assert client.get(QUEUE).status_code == 200

    TAKEN_AWAY[how](practitioner)

    assert client.get(QUEUE).status_code == 403


def test_a_user_given_a_group_or_a_permission_gains_the_queue_at_once(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(QUEUE).status_code == 403

    user.groups.add(practitioners_group())
    assert client.get(QUEUE).status_code == 200

    user.groups.clear()
    assert client.get(QUEUE).status_code == 403
    user.user_permissions.add(review_permission())
    assert client.get(QUEUE).status_code == 200


def test_a_user_made_superuser_or_inactive_is_seen_at_once(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(QUEUE).status_code == 403

    user.is_superuser = True
    user.save()
    assert client.get(QUEUE).status_code == 200

    user.is_superuser = False
    user.save()
    assert client.get(QUEUE).status_code == 403


DEAD_REDIS = {
    "default": {
        "BACKEND": "clinic.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_with_the_cache_down_staff_pages_read_permissions_from_the_database(client, settings):
    client.force_login(PractitionerFactory())
    settings.CACHES = DEAD_REDIS

    assert client.get(QUEUE).status_code == 200


def test_with_the_cache_down_staff_sign_in_work_and_sign_out_for_good(client, settings):
    """Sessions live in the database: Redis going away costs no page, and a logout made while
    it is away cannot come undone when it is back."""
    PractitionerFactory(username="drdown", password="a long enough pass phrase")
    settings.CACHES = DEAD_REDIS

    signed_in = client.post(
        reverse("login"), {"username": "drdown", "password": "a long enough pass phrase"}
    )
    assert signed_in.status_code == 302
    assert client.get(QUEUE).status_code == 200
    assert client.post(reverse("logout")).status_code == 302

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert client.get(QUEUE).status_code == 302  # to the login page


def test_with_the_cache_down_a_patient_with_a_session_carries_on(client, settings):
    session = client.session
    session["seen"] = True  # a browser that has been here before
    session.save()
    settings.CACHES = DEAD_REDIS

    assert client.get(reverse("intake:start")).status_code == 200
    assert client.get(reverse("home")).status_code == 200
