"""The retention policy, enforced: what is deleted, and when (README, "Retention").

Kept: submitted consultations with their answers, evaluations, decisions, corrections and
consents (the clinical record, until an erasure request anonymises the patient), and the staff
access log (who saw or changed which record). Deleted, by `retention_purge`:

- drafts never sent, RETENTION_DRAFT_DAYS after their last save, with their patient (a draft's
  patient has no other record), their emails and the admin's history of them; access-log rows
  that named them stay, without the link to the deleted record;
- expired sessions and rate-limit counters;
- outgoing-email records and finished task results after RETENTION_RECORD_DAYS;
- login attempts and the login log (usernames, addresses) after RETENTION_LOGIN_DAYS.

It runs daily on the task queue (TASK_SCHEDULE) and by hand: `manage.py purge_expired`.
"""

from __future__ import annotations

import datetime

from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as LoginLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clinic.models import RateLimitCounter, ScheduledRun
from consultations.models import AccessLog, Consultation, EmailStatus, OutboundEmail, Patient
from consultations.services.course_erasure import course_rows_delete
from consultations.services.photos import photos_delete

DETACHED_NOTE = "[draft deleted by retention] "


def retention_purge(*, dry_run: bool, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete what the policy no longer keeps; how many of each (nothing changes on a dry run)."""
    now = now or timezone.now()
    days = datetime.timedelta(days=1)
    with transaction.atomic():
        drafts = Consultation.objects.drafts().filter(
            updated_at__lt=now - settings.RETENTION_DRAFT_DAYS * days
        )
        draft_ids = list(drafts.values_list("pk", flat=True))
        patient_ids = set(drafts.values_list("patient_id", flat=True))
        # Only patients whose every consultation goes.
        patient_ids -= set(
            Consultation.objects.filter(patient_id__in=patient_ids)
            .exclude(pk__in=draft_ids)
            .values_list("patient_id", flat=True)
        )
        record_cutoff = now - settings.RETENTION_RECORD_DAYS * days
        login_cutoff = now - settings.RETENTION_LOGIN_DAYS * days
        counts = {
            "drafts": len(draft_ids),
            "patients": len(patient_ids),
            "sessions": _delete(Session.objects.filter(expire_date__lt=now), dry_run),
            "rate_limit_counters": _delete(
                RateLimitCounter.objects.filter(expires_at__lt=now), dry_run
            ),
            "outgoing_emails": _delete(
                OutboundEmail.objects.filter(created_at__lt=record_cutoff).exclude(
                    status__in=[EmailStatus.QUEUED, EmailStatus.SENDING, EmailStatus.RETRYING]
                ),
                dry_run,
            ),
            "task_results": _delete(
                DBTaskResult.objects.filter(
                    status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
                    finished_at__lt=record_cutoff,
                ),
                dry_run,
            ),
            "scheduled_runs": _delete(
                ScheduledRun.objects.filter(enqueued_at__lt=record_cutoff), dry_run
            ),
            "login_records": sum(
                _delete(model.objects.filter(attempt_time__lt=login_cutoff), dry_run)
                for model in (AccessAttempt, AccessFailureLog, LoginLog)
            ),
        }
        if not dry_run:
            _drafts_delete(draft_ids, patient_ids)
    return counts


def _delete(queryset: QuerySet, dry_run: bool) -> int:
    if dry_run:
        return queryset.count()
    return queryset.delete()[0]


def _drafts_delete(draft_ids: list[int], patient_ids: set[int]) -> None:
    """Delete the drafts and their patients; the access log keeps its rows, unlinked."""
    for field, ids in (("consultation_id", draft_ids), ("patient_id", patient_ids)):
        for row in AccessLog.objects.filter(**{f"{field}__in": ids}):
            detail = (
                row.detail if row.detail.startswith(DETACHED_NOTE) else DETACHED_NOTE + row.detail
            )
            AccessLog.objects.filter(pk=row.pk).update(
                **{field: None}, detail=detail[: AccessLog._meta.get_field("detail").max_length]
            )
    for model, ids in ((Consultation, draft_ids), (Patient, patient_ids)):
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(pk) for pk in ids],
        ).delete()
    course_rows_delete(draft_ids)  # none today (a draft has no decision); if ever, first
    photos_delete(consultation_ids=draft_ids)  # the rows, and their files once committed
    Consultation.objects.filter(pk__in=draft_ids).delete()  # their emails go with them
    Patient.objects.filter(pk__in=patient_ids).delete()
