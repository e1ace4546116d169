"""Bodies no honest browser sends get a plain 400 page, never a 500, and no token in a log."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from consultations.services import intake as intake_services
from tests.factories import AdminFactory, DraftConsultationFactory, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def post_urls() -> list[str]:
    """Every URL that takes a POST: the intake, the staff pages, sign-in and the admin."""
    draft = DraftConsultationFactory()
    sent = submitted()
    staff = f"/staff/consultations/{sent.reference}"
    return [
        "/consultation/start/",
        "/consultation/skin/",
        "/consultation/check/",
        "/consultation/submit/",
        "/consultation/send-link/",
        f"/consultation/resume/{intake_services.resume_signature(draft)}/",
        "/accounts/login/",
        "/accounts/logout/",
        "/accounts/password_change/",
        f"{staff}/decide/",
        f"{staff}/amend/",
        f"{staff}/correct/",
        f"{staff}/rerun/",
        "/staff/replay/",
        "/admin/login/",
        "/admin/consultations/patient/",
        f"/admin/consultations/patient/{sent.patient_id}/change/",
    ]


@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "latin-1", "no-such-charset"])
@pytest.mark.parametrize("form", ["application/x-www-form-urlencoded", "multipart/form-data"])
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "staff"])
def test_a_form_in_another_encoding_gets_the_400_page_on_every_post_url(
    post_urls, charset, form, signed_in, caplog
):
    caplog.set_level(logging.DEBUG)
    client = Client(enforce_csrf_checks=True)
    client.raise_request_exception = False
    if signed_in:
        client.force_login(AdminFactory())
    client.cookies["csrftoken"] = "A" * 32
    content_type = f"{form}; boundary=x; charset={charset}"
    for url in post_urls:
        body = ("csrfmiddlewaretoken=" + "A" * 32 + "&a=b").encode("utf-16")
        response = client.generic("POST", url, body, content_type=content_type)
        assert response.status_code == 400, (url, response.status_code)
        assert "Something was wrong with that request" in response.content.decode()
    assert "Traceback" not in caplog.text
    signed = post_urls[5].split("/")[3]
    assert signed not in caplog.text
    assert signed.split(":")[0] not in caplog.text


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8"])
def test_a_form_declared_as_utf_8_is_read_as_usual(client, charset):
    response = client.post(
        "/consultation/start/",
        "first_name=Mei",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 200
    assert 'value="Mei"' in response.content.decode()  # the page again, with what was typed
