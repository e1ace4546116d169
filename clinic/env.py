"""Reading settings from environment variables: a bad value is a configuration error that
names the variable (clinic/settings.py uses these; nothing here imports Django's settings)."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no variable; anything but a clear yes or no is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}.")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def photos_storage(root: Path) -> dict[str, object]:
    """STORAGES["photos"]: a private directory (`root`, outside MEDIA and STATIC, no URL), or,
    with PHOTOS_S3_BUCKET, S3-compatible object storage through django-storages (installed
    separately), private objects only."""
    bucket = os.environ.get("PHOTOS_S3_BUCKET", "").strip()
    if not bucket:
        return {
            "BACKEND": "consultations.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": root},
        }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": os.environ.get("PHOTOS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("PHOTOS_S3_REGION") or None,
            # One bucket may serve several environments: each keeps its own prefix.
            "location": os.environ.get("PHOTOS_S3_PREFIX", "").strip().strip("/") or "photos",
            "default_acl": "private",
            "file_overwrite": False,
            # Photos are streamed by a view that checks the viewer, never linked to.
            "querystring_auth": True,
            "querystring_expire": 60,
        },
    }
