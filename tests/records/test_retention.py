"""The retention policy: abandoned drafts, expired sessions and old records are deleted; the
clinical record and the staff access log are kept. A dry run counts and deletes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from consultations.models import AccessLog, Consultation, EmailKind, OutboundEmail, Patient
from consultations.services.retention import retention_purge
from tests.factories import AdminFactory, DraftConsultationFactory, decided
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def last_saved(consultation: Consultation, days_ago: int) -> Consultation:
    Consultation.objects.filter(pk=consultation.pk).update(
        updated_at=timezone.now() - days_ago * DAY
    )
    return consultation


def expired_session() -> str:
    session = SessionStore()
    session["intake_consultation_id"] = 1
    session.set_expiry(-60)
    session.save()
    return session.session_key


def world() -> dict[str, object]:
    old = last_saved(DraftConsultationFactory(patient__first_name="Abandoned"), 31)
    OutboundEmail.objects.create(kind=EmailKind.RESUME_LINK, consultation=old)
    AccessLog.objects.create(
        user=AdminFactory(), action="view", consultation=old, patient=old.patient, detail="admin"
    )
    recent = last_saved(DraftConsultationFactory(), 29)
    kept = decided()
    Consultation.objects.filter(pk=kept.pk).update(updated_at=timezone.now() - 400 * DAY)
    return {"old": old, "recent": recent, "kept": kept, "session": expired_session()}


def test_drafts_are_deleted_30_days_after_their_last_save_with_their_patient():
    w = world()
    counts = retention_purge(dry_run=False)

    assert counts["drafts"] == 1 and counts["patients"] == 1
    assert not Consultation.objects.filter(pk=w["old"].pk).exists()
    assert not Patient.objects.filter(first_name="Abandoned").exists()
    assert not OutboundEmail.objects.exists()
    assert Consultation.objects.filter(pk=w["recent"].pk).exists()
    kept = Consultation.objects.get(pk=w["kept"].pk)
    assert kept.decisions.count() == 1 and kept.evaluations.count() == 1
    # The access log keeps its row, without the link to what was deleted.
    row = AccessLog.objects.get(detail__endswith="admin")
    assert (row.consultation_id, row.patient_id) == (None, None)
    assert row.detail.startswith("[draft deleted by retention]")


def test_expired_sessions_go_and_live_ones_stay():
    w = world()
    live = SessionStore()
    live["x"] = 1
    live.save()
    assert retention_purge(dry_run=False)["sessions"] == 1
    assert not Session.objects.filter(session_key=w["session"]).exists()
    assert Session.objects.filter(session_key=live.session_key).exists()


def test_a_dry_run_counts_and_deletes_nothing():
    w = world()
    counts = retention_purge(dry_run=True)
    assert (counts["drafts"], counts["patients"], counts["sessions"]) == (1, 1, 1)
    assert Consultation.objects.filter(pk=w["old"].pk).exists()
    assert Session.objects.filter(session_key=w["session"]).exists()


def test_the_command_says_what_it_deleted(capsys):
    world()
    call_command("purge_expired", "--dry-run")
    assert "Would delete 1 drafts" in capsys.readouterr().out
    assert Consultation.objects.count() == 3
    call_command("purge_expired")
    out = capsys.readouterr().out
    assert "Deleted 1 drafts" in out and "Deleted 1 patients" in out
    assert Consultation.objects.count() == 2


def test_the_purge_runs_as_a_task_on_the_queue(settings):
    from consultations.tasks import retention_purge as purge_task

    w = world()
    purge_task.enqueue()
    run_queued_tasks()
    assert not Consultation.objects.filter(pk=w["old"].pk).exists()
    assert "consultations.tasks.retention_purge" in [
        path for path, _every in settings.TASK_SCHEDULE.values()
    ]
