"""Outgoing emails: what was sent, what is waiting, and what failed (with "send again")."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from consultations.admin.mixins import ReadOnlyAdminMixin
from consultations.models import EmailStatus, OutboundEmail
from consultations.permissions import REVIEW_PERMISSION
from consultations.services.outbox import email_retry


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "reference",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("consultation__reference",)
    list_select_related = ("consultation",)
    show_full_result_count = False
    fields = list_display
    readonly_fields = list_display
    actions = ["send_again"]

    @admin.display(description="Consultation", ordering="consultation__reference")
    def reference(self, obj: OutboundEmail) -> str:
        return obj.consultation.reference

    def has_retry_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}") and (
            request.user.has_perm(REVIEW_PERMISSION) or request.user.is_superuser
        )

    @admin.action(description="Send the selected failed emails again", permissions=["retry"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        failed = list(queryset.filter(status=EmailStatus.FAILED))
        for outbound in failed:
            email_retry(outbound=outbound)
        self.message_user(request, f"{len(failed)} emails will be sent again.", messages.SUCCESS)
