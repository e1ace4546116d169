"""Practitioner review pages (login and the review permission required)."""

from django.urls import path

from consultations.views import review

app_name = "review"

urlpatterns = [
    path("", review.queue, name="queue"),
    path("consultations/<str:reference>/", review.detail, name="detail"),
    path("consultations/<str:reference>/correct/", review.correct, name="correct"),
    path("consultations/<str:reference>/decide/", review.decide, name="decide"),
    path("consultations/<str:reference>/amend/", review.amend, name="amend"),
]
