"""A later step's answers are saved in one statement, and only onto this browser's draft while
it is a draft: never onto a sent consultation, never with a key that no longer opens it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations.intake.browser import DRAFT_KEY_SESSION_KEY, DRAFT_SESSION_KEY
from consultations.models import Consultation, ConsultationStatus
from consultations.services.intake import consultation_submit
from tests.intake.steps import ABOUT, SKIN, START, fill_draft, post_ok

pytestmark = pytest.mark.django_db

OILY = {"fitzpatrick_self_report": "3", "sebum": "oily", "action": "next"}
DRY = {"fitzpatrick_self_report": "3", "sebum": "dry", "action": "next"}


def hold(client, consultation: Consultation, key: str | None = None) -> None:
    """The browser's session names the consultation (as a stale session written back may)."""
    session = client.session
    session[DRAFT_SESSION_KEY] = consultation.pk
    session[DRAFT_KEY_SESSION_KEY] = key or consultation.draft_key
    session.save()


def test_a_step_is_saved_with_one_update_and_no_read_of_the_draft(client):
    post_ok(client, START, ABOUT, to=SKIN)
    client.post(SKIN, OILY)

    with CaptureQueriesContext(connection) as queries:
        assert client.post(SKIN, DRY).status_code == 302

    consultation_queries = [q["sql"] for q in queries if "consultations_consultation" in q["sql"]]
    assert len(consultation_queries) == 1
    assert consultation_queries[0].startswith("UPDATE")
    assert Consultation.objects.get().sebum == "dry"


def test_a_sent_consultation_is_never_changed_by_a_step(client):
    draft = fill_draft(client)
    consultation, _ = consultation_submit(consultation_id=draft.pk, draft_key=draft.draft_key)
    hold(client, consultation)

    response = client.post(SKIN, DRY)

    assert response["Location"] == START
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.SUBMITTED
    assert consultation.sebum == draft.sebum != "dry"


def test_a_key_that_no_longer_opens_the_draft_saves_nothing(client):
    draft = fill_draft(client)
    hold(client, draft, key="an-older-key")

    response = client.post(SKIN, DRY)

    assert response["Location"] == START
    draft.refresh_from_db()
    assert draft.sebum != "dry"


def test_a_draft_that_is_gone_saves_nothing_and_starts_again(client):
    draft = fill_draft(client)
    hold(client, draft)
    Consultation.objects.filter(pk=draft.pk).update(draft_key="replaced")

    assert client.post(SKIN, DRY)["Location"] == START
    session = client.session
    session[DRAFT_SESSION_KEY] = 10**9
    session.save()
    assert client.post(SKIN, DRY)["Location"] == START
