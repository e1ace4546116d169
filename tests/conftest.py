"""Shared fixtures. Tests run on the database DATABASE_URL names (PostgreSQL in CI)."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = settings.DATABASES["default"]
    vendor = database["ENGINE"].rsplit(".", 1)[-1]
    name = database.get("TEST", {}).get("NAME") or (
        "in-memory" if vendor == "sqlite3" else f"test_{database['NAME']}"
    )
    where = f"{database.get('HOST') or 'local socket'}:{database.get('PORT') or '-'}"
    lines = [f"database: {vendor} {name} (from {database['NAME']} at {where})"]
    if vendor == "sqlite3":
        lines.append("database: SQLite fallback; set DATABASE_URL to test on PostgreSQL as CI does")
    return lines


def pytest_configure(config: pytest.Config) -> None:
    """`response.context` for the pages Jinja2 renders too: Django's test setup records what
    its own templates render (the template_rendered signal), not what Jinja2 renders."""
    from django.template.backends import jinja2
    from django.test.signals import template_rendered

    render = jinja2.Template.render

    def recorded_render(self: jinja2.Template, context=None, request=None) -> str:
        context = {} if context is None else context
        html = render(self, context, request)
        template_rendered.send(sender=self, template=self, context=context)
        return html

    jinja2.Template.render = recorded_render  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Staff users are made in most tests; the real hasher would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _fresh_cache(request: pytest.FixtureRequest) -> None:
    """Rate-limit and lockout counters must not leak from one test into the next."""
    if request.node.get_closest_marker("django_db") or _DB_FIXTURES & set(request.fixturenames):
        from django.core.cache import cache

        with request.getfixturevalue("django_db_blocker").unblock():
            cache.clear()


@pytest.fixture
def practitioner(client):
    """A practitioner (the review permission), logged in with the test client."""
    from tests.factories import PractitionerFactory

    user = PractitionerFactory()
    client.force_login(user)
    return user


@pytest.fixture(autouse=True)
def _private_photo_storage(settings, tmp_path_factory) -> None:
    """Photos go to a directory of the test's own, never to var/photos."""
    # Not created until a photo is saved (the storage makes it): most tests save none.
    root = tmp_path_factory.getbasetemp() / "photos" / uuid.uuid4().hex
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "consultations.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": root},
        },
    }
