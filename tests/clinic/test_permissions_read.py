"""Permission sets come from the cache between requests, and a change in who holds what shows
on the very next request: never a stale permission."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PractitionerFactory, UserFactory, practitioners_group

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:queue")


def review_permission() -> Permission:
    return Permission.objects.get(
        content_type__app_label="consultations", codename="review_consultation"
    )


def test_the_permission_set_is_read_once_not_on_every_request(client):
    client.force_login(PractitionerFactory())
    assert client.get(QUEUE).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE).status_code == 200

    assert not [q for q in queries if "auth_permission" in q["sql"]]


def test_a_practitioner_taken_out_of_the_group_loses_the_queue_at_once(client):
    practitioner = PractitionerFactory()
    client.force_login(practitioner)
    assert client.get(QUEUE).status_code == 200

    practitioner.groups.remove(practitioners_group())

    assert client.get(QUEUE).status_code == 403


def test_a_permission_taken_from_the_group_is_gone_at_once(client):
    client.force_login(PractitionerFactory())
    assert client.get(QUEUE).status_code == 200

    practitioners_group().permissions.remove(review_permission())

    assert client.get(QUEUE).status_code == 403


def test_a_deleted_group_takes_its_permissions_with_it(client):
    practitioner = PractitionerFactory()
    client.force_login(practitioner)
    assert client.get(QUEUE).status_code == 200

    Group.objects.filter(pk=practitioners_group().pk).delete()

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
