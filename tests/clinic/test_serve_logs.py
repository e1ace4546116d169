"""What `make serve` logs: the server's and the task worker's logs, after a whole patient
journey with every kind of private link in play, carry no token, link, address or name.

Run as `make serve` runs it: gunicorn with gunicorn.conf.py and DEBUG off, one `manage.py
worker` beside it, and the email backend `make serve` picks when EMAIL_BACKEND is unset.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from bench import flows
from bench.client import Browser, Response
from bench.load import UNLIMITED
from bench.server import ROOT, database_url, gunicorn, server_env, stop
from consultations.models import Consultation, EmailKind, EmailStatus, OutboundEmail
from consultations.services import intake as intake_services

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="a production-like run uses PostgreSQL (set DATABASE_URL)",
)

MAKEFILE = (ROOT / "Makefile").read_text()
SERVE_EMAIL_BACKEND = re.search(r'EMAIL_BACKEND="\$\$\{EMAIL_BACKEND:-([\w.]+)\}"', MAKEFILE)[1]
EMAIL = "log-check@example.com"


def open_link(browser: Browser, path: str) -> Response:
    flows.expect(browser.get(path), 200, "resume page")
    return flows.expect(browser.post(path, {}), 200, "resume")


@pytest.mark.django_db(transaction=True)
def test_a_make_serve_run_logs_no_token_link_address_or_name(tmp_path: Path):
    url = database_url(connection.settings_dict)
    env = {
        **UNLIMITED,
        "EMAIL_BACKEND": SERVE_EMAIL_BACKEND,
        "SECRET_KEY": settings.SECRET_KEY,
        "PRACTITIONER_NOTIFY_EMAILS": "practitioners@clinic.example",
    }
    worker_log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--no-reload", "--interval", "0.2"],
        cwd=ROOT,
        env=server_env(url, **env),
        stdout=worker_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        with gunicorn(url, workers=2, env=env, log_path=tmp_path / "server.log") as app:
            secrets_seen = journey(app.url)
            server_log = app.log()
            # Generous: on a loaded 2-core machine the worker's start alone can take a while.
            deadline = time.monotonic() + 120
            while OutboundEmail.objects.exclude(status=EmailStatus.SENT).exists():
                assert time.monotonic() < deadline, (
                    "the worker did not send the emails:\n"
                    + (tmp_path / "worker.log").read_text()[-3000:]
                )
                time.sleep(0.2)
    finally:
        stop(worker)
    logs = server_log + (tmp_path / "worker.log").read_text()

    assert logs.count("Email sent (body and addresses not shown)") == 3
    assert "/consultation/resume/[token]/" in logs and "/c/[token]/" in logs
    for secret in secrets_seen:
        assert secret not in logs, secret


def journey(base_url: str) -> list[str]:
    """A patient saves for later, resumes from the emailed link, sends; with a few bad
    requests on private URLs. Returns every secret that went by."""
    first = Browser(base_url)
    flows.expect(first.get(flows.START_PATH), 200, "start")
    about = {**flows.about_answers(EMAIL), "first_name": "Zebediah", "last_name": "Quartermain"}
    first.post(flows.START_PATH, {**about, "action": "save"})
    first.post("/consultation/send-link/", {"email": EMAIL, "use": "as_typed"})
    consultation = Consultation.objects.get(patient__email=EMAIL)
    # The patient opens the link once the email has come: had they sent the consultation
    # first, the worker would rightly cancel the email (it would only show the status).
    deadline = time.monotonic() + 30
    while not OutboundEmail.objects.filter(
        kind=EmailKind.RESUME_LINK, status=EmailStatus.SENT
    ).exists():
        assert time.monotonic() < deadline, "the worker did not send the resume link"
        time.sleep(0.1)
    link = f"/consultation/resume/{intake_services.resume_signature(consultation)}/"
    browser = Browser(base_url)
    page = open_link(browser, link)  # lands on the first page still to answer: "your skin"
    for answers in flows.intake_steps(EMAIL)[1:]:
        page = browser.post(flows.path_of(page), {**answers, "action": "next"})
        flows.expect(page, 200, flows.path_of(page))
    flows.submit(browser, "/consultation/submit/")
    consultation.refresh_from_db()
    token = consultation.public_token
    browser.get(f"/c/{token}/")
    browser.get(f"/c/{token}/my-answers/")
    browser.get("/c/made-up-token-made-up-token-000/")  # 404
    browser.get("/accounts/password_reset/")  # 404: there is no public reset
    browser.request("POST", link, body="a=b")  # an old link, and no CSRF token: 403
    return [
        token,
        consultation.draft_key,
        link.split("/")[3],
        EMAIL,
        "Zebediah",
        "Quartermain",
        *first.cookies.values(),
        *browser.cookies.values(),
    ]
