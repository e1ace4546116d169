"""Patients and consultations: the records admins manage, with erasure and exports."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString

from clinic.auth import signed_in_user
from consultations import fhir, selectors, services
from consultations.admin.exports import csv_header, csv_row
from consultations.admin.mixins import (
    AccessLoggedAdminMixin,
    ReadOnlyAdminMixin,
    SelectRelatedInlineMixin,
    render_output,
)
from consultations.models import (
    HEALTH_FIELDS,
    AccessLog,
    AnswerCorrection,
    Consent,
    Consultation,
    ConsultationQuerySet,
    Decision,
    Evaluation,
    Patient,
)
from consultations.services.insight import fhir_export_record, patients_anonymise


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
        done = patients_anonymise(patients=patients, user=signed_in_user(request))
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
    def export_fhir(
        self,
        request: HttpRequest,
        # The changelist's rows come from Consultation's manager, so they are its QuerySet.
        queryset: ConsultationQuerySet,
    ) -> HttpResponse | None:
        """One FHIR R4 Bundle per line (drafts have nothing to export and are left out)."""
        exported = list(selectors.exportable(queryset).order_by("reference"))
        if not exported:
            self.message_user(
                request, "None of the selected consultations has been submitted.", messages.WARNING
            )
            return None
        lines = [json.dumps(fhir.consultation_bundle(c), ensure_ascii=False) for c in exported]
        fhir_export_record(
            user=signed_in_user(request), consultations=exported, detail="admin NDJSON"
        )
        response = HttpResponse(
            "\n".join(lines) + "\n", content_type="application/fhir+ndjson; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="consultations.fhir.ndjson"'
        response["Cache-Control"] = "no-store"
        return response
