"""Patient-facing intake and status pages. Patients reach a consultation only by its token."""

from django.urls import path

from consultations import converters  # noqa: F401  (registers "token" and "signed")
from consultations.views import intake

app_name = "intake"

urlpatterns = [
    path("consultation/start/", intake.start, name="start"),
    path("consultation/check/", intake.check, name="check"),
    path("consultation/submit/", intake.submit, name="submit"),
    path("consultation/saved/", intake.saved, name="saved"),
    path("consultation/resume/<signed:signed>/", intake.resume, name="resume"),
    path("consultation/<slug:step>/", intake.step, name="step"),
    path("c/<token:token>/", intake.status, name="status"),
    path("c/<token:token>/submitted/", intake.submitted, name="submitted"),
]
