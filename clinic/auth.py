"""Authentication: the model backend, refusing demo logins outside a demo set-up."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Sum

from clinic import permissions
from clinic.compiled import KeyedRead

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

DEMO_GROUP = "Demo accounts"


@functools.cache
def _user_read(model: Any) -> KeyedRead[Any]:
    return KeyedRead(permissions.with_permissions(model._default_manager.all()), "pk")


class ClinicModelBackend(ModelBackend):
    """Django's model backend, except that demo accounts cannot log in when DEBUG is off.

    seed_demo puts its accounts in the "Demo accounts" group; their passwords are printed in
    the README, so a production server must never accept them (unless ALLOW_DEMO_LOGINS is set
    for a throwaway production-like run). The check runs when a password is checked, not on
    every request of an existing session, which spares each staff request a query.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None or settings.DEBUG or settings.ALLOW_DEMO_LOGINS:
            return user
        return None if user.groups.filter(name=DEMO_GROUP).exists() else user

    def get_user(self, user_id: Any) -> User | None:
        """Django's, with the read of the user compiled once per thread (clinic/compiled.py):
        every staff request reads its user."""
        model: Any = get_user_model()
        try:
            user = _user_read(model).get(user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        """Django's set, from the names read with the signed-in user (clinic/permissions.py):
        as they stood when the user was read, at the start of the request. A user read another
        way (at sign-in, say), or made a superuser in memory since, is asked as Django asks."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            names = permissions.held(user_obj)
            if names is None:
                return super().get_all_permissions(user_obj, obj)
            user_obj._perm_cache = names
        cached: set[str] = user_obj._perm_cache
        return cached


def signed_in_user(request: HttpRequest) -> User:
    """`request.user` on a page only staff reach (behind login_required or the admin site), as
    the signed-in user the services record as the author. An anonymous visitor never gets
    there; should a view lose its decorator, this refuses instead of writing a row without
    an author."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user


class ClinicAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler with a limit of its own for a client address.

    AXES_LOCKOUT_PARAMETERS counts failures per username and per address; axes compares both
    with AXES_FAILURE_LIMIT. An address is locked only after LOGIN_ADDRESS_FAILURE_LIMIT
    failures, whatever usernames they tried: a clinic's staff share one public address, and a
    few mistyped passwords between them must not lock them all out.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        counts = {
            str(parameter): attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for parameter, attempts in zip(
                settings.AXES_LOCKOUT_PARAMETERS,
                self.get_user_attempts(request, credentials),
                strict=True,
            )
        }
        by_username = counts.get("username", 0)
        if counts.get("ip_address", 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(by_username, settings.AXES_FAILURE_LIMIT)
        return by_username
