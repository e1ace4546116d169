"""Writes for the insight area: erasure (anonymising a patient) and export audit rows.

Erasure keeps what the clinic learns from (the de-identified clinical answers, rule evaluations
and decisions, so that analytics and the rule test bench still count them) and removes what
identifies the person: names, contact details, the exact date of birth, and every free-text
field, because free text is where a name, an address or a family member turns up.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from consultations.models import (
    AccessAction,
    AccessLog,
    AnswerCorrection,
    Consultation,
    Decision,
    Patient,
    PhotoDeletion,
    new_draft_key,
    new_public_token,
)
from consultations.services.photos import photos_delete

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ANONYMISED_NAME = "Anonymised"
# Decision notes and amendment reasons are required by constraints whenever a decision differs
# from the suggestion or amends another, so they are replaced by this text, not blanked.
REMOVED_TEXT = "Removed when the patient's record was anonymised."
# Free-text answers: blanked on the consultation and in the correction history.
FREE_TEXT_FIELDS = ("other_medicines", "allergies", "previous_treatments")


def anonymised_email(patient_id: int) -> str:
    return f"anonymised-{patient_id}@invalid.example"


@transaction.atomic
def patient_anonymise(*, patient: Patient, user: User | None) -> bool:
    """Anonymise one patient for an erasure request; True the first time, False when it had
    been done already (it is done again all the same: anything identifying that got in since
    is removed too).

    Names become "Anonymised", the email a per-patient address on a reserved domain, the phone
    blank and the date of birth 1 January of the birth year (age bands stay right). On each of
    the patient's consultations the free-text answers are blanked, staff free text (decision
    notes, amendment reasons, correction notes) replaced, and the private link token and the
    draft's key replaced, so that the patient's old links, and any browser still holding a
    draft, lead nowhere; check-ins not answered are cancelled, their links replaced too and
    the notes on their red flags blanked; photos deleted, and the reasons given for earlier
    photo deletions replaced. Answers, evaluations and decisions stay for
    analytics. Once anonymised, no request can add to the record (services.intake and
    services.review refuse it under the same row locks). Writes one AccessLog row (anonymise)
    each time.
    """
    # The consultations first, as every intake and review write locks them: a request that
    # got its lock before this waits to finish, and one after it finds the patient anonymised.
    list(Consultation.objects.select_for_update().filter(patient_id=patient.pk).order_by("pk"))
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    first_time = locked.anonymised_at is None

    now = timezone.now()
    locked.first_name = ANONYMISED_NAME
    locked.last_name = ANONYMISED_NAME
    locked.email = anonymised_email(locked.pk)
    locked.phone = ""
    if locked.date_of_birth is not None:
        locked.date_of_birth = datetime.date(locked.date_of_birth.year, 1, 1)
    locked.anonymised_at = locked.anonymised_at or now
    locked.save()

    consultation_ids = list(locked.consultations.values_list("pk", flat=True))
    for pk in consultation_ids:
        # One token per row: the column is unique.
        Consultation.objects.filter(pk=pk).update(
            public_token=new_public_token(),
            draft_key=new_draft_key(),
            **dict.fromkeys(FREE_TEXT_FIELDS, ""),
            updated_at=now,
        )
    photos_delete(consultation_ids=consultation_ids)  # a face identifies: files go too
    PhotoDeletion.objects.filter(consultation_id__in=consultation_ids).exclude(reason="").update(
        reason=REMOVED_TEXT
    )
    decisions = Decision.objects.filter(consultation_id__in=consultation_ids)
    decisions.exclude(notes="").update(notes=REMOVED_TEXT)
    decisions.exclude(amendment_reason="").update(amendment_reason=REMOVED_TEXT)
    corrections = AnswerCorrection.objects.filter(consultation_id__in=consultation_ids)
    corrections.exclude(note="").update(note=REMOVED_TEXT)
    corrections.filter(field__in=FREE_TEXT_FIELDS).update(old_value="", new_value="")
    from consultations.services.course_erasure import course_erase  # which imports this module

    # The course: free text goes, check-ins are cancelled and their links lead nowhere, so
    # nothing more is sent or answered (services/course_erasure.py).
    course_erase(consultation_ids=consultation_ids)
    # The admin's history shows each change under the object's name at the time.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Patient), object_id=str(locked.pk)
    ).update(object_repr=str(locked))

    AccessLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=AccessAction.ANONYMISE,
        patient=locked,
        detail=f"{len(consultation_ids)} consultations" + ("" if first_time else ", again"),
    )
    patient.refresh_from_db()
    return first_time


def patients_anonymise(*, patients: Iterable[Patient], user: User | None) -> int:
    """Anonymise each patient (one transaction each, again for those done before); how many
    were anonymised for the first time."""
    return sum(patient_anonymise(patient=patient, user=user) for patient in patients)


def fhir_export_record(*, user: User, consultations: Iterable[Consultation], detail: str) -> int:
    """One AccessLog row (export_fhir) per exported consultation; how many were written."""
    return export_record(
        user=user,
        action=AccessAction.EXPORT_FHIR,
        exported=((consultation.pk, consultation.patient_id) for consultation in consultations),
        detail=detail,
    )


@transaction.atomic
def export_record(
    *, user: User, action: str, exported: Iterable[tuple[int, int]], detail: str
) -> int:
    """One AccessLog row per exported (consultation id, patient id), in one INSERT; how many."""
    rows = [
        AccessLog(
            user=user,
            action=action,
            consultation_id=consultation_id,
            patient_id=patient_id,
            detail=detail[:200],
        )
        for consultation_id, patient_id in exported
    ]
    AccessLog.objects.bulk_create(rows)
    return len(rows)
