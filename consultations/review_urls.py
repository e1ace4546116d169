"""Practitioner review pages (login and the review permission required)."""

from django.urls import path

from consultations import converters  # noqa: F401  (registers "reference")
from consultations.views import review

app_name = "review"

urlpatterns = [
    path("", review.queue, name="queue"),
    path("consultations/<reference:reference>/", review.detail, name="detail"),
    path("consultations/<reference:reference>/correct/", review.correct, name="correct"),
    path("consultations/<reference:reference>/decide/", review.decide, name="decide"),
    path("consultations/<reference:reference>/amend/", review.amend, name="amend"),
]
