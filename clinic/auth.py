"""Authentication: the model backend, refusing demo logins outside a demo set-up."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

DEMO_GROUP = "Demo accounts"


class ClinicModelBackend(ModelBackend):
    """Django's model backend, except that demo accounts cannot log in when DEBUG is off.

    seed_demo puts its accounts in the "Demo accounts" group; their passwords are printed in
    the README, so a production server must never accept them (unless ALLOW_DEMO_LOGINS is set
    for a throwaway production-like run). The check runs when a password is checked, not on
    every request of an existing session, which spares each staff request a query.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):  # type: ignore[no-untyped-def]
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None or settings.DEBUG or settings.ALLOW_DEMO_LOGINS:
            return user
        return None if user.groups.filter(name=DEMO_GROUP).exists() else user
