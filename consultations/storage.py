"""Where photos are kept: the private `STORAGES["photos"]` storage, never under a public URL.

Photos of faces identify the patient, so they are health data: the default storage is a
directory outside MEDIA and STATIC (PHOTOS_ROOT) that no URL serves; views stream a photo only
after checking the viewer (intake/photo_views.py, review/photo_views.py). In production the
same settings entry may name S3-compatible object storage (django-storages; README, "Photos").
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateFileSystemStorage(FileSystemStorage):
    """Files readable by this service only (0600 in 0700 directories), and no URL at all."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Photos have no public URL: stream them through a view.")


class _PhotoStorage(LazyObject):
    """STORAGES["photos"], looked up when first used (and again after the setting changes)."""

    def _setup(self) -> None:
        self._wrapped = storages["photos"]


_photo_storage = _PhotoStorage()


def photo_storage() -> Storage:
    """The photos' storage (the models' FileFields name this callable)."""
    return _photo_storage  # type: ignore[return-value]


@receiver(setting_changed)
def _storage_reset(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        _photo_storage._wrapped = empty  # type: ignore[assignment]
