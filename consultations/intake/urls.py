"""Patient-facing pages. Patients reach a consultation only by its unguessable token."""

from django.urls import path

from clinic import converters  # noqa: F401  (registers "token" and "signed")
from consultations.intake import (
    checkin_views,
    pages,
    photo_delete_views,
    photo_views,
    save_views,
    views,
)

app_name = "intake"

urlpatterns = [
    path("consultation/start/", views.start, name="start"),
    path("consultation/check/", views.check, name="check"),
    path("consultation/submit/", views.submit, name="submit"),
    path("consultation/send-link/", save_views.send_link, name="send_link"),
    path("consultation/saved/", save_views.saved, name="saved"),
    path("consultation/resume/<signed:signed>/", views.resume, name="resume"),
    # Photos (optional): before the steps' catch-all pattern.
    path("consultation/photos/", photo_views.photos, name="photos"),
    path(
        "consultation/photos/withdraw/",
        photo_delete_views.draft_photos_withdraw,
        name="draft_photos_withdraw",
    ),
    path(
        "consultation/photos/<int:photo>/delete/",
        photo_delete_views.draft_photo_delete,
        name="draft_photo_delete",
    ),
    path(
        "consultation/photos/<int:photo>/<slug:size>/",
        photo_views.draft_photo,
        name="draft_photo",
    ),
    path("consultation/<slug:step>/", views.step, name="step"),
    path("c/<token:token>/", pages.status, name="status"),
    path("c/<token:token>/submitted/", pages.submitted, name="submitted"),
    path("c/<token:token>/my-answers/", pages.patient_copy, name="patient_copy"),
    path("check-in/<token:token>/", checkin_views.check_in, name="check_in"),
    path(
        "c/<token:token>/photos/withdraw/",
        photo_delete_views.photos_withdraw,
        name="photos_withdraw",
    ),
    path(
        "c/<token:token>/photos/<int:photo>/delete/",
        photo_delete_views.photo_delete,
        name="photo_delete",
    ),
    path("c/<token:token>/photos/<int:photo>/<slug:size>/", photo_views.photo, name="photo"),
]
