"""The FHIR bundle references the photos as R4B Media, with view and date, not embedded."""

from __future__ import annotations

import base64

import pytest
from fhir.resources.R4B.bundle import Bundle

from consultations import fhir, selectors
from consultations.fhir_photos import photo_media
from tests.photos import images
from tests.photos.factories import PhotoFactory

pytestmark = pytest.mark.django_db


def test_the_bundle_references_each_photo_as_media_without_the_image():
    photo = PhotoFactory(view="left_45")
    bundle = fhir.consultation_bundle(selectors.exportable().get(pk=photo.consultation_id))

    Bundle.model_validate(bundle)
    [media] = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Media"]
    assert media["view"]["coding"][0]["code"] == "left_45"
    assert media["createdDateTime"].startswith(f"{photo.uploaded_at.astimezone().year}")
    assert media["content"]["contentType"] == "image/jpeg"
    assert media["content"]["url"].endswith(f"/staff/photos/{photo.pk}/full/")
    assert "data" not in media["content"]
    patient = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    assert media["subject"]["reference"] == patient["fullUrl"]


def test_the_image_is_embedded_only_when_asked():
    photo = PhotoFactory()
    [media] = photo_media(photo.consultation, patient={"id": "x"}, embed=True)
    embedded = images.decoded(base64.b64decode(media["content"]["data"]))
    assert embedded.size == (photo.width, photo.height)
    assert not embedded.getexif()
