"""Analytics, rule test bench, FHIR export and printable summaries.

Included at the root: staff pages live under staff/, the patient's copy under their private
status link c/<token>/.
"""

from django.urls import path

from consultations import converters  # noqa: F401  (registers "token", "reference")
from consultations.views import insight

app_name = "insight"

urlpatterns = [
    path("staff/analytics/", insight.analytics, name="analytics"),
    path("staff/replay/", insight.replay, name="replay"),
    path("staff/consultations/<reference:reference>/fhir.json", insight.fhir_export, name="fhir"),
    path("staff/consultations/<reference:reference>/print/", insight.print_summary, name="print"),
    path("c/<token:token>/my-answers/", insight.patient_copy, name="patient_copy"),
]
