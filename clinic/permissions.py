"""Each staff user's permission set, cached between requests, read again on every change.

Django's model backend reads a user's permissions with two queries on every request that
checks one. Here the set is kept in the shared cache with the permissions' generation: any
change to who holds what (a user's groups or permissions, a group's permissions, a group or
permission deleted or renamed) starts a new generation, so that every cached set is read again
from the database on its next use. Changes Django sends no signal for (see SET_SECONDS) are
seen within five minutes. The generation changes when the change is made and again
when its transaction commits, so that a set read in between, from the old rows, is not kept.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

GENERATION_KEY = "permissions:generation"
# What no signal reports is read again within this long: raw SQL, and a queryset delete of the
# membership rows themselves (Django sends no delete signals for auto-created through models).
SET_SECONDS = 5 * 60


def _set_key(user: User) -> str:
    # A superuser holds every permission: the flag is part of what the set depends on.
    return f"permissions:user:{user.pk}:{int(user.is_superuser)}"


def cached_permissions(user: User, read: Callable[[], set[str]]) -> set[str]:
    """The user's permission set: from the cache when it is of the current generation, else
    `read()` (the database), cached under the generation seen before reading."""
    key = _set_key(user)
    try:
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
            generation = cache.get(GENERATION_KEY)
    except Exception:  # the cache is down: staff pages still work, from the database
        logger.warning("Permission cache unavailable; read from the database", exc_info=True)
        return read()
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        return set(entry[1])
    permissions = read()
    with contextlib.suppress(Exception):  # not kept: read again next time
        cache.set(key, (generation, sorted(permissions)), SET_SECONDS)
    return permissions


def new_generation(**_kwargs: Any) -> None:
    """Forget every cached permission set: now, and once the change's transaction commits.

    With the cache down this raises, and the change is refused: a change that cached sets
    would not see is worse than none."""
    cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None))


def connect() -> None:
    """Start a new generation on every change a permission set depends on."""
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(new_generation, sender=through, dispatch_uid=f"perms-{through}")
    for model in (Group, Permission, ContentType):
        post_save.connect(new_generation, sender=model, dispatch_uid=f"perms-save-{model}")
        post_delete.connect(new_generation, sender=model, dispatch_uid=f"perms-del-{model}")
