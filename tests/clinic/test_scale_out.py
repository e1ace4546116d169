"""Scale-out: two gunicorn instances share PostgreSQL (and the cache), and nothing else.

A load balancer may send each request to either instance. Drafts, sessions, logins and rate
limits must therefore live in the database or the shared cache, never in a process; a page an
instance keeps rendered is checked against the database at every view.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from itertools import cycle
from urllib.parse import urlsplit

import pytest
from django.conf import global_settings, settings
from django.db import connection

from bench import flows
from bench.client import Browser, Response
from bench.load import UNLIMITED
from bench.server import database_url, gunicorn
from consultations.models import Consultation, ConsultationStatus
from tests.factories import PractitionerFactory, submitted

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="instances sharing one database need PostgreSQL (set DATABASE_URL)",
)

RATE_LIMIT = 10
RATE_PERIOD = 3600


@pytest.fixture(scope="module")
def instances(django_db_setup, tmp_path_factory) -> tuple[str, str]:
    """Instances A and B on their own ports, each with its own processes.

    Like any set of instances behind one address, they share the SECRET_KEY (sessions and
    signed links made by one must be read by the other) and the database.
    """
    url = database_url(connection.settings_dict)
    logs = tmp_path_factory.mktemp("scale-out")
    env = {
        **UNLIMITED,
        "INTAKE_RATE_LIMIT": f"{RATE_LIMIT}/{RATE_PERIOD // 3600}h",
        "SECRET_KEY": "scale-out-" + secrets.token_urlsafe(40),
    }
    with (
        gunicorn(url, workers=1, env=env, log_path=logs / "a.log") as a,
        gunicorn(url, workers=1, env=env, log_path=logs / "b.log") as b,
    ):
        yield a.url, b.url


@dataclass
class BalancedBrowser(Browser):
    """One browser behind a round-robin load balancer: each request goes to the next instance."""

    servers: list[str] = field(default_factory=list)
    served_by: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._next = cycle(self.servers)

    def _send(self, method: str, url: str, body: str | None) -> Response:
        server = next(self._next)
        self.served_by.append(server)
        parts = urlsplit(url)
        rerouted = server + parts.path + (f"?{parts.query}" if parts.query else "")
        return super()._send(method, rerouted, body)


@pytest.mark.django_db(transaction=True)
def test_a_patient_switching_instances_at_every_request_completes_the_intake(instances):
    browser = BalancedBrowser(instances[0], servers=list(instances))

    submit_path = flows.fill_intake(browser, "balanced@example.com")
    flows.submit(browser, submit_path)

    assert set(browser.served_by) == set(instances)
    assert all(status < 400 for status in browser.statuses), browser.statuses
    consultation = Consultation.objects.get(patient__email="balanced@example.com")
    assert consultation.status == ConsultationStatus.SUBMITTED
    assert consultation.latest_evaluation is not None


@pytest.mark.django_db(transaction=True)
def test_a_practitioner_logged_in_on_one_instance_is_logged_in_on_both(instances, settings):
    a, b = instances
    consultation = submitted()
    # The servers check passwords with the production hashers, not the suite's fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    PractitionerFactory(username="scaleout")
    practitioner = Browser(a)

    flows.staff_login(practitioner, "scaleout", "correct horse battery")

    for server in (b, a):
        queue = practitioner.get(server + flows.QUEUE_PATH)
        assert queue.status == 200 and flows.LOGIN_PATH not in queue.url
        assert consultation.reference in queue.body
        detail = practitioner.get(f"{server}/staff/consultations/{consultation.reference}/")
        assert detail.status == 200 and flows.LOGIN_PATH not in detail.url

    # Logging out on B ends the session on A too.
    practitioner.get(b + flows.QUEUE_PATH)
    practitioner.post(b + "/accounts/logout/", {})
    assert flows.LOGIN_PATH in practitioner.get(a + flows.QUEUE_PATH).url


@pytest.mark.django_db(transaction=True)
def test_a_change_made_anywhere_shows_on_every_instances_kept_queue(instances, settings):
    """Each instance keeps the queue page it rendered (review/page_cache.py), in its own
    memory; a change committed by anyone else shows on both at their next view."""
    a, b = instances
    waiting = submitted()
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    PractitionerFactory(username="kept")
    practitioner = Browser(a)
    flows.staff_login(practitioner, "kept", "correct horse battery")
    for server in (a, b, a, b):  # rendered, then kept, on each
        assert waiting.reference in practitioner.get(server + flows.QUEUE_PATH).body

    Consultation.objects.filter(pk=waiting.pk).update(status=ConsultationStatus.WITHDRAWN)

    for server in (a, b):
        assert waiting.reference not in practitioner.get(server + flows.QUEUE_PATH).body


@pytest.mark.django_db(transaction=True)
def test_the_rate_limit_counts_requests_to_both_instances_together(instances):
    for _attempt in range(2):  # once more if the test straddled the limit's window boundary
        window = int(time.time() // RATE_PERIOD)
        browser = BalancedBrowser(instances[0], servers=list(instances))
        browser.get(flows.START_PATH)
        statuses = [browser.post(flows.START_PATH, {}).status for _ in range(RATE_LIMIT + 2)]
        if int(time.time() // RATE_PERIOD) == window:
            break
    # Half the requests went to each instance; neither alone reached the limit.
    assert statuses == [200] * RATE_LIMIT + [429, 429], statuses
