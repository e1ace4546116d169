"""Top-level URLs. Patient pages carry only an unguessable token; staff pages need a login."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from clinic import bench
from consultations.intake import pages as intake_pages

admin.site.site_header = "Clinic records"
admin.site.site_title = "Clinic records"
admin.site.index_title = "Records"

urlpatterns = [
    path("", intake_pages.home, name="home"),
    path("privacy/", intake_pages.privacy, name="privacy"),
    path("", include("consultations.intake.urls")),
    path("staff/", include("consultations.review.urls")),
    path("staff/", include("consultations.insight.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]

if settings.BENCH_ENDPOINTS:  # `make bench` only: the bare view every page is compared with
    urlpatterns.append(path("bench/constant/", bench.constant, name="bench-constant"))
