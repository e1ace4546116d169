from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    """The consultation intake, rules, review and records app."""

    name = "consultations"
    verbose_name = "Consultations"

    def ready(self) -> None:
        from clinic import checks  # noqa: F401  (registers the deployment checks)
