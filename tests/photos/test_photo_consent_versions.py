"""Photo consent given again under new wording is recorded with that wording's version."""

from __future__ import annotations

import pytest

from consultations.models import PhotoConsent, PhotoConsentKind
from consultations.services import photos
from tests.factories import submitted

pytestmark = pytest.mark.django_db


def test_consent_given_again_under_new_wording_is_recorded(monkeypatch):
    consultation = submitted()
    PhotoConsent.objects.create(
        consultation=consultation,
        kind=PhotoConsentKind.CLINICAL,
        granted=True,
        text_version="2025.1",
    )
    monkeypatch.setattr(photos, "PHOTO_CONSENT_TEXT_VERSION", "2026.1")
    photos.photo_consents_by_patient(
        consultation_id=consultation.pk, clinical=True, other_use=False
    )
    versions = PhotoConsent.objects.filter(
        consultation=consultation, kind=PhotoConsentKind.CLINICAL
    ).values_list("text_version", flat=True)
    assert sorted(versions) == ["2025.1", "2026.1"]
    # The same consent again under the same wording adds nothing.
    photos.photo_consents_by_patient(
        consultation_id=consultation.pk, clinical=True, other_use=False
    )
    assert PhotoConsent.objects.filter(consultation=consultation).count() == 2
