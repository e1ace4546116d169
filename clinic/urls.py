"""Top-level URLs. Patient pages carry only an unguessable token; staff pages need a login."""

from django.contrib import admin
from django.urls import path

from consultations.views import public

admin.site.site_header = "Clinic records"
admin.site.site_title = "Clinic records"
admin.site.index_title = "Records"

urlpatterns = [
    path("", public.home, name="home"),
    path("admin/", admin.site.urls),
]
