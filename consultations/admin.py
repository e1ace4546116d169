"""Django admin for the clinic's records.

Rule evaluations, decisions, corrections, consents and the access log are read-only here: they
are written by the intake and review workflow (services.py) and are the clinic's audit trail.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from consultations import fhir, presenters, selectors, services
from consultations.models import (
    HEALTH_FIELDS,
    AccessLog,
    AnswerCorrection,
    Consent,
    Consultation,
    Decision,
    Evaluation,
    EvaluationFinding,
    Patient,
)
from consultations.services.insight import fhir_export_record, patients_anonymise


class ReadOnlyAdminMixin:
    """Records that only the workflow writes: staff may look, never add, edit or delete."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AccessLoggedAdminMixin:
    """Staff reading a patient's record here leave an AccessLog row, as on the review pages."""

    def logged_record(self, obj: Any) -> dict[str, Any]:
        """Whose record the page shows, as services.access_log_record's arguments."""
        return {"consultation": obj.consultation}

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            services.access_log_record(
                user=request.user,
                action=AccessLog.Action.VIEW,
                detail="admin",
                **self.logged_record(response.context_data["original"]),
            )
        return response


class SelectRelatedInlineMixin:
    """An inline that fetches its rows' users (and the like) with the rows, not one by one.

    The consultation too: each row's change link names it (`__str__`), and the formset sets
    only the rows' consultation_id.
    """

    select_related: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Model]:
        return super().get_queryset(request).select_related(*self.select_related)


def _reasons(reasons: list[dict[str, str]]) -> SafeString:
    return format_html_join("", "<li>{}: {}</li>", ((r["rule"], r["text"]) for r in reasons))


def render_output(output: dict | None) -> SafeString:
    """The rules' output in the review page's words: primary, options, exclusions and flags."""
    if not output:
        return format_html("<em>{}</em>", "No output")
    card = presenters.output_card(output)
    parts = [
        format_html(
            "<p><strong>Primary:</strong> {} &middot; ruleset {}</p>",
            card["primary_label"],
            card["ruleset_version"],
        )
    ]
    if card["defer_reason"]:
        parts.append(format_html("<p><strong>Deferred:</strong> {}</p>", card["defer_reason"]))
    for suggestion in card["suggestions"]:
        parts.append(
            format_html(
                "<p>{}. <strong>{}</strong> ({}) &middot; constraints: {}</p><ul>{}</ul>",
                suggestion["rank"],
                suggestion["label"],
                suggestion["status_label"],
                "; ".join(suggestion.get("constraints", [])) or "none",
                _reasons(suggestion.get("reasons", [])),
            )
        )
    for excluded in card["excluded"]:
        parts.append(
            format_html(
                "<p><strong>Excluded: {}</strong></p><ul>{}</ul>",
                excluded["label"],
                _reasons(excluded.get("reasons", [])),
            )
        )
    if card["flags"]:
        items = format_html_join(
            "",
            "<li>[{}] {} ({}, {}): {}</li>",
            (
                (f["severity_label"], f["label"], f["rule"], f["code"], f["message"])
                for f in card["flags"]
            ),
        )
        parts.append(format_html("<p><strong>Flags</strong></p><ul>{}</ul>", items))
    return SafeString("".join(parts))


class EvaluationInline(ReadOnlyAdminMixin, SelectRelatedInlineMixin, admin.StackedInline):
    model = Evaluation
    select_related = ("consultation", "created_by")
    extra = 0
    fields = ("created_at", "trigger", "created_by", "ruleset_version", "readable_output")
    readonly_fields = fields
    show_change_link = True

    @admin.display(description="What the rules said")
    def readable_output(self, obj: Evaluation) -> SafeString:
        return render_output(obj.output)


