"""Photos and photo consents, read-only: what was kept, when and by whom. The image itself is
shown (through the staff photo view, which checks the review permission and logs the view)
only to staff who may see it; nobody adds, edits or deletes a photo here (a deleted row would
leave its file behind: erasure and retention delete both)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from consultations.admin.mixins import AccessLoggedAdminMixin, ReadOnlyAdminMixin
from consultations.models import Photo, PhotoConsent, PhotoDeletion
from consultations.permissions import REVIEW_PERMISSION

PHOTO_FIELDS = (
    "consultation",
    "session",
    "moment",
    "view",
    "width",
    "height",
    "content_type",
    "source_format",
    "byte_size",
    "sha256",
    "uploaded_by",
    "uploaded_at",
)


@admin.register(Photo)
class PhotoAdmin(AccessLoggedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("consultation", "moment", "view", "session", "uploaded_at", "uploaded_by")
    list_filter = ("moment", "view")
    search_fields = ("consultation__reference",)
    list_select_related = ("consultation", "session", "uploaded_by")
    show_full_result_count = False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if request.user.has_perm(REVIEW_PERMISSION):
            return (*PHOTO_FIELDS, "image")
        return PHOTO_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.get_fields(request, obj)

    @admin.display(description="Photo")
    def image(self, obj: Photo) -> SafeString:
        url = reverse("review:photo", kwargs={"photo": obj.pk, "size": "thumbnail"})
        display = reverse("review:photo", kwargs={"photo": obj.pk, "size": "display"})
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" width="160"></a>', display, url, str(obj)
        )


@admin.register(PhotoConsent)
class PhotoConsentAdmin(AccessLoggedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("consultation", "kind", "granted", "text_version", "at", "recorded_by")
    list_filter = ("kind", "granted", "text_version")
    search_fields = ("consultation__reference",)
    list_select_related = ("consultation", "recorded_by")
    fields = ("consultation", "kind", "granted", "text_version", "at", "recorded_by")
    readonly_fields = fields


@admin.register(PhotoDeletion)
class PhotoDeletionAdmin(AccessLoggedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Which photo was deleted before the record ended, when, by whom (blank: the patient) and
    why; the photo itself is gone."""

    list_display = ("consultation", "moment", "view", "session_number", "at", "deleted_by")
    list_filter = ("moment", "view", "consent_withdrawn")
    search_fields = ("consultation__reference",)
    list_select_related = ("consultation", "deleted_by")
    show_full_result_count = False
    fields = (
        "consultation",
        "photo_number",
        "moment",
        "view",
        "session_number",
        "consent_withdrawn",
        "deleted_by",
        "reason",
        "at",
    )
    readonly_fields = fields
