"""Patients' private link tokens never reach a log line."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.conf import settings

from clinic.logmask import GunicornLogger, MaskPatientTokens

TOKEN = "Zr4k9Qm2xYp7LwB3nT6vC1sD8fGh0JkL"


def record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("django.request", logging.WARNING, __file__, 1, msg, args, None)


@pytest.mark.parametrize(
    "path",
    [
        f"/c/{TOKEN}/",
        f"/c/{TOKEN}/my-answers/",
        f"/c/{TOKEN}/submitted/",
        f"/consultation/resume/{TOKEN}:1vXyZ:abcdef/",
        f"/check-in/{TOKEN}/?source=clinic_tablet",
    ],
)
def test_a_django_request_warning_names_the_page_but_not_the_token(path):
    # Django logs 4xx/5xx responses as "<reason>: <path>".
    line = record("%s: %s", "Not Found", path)
    assert MaskPatientTokens().filter(line)
    assert TOKEN not in line.getMessage()
    assert "[token]" in line.getMessage()


def test_other_paths_are_logged_as_they_are():
    line = record("%s: %s", "Not Found", "/staff/consultations/PX-7K3Q9/")
    MaskPatientTokens().filter(line)
    assert line.getMessage() == "Not Found: /staff/consultations/PX-7K3Q9/"


def test_every_configured_log_handler_masks_tokens():
    handlers = settings.LOGGING["handlers"]
    assert handlers
    for handler in handlers.values():
        assert "mask_patient_tokens" in handler.get("filters", [])


def test_the_gunicorn_access_log_masks_tokens():
    from gunicorn.config import Config

    class Response:
        status = "200 OK"
        sent = 120
        headers = [("Content-Type", "text/html")]

    class Request:
        headers = [("USER-AGENT", "test")]

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/c/{TOKEN}/",
        "PATH_INFO": f"/c/{TOKEN}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    atoms = GunicornLogger(Config()).atoms(
        Response(), Request(), environ, datetime.timedelta(milliseconds=5)
    )
    assert atoms["U"] == "/c/[token]/"
    assert TOKEN not in atoms["r"]


def test_a_logged_database_error_does_not_carry_the_failing_row():
    try:
        raise ValueError(
            'new row violates check constraint "x"\nDETAIL:  Failing row contains (Aisha, Tan).'
        )
    except ValueError:
        import sys

        line = record("Internal Server Error: %s", "/consultation/check/")
        line.exc_info = sys.exc_info()
    MaskPatientTokens().filter(line)
    text = logging.Formatter().format(line)
    assert "Aisha" not in text
    assert "row values removed" in text
