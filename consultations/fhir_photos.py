"""FHIR R4B `Media` for a consultation's photos: one resource per photo with its view, moment
and date, pointing at the staff URL that streams it (login and permission required), never
embedding the image unless asked (`embed=True`: the JPEG as base64 `content.data`).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.urls import reverse

# fhir.py adds these entries and imports this module; its helpers are used only in calls.
from consultations import fhir
from consultations.emails import absolute_url
from consultations.models import Consultation, Photo, PhotoMoment
from consultations.photo_selectors import photo_order
from consultations.storage import photo_storage

MEDIA_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/media-type"


def photo_media(
    consultation: Consultation, *, patient: dict[str, Any], embed: bool = False
) -> list[dict[str, Any]]:
    """A `Media` resource per photo of the consultation (prefetched by
    `selectors.exportable`, else one query)."""
    photos = sorted(consultation.photos.all(), key=photo_order)
    return [_media(photo, patient=patient, embed=embed) for photo in photos]


def _media(photo: Photo, *, patient: dict[str, Any], embed: bool) -> dict[str, Any]:
    content: dict[str, Any] = {
        "contentType": photo.content_type,
        "url": absolute_url(reverse("review:photo", kwargs={"photo": photo.pk, "size": "full"})),
        "size": photo.byte_size,
        "title": f"{photo.get_moment_display()}, {photo.get_view_display()}",
        "creation": fhir._instant(photo.uploaded_at),
    }
    if embed:
        with photo_storage().open(photo.file.name, "rb") as stored:
            data = stored.read()
        content["data"] = base64.b64encode(data).decode("ascii")
        content["hash"] = base64.b64encode(hashlib.sha1(data).digest()).decode("ascii")  # noqa: S324 - FHIR's Attachment.hash is SHA-1
    resource: dict[str, Any] = {
        "resourceType": "Media",
        "id": fhir._uuid("Media", photo.pk),
        "identifier": [{"system": fhir.code_system("photo-sha256"), "value": photo.sha256}],
        "status": "completed",
        "type": {"coding": [{"system": MEDIA_TYPE_SYSTEM, "code": "image", "display": "Image"}]},
        "view": {
            "coding": [fhir._coding("photo-view", photo.view, photo.get_view_display())],
            "text": photo.get_view_display(),
        },
        "subject": fhir._ref(patient),
        "createdDateTime": fhir._instant(photo.uploaded_at),
        "issued": fhir._instant(photo.uploaded_at),
        "width": photo.width,
        "height": photo.height,
        "content": content,
    }
    if photo.moment != PhotoMoment.INTAKE and photo.session is not None:
        resource["note"] = [{"text": f"Session {photo.session.number}, {photo.moment}"}]
    else:
        resource["note"] = [{"text": "Sent by the patient with the intake"}]
    return resource
