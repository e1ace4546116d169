"""Photos over HTTP, shared by the patient's and the practitioners' photo views: a photo
streamed to a viewer the caller has checked (never cached, never sniffed, never a public URL),
and the per-consultation upload limit."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import FileResponse, Http404

from clinic import ratelimit
from consultations.models import Photo
from consultations.storage import photo_storage

SIZES = ("full", "display", "thumbnail")
logger = logging.getLogger(__name__)


def photo_response(photo: Photo, size: str) -> FileResponse:
    """The photo (full: the original), its display-size copy or its thumbnail; the original
    until the task queue has made the one asked for."""
    if size not in SIZES:
        raise Http404("No such size")
    rendition = {"thumbnail": photo.thumbnail, "display": photo.display}.get(size)
    # A copy made again (backfill_photo_copies --all) replaces the one this row named and
    # deletes it: read between the two, the original stands in, as before any copy existed.
    names = [rendition.name, photo.file.name] if rendition else [photo.file.name]
    for name in names:
        try:
            stored = photo_storage().open(name, "rb")
            break
        except FileNotFoundError:
            logger.warning("Photo %s: its %s file is missing from storage", photo.pk, size)
            size = "full"
    else:
        raise Http404("No such photo")
    response = FileResponse(stored, content_type=photo.content_type)
    response["Content-Disposition"] = 'inline; filename="photo.jpg"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def consultation_rate() -> ratelimit.Rate:
    return ratelimit.Rate.parse(settings.PHOTO_CONSULTATION_RATE_LIMIT)


def consultation_limit_reached(consultation_id: int, count: int) -> bool:
    """Count `count` uploads against the consultation's own limit, whoever sends them
    (PHOTO_CONSULTATION_RATE_LIMIT); True once it is over."""
    rate = consultation_rate()
    client = f"consultation:{consultation_id}"
    hits = [
        ratelimit.hit(scope="photo-consultation", client=client, rate=rate) for _ in range(count)
    ]
    return not all(hits)
