"""Analytics, the rule test bench, FHIR export and printable summaries (staff only)."""

from django.urls import path

from clinic import converters  # noqa: F401  (registers "reference")
from consultations.insight import views

app_name = "insight"

urlpatterns = [
    path("analytics/", views.analytics, name="analytics"),
    path("replay/", views.replay, name="replay"),
    path("consultations/<reference:reference>/fhir.json", views.fhir_export, name="fhir"),
    path("consultations/<reference:reference>/print/", views.print_summary, name="print"),
]
