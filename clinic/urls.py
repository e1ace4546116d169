"""Top-level URLs. Patient pages carry only an unguessable token; staff pages need a login."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import bench
from consultations.intake import pages as intake_pages

handler400 = "clinic.errors.bad_request"
handler500 = "clinic.errors.server_error"

admin.site.site_header = "Clinic records"
admin.site.site_title = "Clinic records"
admin.site.index_title = "Records"

urlpatterns = [
    path("", intake_pages.home, name="home"),
    path("privacy/", intake_pages.privacy, name="privacy"),
    path("", include("consultations.intake.urls")),
    path("staff/", include("consultations.review.urls")),
    path("staff/", include("consultations.insight.urls")),
    # Sign in and out, and change one's own password. No public password reset: a forgotten
    # password is reset by an admin (the admin's user page, or `manage.py changepassword`).
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
]

if settings.BENCH_ENDPOINTS:  # `make bench` only: the bare view every page is compared with
    urlpatterns.append(path("bench/constant/", bench.constant, name="bench-constant"))
