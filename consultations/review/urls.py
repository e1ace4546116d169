"""Practitioner review pages (login and the review permission required)."""

from django.urls import path

from clinic import converters  # noqa: F401  (registers "reference")
from consultations.review import correction_views, photo_views, views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("consultations/<reference:reference>/", views.detail, name="detail"),
    path("consultations/<reference:reference>/correct/", correction_views.correct, name="correct"),
    path("consultations/<reference:reference>/decide/", views.decide, name="decide"),
    path("consultations/<reference:reference>/amend/", views.amend, name="amend"),
    path("consultations/<reference:reference>/rerun/", correction_views.rerun, name="rerun"),
    path(
        "consultations/<reference:reference>/photos/",
        photo_views.photo_upload,
        name="photo_upload",
    ),
    path("photos/<int:photo>/<slug:size>/", photo_views.photo, name="photo"),
]
