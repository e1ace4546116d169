"""Practitioner review pages (login and the review permission required)."""

from django.urls import path

from clinic import converters  # noqa: F401  (registers "reference")
from consultations.review import (
    correction_views,
    course_views,
    photo_views,
    red_flag_views,
    session_views,
    views,
)

app_name = "review"

CONSULTATION = "consultations/<reference:reference>/"
SESSION = CONSULTATION + "sessions/<int:number>/"

urlpatterns = [
    path("", views.queue, name="queue"),
    path(CONSULTATION, views.detail, name="detail"),
    path(CONSULTATION + "correct/", correction_views.correct, name="correct"),
    path(CONSULTATION + "decide/", views.decide, name="decide"),
    path(CONSULTATION + "amend/", views.amend, name="amend"),
    path(CONSULTATION + "rerun/", correction_views.rerun, name="rerun"),
    # The treatment course
    path(CONSULTATION + "course/reschedule/", course_views.reschedule, name="course_reschedule"),
    path(CONSULTATION + "course/maintenance/", course_views.maintenance, name="course_maintenance"),
    path(CONSULTATION + "course/pause/", course_views.pause, name="course_pause"),
    path(CONSULTATION + "course/resume/", course_views.resume, name="course_resume"),
    path(CONSULTATION + "course/end/", course_views.end, name="course_end"),
    path(SESSION + "record/", session_views.record, name="session_record"),
    path(SESSION + "amend/", session_views.amend, name="session_amend"),
    path(SESSION + "clear/", session_views.clear, name="session_clear"),
    path(SESSION + "check-in/", session_views.check_in_on_tablet, name="session_check_in"),
    path(CONSULTATION + "red-flag/", red_flag_views.red_flag_handled, name="red_flag_handled"),
    path(CONSULTATION + "photos/", photo_views.photo_upload, name="photo_upload"),
    path(
        CONSULTATION + "photos/<int:photo>/delete/", photo_views.photo_delete, name="photo_delete"
    ),
    path("photos/<int:photo>/<slug:size>/", photo_views.photo, name="photo"),
]
