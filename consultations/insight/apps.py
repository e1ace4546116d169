from django.apps import AppConfig


class InsightConfig(AppConfig):
    """What the clinic learns: analytics, the rule test bench, printable summaries, FHIR."""

    name = "consultations.insight"
    label = "insight"
    verbose_name = "Insight"
