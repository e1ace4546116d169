"""Set up what the benchmark's requests need, straight in the bench database.

    python -m bench.prepare --out pool.json   (DATABASE_URL and SECRET_KEY as the server's)

- `submit`: drafts with every answer given, each with its own patient session, so that each
  benchmarked submission submits a different draft (a resubmission takes the cheap
  "already sent" path and would flatter the numbers);
- `step`: drafts for the step POSTs, spread so that no two requests queue on one row lock;
- `staff`: logged-in sessions of a (non-demo) practitioner, and references to open;
- `photos`: phone-sized photos stored on sent consultations (bench/photos.py), by the URLs
  each photo row opens (in the storage PHOTOS_ROOT names: the server's must be the same).

The sessions are ordinary Django sessions, made as the login and the intake make them.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import Group, Permission, User  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import photos  # noqa: E402
from consultations import questionnaire  # noqa: E402
from consultations.intake.browser import DRAFT_KEY_SESSION_KEY, DRAFT_SESSION_KEY  # noqa: E402
from consultations.models import (  # noqa: E402
    HEALTH_FIELDS,
    Consultation,
    ConsultationStatus,
    FitzpatrickSource,
    Patient,
    new_reference,
)
from consultations.permissions import APP_LABEL, REVIEW_CODENAME  # noqa: E402

STAFF_USERNAME = "bench-practitioner"
STAFF_BACKEND = "clinic.auth.ClinicModelBackend"


def complete_answers() -> dict:
    return {
        "fitzpatrick": 3,
        "fitzpatrick_self_report": 3,
        "fitzpatrick_source": FitzpatrickSource.SELF_REPORT,
        "sebum": "normal",
        "goals": ["pore_size"],
        "downtime_tolerance": "few_days",
        **dict.fromkeys(HEALTH_FIELDS, False),
        # Every question of the health pages answered "no" (its follow-up then not asked).
        **{
            question.code: False
            for step in questionnaire.HEALTH_STEPS
            for question in questionnaire.questions_in(step)
            if not question.follows
        },
    }


def _sessions(payloads: list[dict]) -> list[str]:
    """Bulk-create one session per payload; return their keys."""
    expire = timezone.now() + datetime.timedelta(days=1)
    rows = []
    for payload in payloads:
        key = secrets.token_hex(16)
        rows.append(
            Session(
                session_key=key, session_data=SessionStore().encode(payload), expire_date=expire
            )
        )
    Session.objects.bulk_create(rows, batch_size=2000)
    return [row.session_key for row in rows]


@transaction.atomic
def drafts(count: int, tag: str) -> list[str]:
    patients = Patient.objects.bulk_create(
        Patient(
            first_name="Bench",
            last_name=f"Patient {n}",
            date_of_birth=datetime.date(1990, 5, 17),
            email=f"bench-{tag}-{n}@example.com",
        )
        for n in range(count)
    )
    # Random references collide among thousands made at once: pick unused ones, as seed_demo.
    taken = set(Consultation.objects.values_list("reference", flat=True))
    references = []
    while len(references) < count:
        reference = new_reference()
        if reference not in taken:
            taken.add(reference)
            references.append(reference)
    consultations = Consultation.objects.bulk_create(
        Consultation(
            patient=patient,
            reference=reference,
            status=ConsultationStatus.DRAFT,
            **complete_answers(),
        )
        for patient, reference in zip(patients, references, strict=True)
    )
    return _sessions(
        [{DRAFT_SESSION_KEY: c.pk, DRAFT_KEY_SESSION_KEY: c.draft_key} for c in consultations]
    )


@transaction.atomic
def staff_sessions(count: int) -> list[str]:
    group, _ = Group.objects.get_or_create(name="Practitioners")
    group.permissions.add(
        Permission.objects.get(content_type__app_label=APP_LABEL, codename=REVIEW_CODENAME)
    )
    user, created = User.objects.get_or_create(username=STAFF_USERNAME)
    if created:
        user.set_password(secrets.token_urlsafe(16))
        user.save()
    user.groups.add(group)
    payload = {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: STAFF_BACKEND,
        HASH_SESSION_KEY: user.get_session_auth_hash(),
    }
    return _sessions([payload] * count)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submit-drafts", type=int, default=0)
    parser.add_argument("--step-drafts", type=int, default=0)
    parser.add_argument("--staff-sessions", type=int, default=0)
    parser.add_argument("--references", type=int, default=0)
    parser.add_argument("--photos", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    tag = secrets.token_hex(3)
    references = list(
        Consultation.objects.filter(status=ConsultationStatus.SUBMITTED)
        .order_by("?")
        .values_list("reference", flat=True)[: args.references]
    )
    pool = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "submit": drafts(args.submit_drafts, f"s{tag}") if args.submit_drafts else [],
        "step": drafts(args.step_drafts, f"t{tag}") if args.step_drafts else [],
        "staff": staff_sessions(args.staff_sessions) if args.staff_sessions else [],
        "references": references,
        "photos": [photos.paths(photos.stored_photo()) for _ in range(args.photos)],
    }
    args.out.write_text(json.dumps(pool))


if __name__ == "__main__":
    main()
