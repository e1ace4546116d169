"""Bodies no honest browser sends get a plain 400 page, never a 500, and no token in a log."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from consultations.services import intake as intake_services
from tests.factories import DraftConsultationFactory, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def post_urls() -> list[str]:
    draft = DraftConsultationFactory()
    sent = submitted()
    return [
        "/consultation/start/",
        "/consultation/skin/",
        "/consultation/submit/",
        f"/consultation/resume/{intake_services.resume_signature(draft)}/",
        "/accounts/login/",
        f"/staff/consultations/{sent.reference}/decide/",
        "/admin/login/",
    ]


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded; charset=utf-16",
        "multipart/form-data; boundary=x; charset=utf-16",
    ],
)
def test_a_form_in_another_encoding_with_a_csrf_cookie_gets_the_400_page(
    post_urls, content_type, caplog
):
    caplog.set_level(logging.DEBUG)
    client = Client(enforce_csrf_checks=True)
    client.raise_request_exception = False
    client.cookies["csrftoken"] = "A" * 32
    for url in post_urls:
        response = client.generic("POST", url, "a=b".encode("utf-16"), content_type=content_type)
        assert response.status_code in (400, 403), (url, response.status_code)
        assert "Traceback" not in response.content.decode()
    signed = post_urls[3].split("/")[3]
    assert signed not in caplog.text
    assert signed.split(":")[0] not in caplog.text
