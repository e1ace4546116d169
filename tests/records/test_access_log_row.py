"""The access log's row, written by one INSERT (services.access_log_record): who, what, which
record and when, for a member of staff and for a visitor who is not signed in."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import AccessLog
from tests.factories import submitted

pytestmark = pytest.mark.django_db


def test_opening_a_consultation_records_who_which_and_when(client, practitioner):
    consultation = submitted()
    before = timezone.now()
    assert client.get(reverse("review:detail", args=[consultation.reference])).status_code == 200
    log = AccessLog.objects.get(action=AccessLog.Action.VIEW)
    assert (log.user, log.consultation, log.patient_id, log.detail) == (
        practitioner,
        consultation,
        consultation.patient_id,
        "",
    )
    assert before <= log.at <= timezone.now()


def test_a_record_without_a_signed_in_user_or_a_consultation_keeps_what_it_was_given():
    consultation = submitted()
    services.access_log_record(
        user=AnonymousUser(),
        action=AccessLog.Action.EXPORT_CSV,
        patient_id=consultation.patient_id,
        detail="x" * 300,
    )
    log = AccessLog.objects.get()
    assert log.user is None and log.consultation is None
    assert log.patient_id == consultation.patient_id
    assert log.detail == "x" * 200  # cut to the column's length


def test_a_signed_in_user_that_was_never_saved_is_refused_not_logged_as_nobody():
    """As AccessLog.objects.create refused it: a staff action never lands without its author."""
    consultation = submitted()
    with pytest.raises(ValueError, match="unsaved"):
        services.access_log_record(
            user=User(username="unsaved"), action=AccessLog.Action.VIEW, consultation=consultation
        )
    assert not AccessLog.objects.exists()


def test_an_unknown_action_is_refused_and_a_rolled_back_view_leaves_no_row():
    consultation = submitted()
    with pytest.raises(IntegrityError), transaction.atomic():
        services.access_log_record(user=None, action="peek", consultation=consultation)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.access_log_record(
            user=None, action=AccessLog.Action.VIEW, consultation=consultation
        )
        raise RuntimeError
    assert not AccessLog.objects.exists()
