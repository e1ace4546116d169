"""Reading settings from environment variables: a bad value is a configuration error that
names the variable (clinic/settings.py uses these; nothing here imports Django's settings)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
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


def database_from_env(sqlite_path: Path) -> dict[str, Any]:
    """The database from DATABASE_URL (SQLite at `sqlite_path` when unset), with persistent,
    health-checked connections and, on PostgreSQL, the per-connection settings below."""
    sqlite_path.parent.mkdir(exist_ok=True)
    url = os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{sqlite_path}"
    try:
        database: dict[str, Any] = dict(dj_database_url.parse(url))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if not database.get("ENGINE"):
        raise ImproperlyConfigured(f"DATABASE_URL names an unknown database: {url!r}.")
    # Persistent connections: opening a PostgreSQL connection per request made a one-query page
    # six times slower on this machine kind. Health checks drop a connection the server closed.
    database["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 600)
    database["CONN_HEALTH_CHECKS"] = True
    if database["ENGINE"] != "django.db.backends.postgresql":
        return database
    timeout_ms = env_int("DB_STATEMENT_TIMEOUT_MS", 15000, minimum=1)
    # Fail fast on an unreachable database; no parallel workers for a request (decision 0012).
    options = f"-c statement_timeout={timeout_ms} -c max_parallel_workers_per_gather=0"
    # Prepared statements (decision 0014): a statement a connection has run DB_PREPARE_THRESHOLD
    # times is parsed and planned once, not on every request. 0 turns them off (Django's
    # default), as a connection pooler in transaction mode needs.
    prepare = env_int("DB_PREPARE_THRESHOLD", 5)
    database["OPTIONS"] = {
        "connect_timeout": env_int("DB_CONNECT_TIMEOUT", 3, minimum=1),
        "options": options,
        **({"server_side_binding": True, "prepare_threshold": prepare} if prepare else {}),
        **database.get("OPTIONS", {}),
    }
    return database
