"""Staff sign in, sign out, change their password, are throttled and time out when idle."""

from __future__ import annotations

import datetime
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db


PASSWORD = "correct horse battery"


def login(client, username: str, password: str = PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def test_the_login_page_uses_the_clinic_template(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "registration/login.html" in [t.name for t in response.templates]
    assert "Staff sign in" in response.content.decode()


def test_a_practitioner_signs_in_and_lands_on_the_queue(client):
    practitioner = PractitionerFactory()
    page = client.get(reverse("login")).content.decode()
    assert f'name="next" value="{reverse("review:queue")}"' in page
    response = login(client, practitioner.username, next=reverse("review:queue"))
    assert response.status_code == 302
    assert response["Location"] == reverse("review:queue")
    assert client.get(reverse("review:queue")).status_code == 200


def test_a_practitioner_sent_to_log_in_returns_to_the_page_they_asked_for(client):
    practitioner = PractitionerFactory()
    asked = reverse("review:queue") + "?status=decided"
    page = client.get(f"{reverse('login')}?next={asked}").content.decode()
    assert "Please sign in to continue" in page
    response = login(client, practitioner.username, next=asked)
    assert response["Location"] == asked


def test_a_wrong_password_is_refused_with_a_message(client):
    practitioner = PractitionerFactory()
    response = login(client, practitioner.username, "wrong password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_inactive_user_cannot_log_in(client):
    practitioner = PractitionerFactory(is_active=False)
    response = login(client, practitioner.username)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("review:queue")).status_code == 302


def test_repeated_failed_logins_lock_the_account_out_with_a_clear_message(client):
    practitioner = PractitionerFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, practitioner.username, "wrong password").status_code == 200
    locked = login(client, practitioner.username, "wrong password")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    assert "Too many failed sign-in attempts" in page
    assert "Try again in 15 minutes" in page

    # Even the right password is refused while the lockout lasts.
    again = login(client, practitioner.username)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logging_out_needs_a_post_and_ends_the_session(client):
    practitioner = PractitionerFactory()
    client.force_login(practitioner)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("review:queue")).status_code == 302


def test_the_staff_navigation_offers_the_queue_password_change_and_a_logout_button(client):
    client.force_login(PractitionerFactory())
    page = client.get(reverse("review:queue")).content.decode()
    assert f'href="{reverse("review:queue")}"' in page
    assert f'href="{reverse("password_change")}"' in page
    assert f'action="{reverse("logout")}"' in page
    assert f'href="{reverse("admin:index")}"' not in page  # not staff


def test_a_practitioner_changes_their_password(client):
    practitioner = PractitionerFactory()
    client.force_login(practitioner)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a much longer pass phrase 42",
            "new_password2": "a much longer pass phrase 42",
        },
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    practitioner.refresh_from_db()
    assert practitioner.check_password("a much longer pass phrase 42")


def test_password_change_needs_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_sessions_expire_after_30_minutes_idle(client):
    client.force_login(PractitionerFactory())
    client.get(reverse("review:queue"))
    assert settings.STAFF_SESSION_IDLE_SECONDS == 30 * 60
    assert client.session.get_expiry_age() == 30 * 60
    stored = Session.objects.get(session_key=client.session.session_key)
    remaining = stored.expire_date - timezone.now()
    assert datetime.timedelta(minutes=29) < remaining <= datetime.timedelta(minutes=30)


def expire(session_key: str) -> None:
    """As if the session's idle time had run out: its row expired, and the copy cached_db
    sessions keep in the cache (for exactly as long as the row) gone with it."""
    Session.objects.filter(session_key=session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    if hasattr(store, "cache_key"):
        cache.delete(store.cache_key)


def test_an_idle_staff_session_is_gone_and_the_next_request_asks_for_a_login(client):
    client.force_login(PractitionerFactory())
    client.get(reverse("review:queue"))
    expire(client.session.session_key)
    response = client.get(reverse("review:queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_plain_user_without_the_review_permission_sees_no_queue_link(client):
    client.force_login(UserFactory())
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("review:queue")}"' not in page


def test_a_staff_request_after_a_pause_keeps_the_session_alive_for_another_30_minutes(client):
    client.force_login(PractitionerFactory())
    client.get(reverse("review:queue"))
    key = client.session.session_key
    # As if the last activity was 20 minutes ago: 10 minutes left.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=10)
    )
    session = client.session
    session["staff_idle_rearmed_at"] -= 20 * 60
    session.save()
    client.get(reverse("review:queue"))
    remaining = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert remaining > datetime.timedelta(minutes=29)


def test_requests_within_a_minute_do_not_rewrite_the_staff_session(client):
    client.force_login(PractitionerFactory())
    client.get(reverse("review:queue"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("review:queue"))
    assert not [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/set-password/",
        "/accounts/reset/done/",
    ],
)
def test_there_is_no_public_password_reset(client, path):
    """An admin resets a forgotten password (admin user page, manage.py changepassword)."""
    assert client.get(path).status_code == 404
    assert client.post(path, {"email": "admin@clinic.example"}).status_code == 404


def test_guessing_one_username_from_many_addresses_locks_that_username():
    practitioner = PractitionerFactory()
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), practitioner.username, "wrong password")
    client = Client(REMOTE_ADDR="203.0.113.99")
    assert login(client, practitioner.username).status_code == 429
    assert "_auth_user_id" not in client.session


def test_one_address_trying_many_usernames_is_locked_out(settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    practitioner = PractitionerFactory()
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(12):
        login(client, f"guess-{n}", "wrong password")
    assert login(client, practitioner.username).status_code == 429
    assert "_auth_user_id" not in client.session
    # Someone else, elsewhere, is not affected.
    other = PractitionerFactory()
    assert login(Client(REMOTE_ADDR="192.0.2.1"), other.username).status_code == 302


def test_colleagues_behind_one_address_are_not_locked_out_by_a_few_typos():
    """A clinic's staff share its one public address: a handful of mistyped passwords across
    their accounts must not lock every account out; only LOGIN_ADDRESS_FAILURE_LIMIT does."""
    office = "203.0.113.20"
    colleagues = PractitionerFactory.create_batch(settings.AXES_FAILURE_LIMIT + 1)
    for colleague in colleagues:
        login(Client(REMOTE_ADDR=office), colleague.username, "typo")
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 50
    client = Client(REMOTE_ADDR=office)
    assert login(client, colleagues[0].username).status_code == 302
