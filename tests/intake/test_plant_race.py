"""No browser stays attached to a draft once its resume link has been emailed away.

The attack: fill step 1 with your own address and save for later (your own link to the draft),
change the address to a victim's, then press "save and continue later" (the victim is emailed a
link to the same draft) while, at the same moment, the same browser saves a step and opens its
own earlier link. If any of those leaves the browser attached, the attacker reads the health
answers the victim types after following the genuine email.

Real concurrency: a gunicorn with several worker processes on the test database (PostgreSQL),
three tabs of one browser released together, 50 times.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection

from bench import flows
from bench.client import Browser, Response
from bench.load import UNLIMITED
from bench.server import database_url, gunicorn
from consultations.models import Consultation
from consultations.services import intake as services

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="real concurrent requests against one database need PostgreSQL (set DATABASE_URL)",
)

ATTEMPTS = 50
SEND_LINK_PATH = "/consultation/send-link/"
SKIN_PATH = "/consultation/skin/"
CHECK_PATH = "/consultation/check/"


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory) -> str:
    url = database_url(connection.settings_dict)
    # The same SECRET_KEY as this process: the test signs the links the server emails.
    env = {**UNLIMITED, "SECRET_KEY": settings.SECRET_KEY, "GUNICORN_ACCESS_LOG": ""}
    log = tmp_path_factory.mktemp("plant") / "server.log"
    with gunicorn(url, workers=3, env=env, log_path=log) as app:
        yield app.url


def at_once(calls: list[Callable[[], Response]]) -> list[Response]:
    barrier = threading.Barrier(len(calls))
    results: list[Response | BaseException | None] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = calls[index]()
        except BaseException as exc:  # reported below
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if not isinstance(result, Response):
            raise AssertionError(f"a request failed: {result!r}")
    return results  # type: ignore[return-value]


def resume_path(consultation: Consultation) -> str:
    """The link exactly as the last "save and continue later" email carried it."""
    consultation.refresh_from_db()
    return f"/consultation/resume/{services.resume_signature(consultation)}/"


def attached(browser: Browser) -> bool:
    """Whether this browser still reaches the draft's answers."""
    return browser.get(CHECK_PATH, follow=False).status == 200


def plant_attempt(base_url: str, n: int) -> list[str]:
    """One try; what the attacker still holds afterwards (empty: nothing)."""
    attacker = Browser(base_url)
    flows.expect(attacker.get(flows.START_PATH), 200, "start page")
    own = flows.about_answers(f"attacker-{n}@example.com", n)
    confirm = attacker.post(flows.START_PATH, {**own, "action": "save"})
    assert "/consultation/send-link/" in confirm.url, confirm.url
    saved = attacker.post(SEND_LINK_PATH, {"email": own["email"], "use": "as_typed"})
    assert saved.url.endswith("/consultation/saved/"), saved.url
    draft = Consultation.objects.get(patient__email=f"attacker-{n}@example.com")
    own_link = resume_path(draft)  # emailed to the attacker's own address
    attacker.post(own_link, {})
    victim = flows.about_answers(f"victim-{n}@example.com", n)
    flows.expect(attacker.post(flows.START_PATH, {**victim, "action": "next"}), 200, "step 1")

    for _ in range(5):
        tabs = [attacker, attacker.fork(), attacker.fork()]
        responses = at_once(
            [
                # "Send me the link" on the page that "save and continue later" leads to.
                lambda t=tabs[0]: t.post(
                    SEND_LINK_PATH,
                    {"email": f"victim-{n}@example.com", "use": "as_typed"},
                    follow=False,
                ),
                lambda t=tabs[1]: t.post(SKIN_PATH, {**flows.SKIN, "action": "next"}, follow=False),
                lambda t=tabs[2]: t.post(own_link, {}, follow=False),
            ]
        )
        # Emailed: the "saved" page, or a 400 (Django's SessionInterrupted, when the earlier
        # link's new session key replaced the one this request loaded; the link went all the
        # same). Otherwise the earlier link had already swapped the session, so this request
        # found no draft and nothing was emailed: try again.
        if (
            responses[0].status == 400
            or responses[0].headers.get("location") == "/consultation/saved/"
        ):
            break
        attacker = tabs[2]  # the tab whose session the earlier link renewed
    else:
        raise AssertionError("save and continue later never got through")

    held = [f"tab {i}" for i, tab in enumerate(tabs) if attached(tab)]
    # Later, the attacker opens their own earlier link once more.
    late = attacker.fork()
    late.post(own_link, {})
    if attached(late):
        held.append("own earlier link afterwards")
    # The victim's genuine email still works, and only for the victim.
    victim_browser = Browser(base_url)
    victim_link = resume_path(draft)
    flows.expect(victim_browser.get(victim_link), 200, "victim's link")
    flows.expect(victim_browser.post(victim_link, {}), 200, "victim's link, continue")
    assert attached(victim_browser)
    return held


@pytest.mark.django_db(transaction=True)
def test_no_browser_stays_attached_after_the_link_is_emailed_50_tries(server):
    planted = {n: held for n in range(ATTEMPTS) if (held := plant_attempt(server, n))}

    assert not planted, f"{len(planted)} of {ATTEMPTS} tries left a browser attached: {planted}"
