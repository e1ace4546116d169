"""The audit trail: evaluations, findings, decisions, corrections, consents, access log.

Read-only: the intake and review workflow writes them."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from consultations import presenters
from consultations.admin.mixins import AccessLoggedAdminMixin, ReadOnlyAdminMixin, render_output
from consultations.models import (
    AccessLog,
    AnswerCorrection,
    Consent,
    Decision,
    Evaluation,
    EvaluationFinding,
)


@admin.register(Evaluation)
class EvaluationAdmin(AccessLoggedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "consultation",
        "created_at",
        "trigger",
        "primary",
        "stop_flag",
        "ruleset_version",
    )
    list_filter = ("primary", "has_stop_flag", "trigger", "ruleset_version")

    @admin.display(description="Stop flag", ordering="has_stop_flag")
    def stop_flag(self, obj: Evaluation) -> str:
        """ "Stop" when the rules raised a stop flag (no automatic suggestion), else a dash."""
        return "Stop" if obj.has_stop_flag else "–"

    search_fields = ("consultation__reference",)
    list_select_related = ("consultation",)
    show_full_result_count = False
    date_hierarchy = "created_at"
    fields = (
        "consultation",
        "created_at",
        "trigger",
        "created_by",
        "ruleset_version",
        "readable_output",
        "answers_seen",
    )
    readonly_fields = fields

    @admin.display(description="What the rules said")
    def readable_output(self, obj: Evaluation) -> SafeString:
        return render_output(obj.output)

    @admin.display(description="Answers the rules saw")
    def answers_seen(self, obj: Evaluation) -> SafeString:
        rows = presenters.answers_seen(obj.answers or {})
        return format_html("<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))


@admin.register(EvaluationFinding)
class EvaluationFindingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("evaluation", "rule", "flag", "severity")
    list_filter = ("severity", "flag", "rule")
    search_fields = ("evaluation__consultation__reference",)
    list_select_related = ("evaluation__consultation",)
    show_full_result_count = False


@admin.register(Decision)
class DecisionAdmin(AccessLoggedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "consultation",
        "outcome",
        "treatment",
        "reason_code",
        "decided_by",
        "decided_at",
        "supersedes",
    )
    list_filter = ("outcome", "treatment", "reason_code")
    search_fields = ("consultation__reference", "decided_by__username")
    list_select_related = ("consultation", "decided_by", "supersedes__consultation")
    show_full_result_count = False
    date_hierarchy = "decided_at"


@admin.register(AnswerCorrection)
class AnswerCorrectionAdmin(AccessLoggedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "consultation",
        "field",
        "old_value",
        "new_value",
        "corrected_by",
        "corrected_at",
    )
    list_filter = ("field",)
    search_fields = ("consultation__reference", "corrected_by__username")
    list_select_related = ("consultation", "corrected_by")
    show_full_result_count = False


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("consultation", "text_version", "accepted_at")
    list_filter = ("text_version",)
    search_fields = ("consultation__reference",)
    list_select_related = ("consultation",)
    show_full_result_count = False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "user", "action", "consultation", "patient", "detail")
    list_filter = ("action",)
    search_fields = ("user__username", "consultation__reference")
    list_select_related = ("user", "consultation", "patient")
    show_full_result_count = False
    date_hierarchy = "at"
