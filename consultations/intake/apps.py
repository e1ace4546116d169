from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """The patient's pages: the home page, the intake questionnaire, status and own copy."""

    name = "consultations.intake"
    label = "intake"
    verbose_name = "Patient intake"