class DecisionInline(ReadOnlyAdminMixin, SelectRelatedInlineMixin, admin.TabularInline):
    model = Decision
    select_related = ("consultation", "decided_by", "supersedes__consultation")
    extra = 0
    fk_name = "consultation"
    fields = (
        "decided_at",
        "decided_by",
        "outcome",
        "treatment",
        "reason_code",
        "notes",
        "supersedes",
    )
    readonly_fields = fields
    show_change_link = True


class ConsentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Consent
    extra = 0
    fields = ("text_version", "accepted_at")
    readonly_fields = fields


class CorrectionInline(ReadOnlyAdminMixin, SelectRelatedInlineMixin, admin.TabularInline):
    model = AnswerCorrection
    select_related = ("consultation", "corrected_by")
    extra = 0
    fields = ("corrected_at", "corrected_by", "field", "old_value", "new_value", "note")
    readonly_fields = fields


@admin.register(Patient)
class PatientAdmin(AccessLoggedAdminMixin, admin.ModelAdmin):
    list_display = ("last_name", "first_name", "date_of_birth", "email", "created_at")
    search_fields = ("last_name", "first_name", "email")
    list_filter = ("created_at",)
    show_full_result_count = False
    readonly_fields = ("created_at", "updated_at", "anonymised_at")
    actions = ["anonymise_selected"]

    def logged_record(self, obj: Patient) -> dict[str, Any]:
        return {"patient_id": obj.pk}

    @admin.action(description="Anonymise selected patients", permissions=["change"])
    def anonymise_selected(
        self, request: HttpRequest, queryset: QuerySet[Patient]
    ) -> TemplateResponse | None:
        """Erasure requests: confirm, then services.insight.patient_anonymise each patient."""
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/consultations/patient/anonymise_confirm.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Anonymise patients?",
                    "opts": self.model._meta,
                    "patients": queryset.order_by("pk"),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        patients = list(queryset.order_by("pk"))
        done = patients_anonymise(patients=patients, user=request.user)
        already = len(patients) - done
        self.message_user(
            request,
            f"Anonymised {done} patients."
            + (f" {already} had been anonymised already." if already else ""),
            messages.SUCCESS,
        )
        return None


