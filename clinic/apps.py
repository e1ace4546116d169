"""The cross-cutting pieces as an app, so that their tables come with `migrate`."""

from __future__ import annotations

from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic infrastructure"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from clinic import plans

        connection_created.connect(plans.watch_for_migrations)
