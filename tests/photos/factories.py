"""A photo on a consultation, stored as the upload service stores one (clean JPEG bytes)."""

from __future__ import annotations

import hashlib

import factory
from django.core.files.base import ContentFile

from consultations.models import Photo, PhotoConsent, PhotoConsentKind, PhotoMoment, PhotoView
from consultations.models.photos import photo_name
from consultations.photo_consent import PHOTO_CONSENT_TEXT_VERSION
from consultations.services.photo_files import photo_clean
from consultations.storage import photo_storage
from tests.factories import submitted
from tests.photos import images


def stored(data: bytes) -> str:
    return photo_storage().save(photo_name(), ContentFile(data))


class PhotoFactory(factory.django.DjangoModelFactory):
    """An intake photo (front) of a submitted consultation; `session` and `moment` for a
    session photo."""

    class Meta:
        model = Photo

    class Params:
        clean = factory.LazyFunction(
            lambda: photo_clean(images.upload(images.jpeg_bytes(gps=True)))
        )

    consultation = factory.LazyFunction(submitted)
    moment = PhotoMoment.INTAKE
    view = PhotoView.FRONT
    file = factory.LazyAttribute(lambda p: stored(p.clean.data))
    width = factory.LazyAttribute(lambda p: p.clean.width)
    height = factory.LazyAttribute(lambda p: p.clean.height)
    source_format = "JPEG"
    byte_size = factory.LazyAttribute(lambda p: len(p.clean.data))
    sha256 = factory.LazyAttribute(lambda p: hashlib.sha256(p.clean.data).hexdigest())


class PhotoConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhotoConsent

    kind = PhotoConsentKind.CLINICAL
    granted = True
    text_version = PHOTO_CONSENT_TEXT_VERSION