@admin.register(Consultation)
class ConsultationAdmin(AccessLoggedAdminMixin, admin.ModelAdmin):
    list_display = (
        "reference",
        "patient",
        "status",
        "primary_suggestion",
        "stop_flag",
        "submitted_at",
        "created_at",
    )
    list_filter = (
        "status",
        "latest_evaluation__primary",
        "latest_evaluation__has_stop_flag",
        "questionnaire_version",
    )
    search_fields = ("reference", "patient__last_name", "patient__first_name", "patient__email")
    list_select_related = ("patient", "latest_evaluation")
    show_full_result_count = False
    date_hierarchy = "created_at"
    raw_id_fields = ("patient",)
    actions = ["export_csv", "export_fhir"]
    inlines = [ConsentInline, EvaluationInline, CorrectionInline, DecisionInline]
    readonly_fields = (
        "reference",
        "public_token",
        "status",
        "lock_version",
        "latest_evaluation",
        "age",
        "created_at",
        "updated_at",
        "submitted_at",
        "decided_at",
    )
    fieldsets = (
        (
            None,
            {"fields": ("reference", "patient", "status", "questionnaire_version", "public_token")},
        ),
        (
            "Skin",
            {
                "fields": (
                    "fitzpatrick",
                    "fitzpatrick_source",
                    "fitzpatrick_self_report",
                    "fitzpatrick_score",
                    "sebum",
                )
            },
        ),
        ("Goals", {"fields": ("goals", "downtime_tolerance", "previous_treatments")}),
        ("Health and medicines", {"fields": (*HEALTH_FIELDS, "other_medicines", "allergies")}),
        (
            "Record",
            {
                "fields": (
                    "age",
                    "latest_evaluation",
                    "lock_version",
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "decided_at",
                )
            },
        ),
    )

    @admin.display(description="Suggestion", ordering="latest_evaluation__primary")
    def primary_suggestion(self, obj: Consultation) -> str:
        return obj.latest_evaluation.get_primary_display() if obj.latest_evaluation else "–"

    @admin.display(description="Stop flag", boolean=True)
    def stop_flag(self, obj: Consultation) -> bool | None:
        return obj.latest_evaluation.has_stop_flag if obj.latest_evaluation else None

    def has_change_permission(self, request: HttpRequest, obj: Consultation | None = None) -> bool:
        # Answers are changed through the review page's corrections, which keep who/what/when.
        if obj is not None and not obj.is_editable_by_patient:
            return False
        return super().has_change_permission(request, obj)

    def logged_record(self, obj: Consultation) -> dict[str, Any]:
        return {"consultation": obj}

    @admin.action(description="Export selected consultations as CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Consultation]) -> HttpResponse:
        rows = queryset.select_related("patient", "latest_evaluation").order_by("pk")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="consultations.csv"'
        response["Cache-Control"] = "no-store"
        writer = csv.writer(response)
        writer.writerow(csv_header())
        exported: list[tuple[int, int]] = []
        for consultation in rows.iterator(chunk_size=500):
            writer.writerow(csv_row(consultation))
            exported.append((consultation.pk, consultation.patient_id))
        # One row per consultation, as the FHIR export writes: whose records left the clinic.
        with transaction.atomic():
            for consultation_id, patient_id in exported:
                services.access_log_record(
                    user=request.user,
                    action=AccessLog.Action.EXPORT_CSV,
                    consultation_id=consultation_id,
                    patient_id=patient_id,
                    detail="admin CSV",
                )
        return response

    @admin.action(description="Export selected consultations as FHIR (NDJSON)")
    def export_fhir(self, request: HttpRequest, queryset: QuerySet[Consultation]) -> HttpResponse:
        """One FHIR R4 Bundle per line (drafts have nothing to export and are left out)."""
        exported = list(selectors.exportable(queryset).order_by("reference"))
        if not exported:
            self.message_user(
                request, "None of the selected consultations has been submitted.", messages.WARNING
            )
            return None
        lines = [json.dumps(fhir.consultation_bundle(c), ensure_ascii=False) for c in exported]
        fhir_export_record(user=request.user, consultations=exported, detail="admin NDJSON")
        response = HttpResponse(
            "\n".join(lines) + "\n", content_type="application/fhir+ndjson; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="consultations.fhir.ndjson"'
        response["Cache-Control"] = "no-store"
        return response


_CSV_ANSWER_FIELDS = (
    "fitzpatrick",
    "fitzpatrick_source",
    "sebum",
    "goals",
    "age",
    *HEALTH_FIELDS,
    "downtime_tolerance",
)


def csv_header() -> list[str]:
    return [
        "reference",
        "status",
        "first_name",
        "last_name",
        "email",
        "submitted_at",
        *_CSV_ANSWER_FIELDS,
        "primary_suggestion",
        "ruleset_version",
    ]


def csv_safe(value: object) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_row(consultation: Consultation) -> Iterable[str]:
    evaluation = consultation.latest_evaluation
    values = [
        consultation.reference,
        consultation.status,
        consultation.patient.first_name,
        consultation.patient.last_name,
        consultation.patient.email,
        consultation.submitted_at.isoformat() if consultation.submitted_at else "",
        *(getattr(consultation, name) for name in _CSV_ANSWER_FIELDS),
        evaluation.primary if evaluation else "",
        evaluation.ruleset_version if evaluation else "",
    ]
    return [csv_safe(" ".join(v) if isinstance(v, list) else v) for v in values]


@admin.register(Evaluation)
class EvaluationAdmin(AccessLoggedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "consultation",
        "created_at",
        "trigger",
        "primary",
        "has_stop_flag",
        "ruleset_version",
    )
    list_filter = ("primary", "has_stop_flag", "trigger", "ruleset_version")
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
