"""The treatment course for admins: courses with their sessions, and read-only what was done
and said (session records, clearances, check-ins, course events, answers a check-in changed).

Everything here is read-only: the course is changed on the consultation's review page, where
each change takes the consultation's row lock and leaves an event and an access log row. Only
staff who may see consultations see these pages (they are part of the consultation's record).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from consultations.admin.mixins import (
    AccessLoggedAdminMixin,
    ReadOnlyAdminMixin,
    SelectRelatedInlineMixin,
)
from consultations.models import (
    AnswerUpdate,
    CheckIn,
    Course,
    CourseEvent,
    CourseSession,
    SessionClearance,
    SessionRecord,
)
from consultations.presenters.course import block_reasons, record_lines

VIEW_CONSULTATION = "consultations.view_consultation"


class ConsultationRecordMixin(ReadOnlyAdminMixin):
    """Seen by staff who may see consultations; never added, changed or deleted here."""

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and user.has_perm(VIEW_CONSULTATION))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


class SessionInline(ConsultationRecordMixin, SelectRelatedInlineMixin, admin.TabularInline):
    model = CourseSession
    select_related = ("course__consultation", "check_in_override_by")
    extra = 0
    fields = ("number", "kind", "target_date", "status", "blocked_at", "reasons", "override")
    readonly_fields = fields
    show_change_link = False

    @admin.display(description="Why blocked")
    def reasons(self, obj: CourseSession) -> str:
        return "; ".join(block_reasons(obj)) or "–"

    @admin.display(description="Without the check-in")
    def override(self, obj: CourseSession) -> str:
        if not obj.check_in_override or obj.check_in_override_by is None:
            return "–"
        notes = f": {obj.check_in_override_notes}" if obj.check_in_override_notes else ""
        who = obj.check_in_override_by.get_username()
        when = timezone.localtime(obj.check_in_override_at) if obj.check_in_override_at else ""
        return f"{obj.get_check_in_override_display()}{notes} ({who}, {when:%Y-%m-%d %H:%M})"


class EventInline(ConsultationRecordMixin, SelectRelatedInlineMixin, admin.TabularInline):
    model = CourseEvent
    select_related = ("course__consultation", "by")
    extra = 0
    fields = ("at", "kind", "detail", "by")
    readonly_fields = fields


@admin.register(Course)
class CourseAdmin(ConsultationRecordMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    list_display = ("consultation", "treatment", "status", "end_reason", "created_at")
    list_filter = ("status", "treatment", "end_reason")
    search_fields = ("consultation__reference",)
    list_select_related = ("consultation",)
    show_full_result_count = False
    date_hierarchy = "created_at"
    inlines = [SessionInline, EventInline]
    fields = (
        "consultation",
        "review_link",
        "decision",
        "treatment",
        "interval_weeks",
        "status",
        "end_reason",
        "end_notes",
        "created_at",
        "ended_at",
    )
    readonly_fields = fields

    @admin.display(description="Review page")
    def review_link(self, obj: Course) -> SafeString:
        url = reverse("review:detail", args=[obj.consultation.reference]) + "#course-heading"
        return format_html('<a href="{}">Change the course on the review page</a>', url)


class _CourseRecordAdmin(ConsultationRecordMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    """A record that belongs to one session of a course."""

    show_full_result_count = False

    def logged_record(self, obj: Any) -> dict[str, Any]:
        consultation = obj.session.course.consultation
        return {"consultation_id": consultation.pk, "patient_id": consultation.patient_id}


@admin.register(SessionRecord)
class SessionRecordAdmin(_CourseRecordAdmin):
    list_display = ("session", "course", "treatment", "performed_on", "performed_by", "amended")
    list_filter = ("treatment", "peel_agent")
    search_fields = ("session__course__consultation__reference",)
    list_select_related = ("session__course__consultation", "performed_by")
    date_hierarchy = "performed_on"
    fields = (
        "session",
        "performed_on",
        "performed_by",
        "treatment",
        "what_was_done",
        "supersedes",
        "amendment_reason",
        "recorded_by",
        "recorded_at",
    )
    readonly_fields = fields

    @admin.display(description="Consultation")
    def course(self, obj: SessionRecord) -> str:
        return obj.session.course.consultation.reference

    @admin.display(description="Amendment", boolean=True)
    def amended(self, obj: SessionRecord) -> bool:
        return obj.supersedes_id is not None

    @admin.display(description="What was done")
    def what_was_done(self, obj: SessionRecord) -> SafeString:
        lines = format_html_join("", "<li>{}</li>", ((line,) for line in record_lines(obj)))
        return format_html("<ul>{}</ul>", lines)


@admin.register(SessionClearance)
class SessionClearanceAdmin(_CourseRecordAdmin):
    list_display = ("session", "outcome", "treatment", "by", "at")
    list_filter = ("outcome",)
    search_fields = ("session__course__consultation__reference",)
    list_select_related = ("session__course__consultation", "by")


@admin.register(CheckIn)
class CheckInAdmin(_CourseRecordAdmin):
    list_display = ("session", "kind", "due_on", "sent_at", "answered_at", "source", "red_flag")
    list_filter = ("kind", "red_flag", "source")
    search_fields = ("session__course__consultation__reference",)
    list_select_related = ("session__course__consultation",)
    date_hierarchy = "due_on"
    # The token opens the patient's check-in: never shown.
    exclude = ("token",)


@admin.register(CourseEvent)
class CourseEventAdmin(ConsultationRecordMixin, admin.ModelAdmin):
    list_display = ("course", "kind", "detail", "by", "at")
    list_filter = ("kind",)
    search_fields = ("course__consultation__reference",)
    list_select_related = ("course__consultation", "by")
    show_full_result_count = False


@admin.register(AnswerUpdate)
class AnswerUpdateAdmin(ConsultationRecordMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    list_display = ("consultation", "field", "old_value", "new_value", "source", "at")
    list_filter = ("field", "source")
    search_fields = ("consultation__reference",)
    list_select_related = ("consultation",)
    show_full_result_count = False
