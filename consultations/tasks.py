"""Work that does not belong inside a request, run by `manage.py worker` (clinic/queue.py).

Each task is a thin wrapper around a service, so that the service can be called (and tested)
on its own. Tasks take ids, never personal data: the queue's table is not for patient data.
"""

from __future__ import annotations

from django_tasks import task

from consultations.services import checkin_emails, outbox, retention


@task()
def email_deliver(outbound_id: int) -> str:
    """Send one queued email (retries are queued by the service)."""
    return outbox.email_deliver(outbound_id=outbound_id)


@task()
def retention_purge() -> dict[str, int]:
    """Delete what the retention policy says is no longer kept (daily, TASK_SCHEDULE)."""
    return retention.retention_purge(dry_run=False)


@task()
def check_ins_send_due() -> dict[str, int]:
    """Create the pre-session check-ins now due and queue every due check-in's email once
    (every CHECK_IN_EMAILS_EVERY_MINUTES, TASK_SCHEDULE)."""
    report = checkin_emails.check_ins_send_due()
    return {"created": report.created, "queued": report.queued}


@task()
def photo_thumbnail_make(photo_id: int) -> bool:
    """Make one photo's thumbnail and display-size copy (queued with the upload)."""
    from consultations.services import photos

    return photos.photo_thumbnail_make(photo_id=photo_id)


@task()
def photo_copies_remake(photo_id: int) -> bool:
    """Make one photo's thumbnail and display-size copy again, at the current sizes (queued by
    `manage.py backfill_photo_copies --all`)."""
    from consultations.services import photos

    return photos.photo_thumbnail_make(photo_id=photo_id, remake=True)


@task()
def photo_orphans_sweep() -> int:
    """Delete photo files that no row names, an hour after they were written (hourly,
    TASK_SCHEDULE)."""
    from consultations.services import photo_sweep

    return photo_sweep.photo_orphans_sweep()
