"""Patients and consultations: the records admins manage, with erasure and exports."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from clinic.auth import signed_in_user
from consultations import fhir, presenters, selectors
from consultations.admin.exports import BOM, csv_header, csv_row, csv_rows
from consultations.admin.mixins import (
    AccessLoggedAdminMixin,
    EstimatedCountPaginator,
    ReadOnlyAdminMixin,
    SelectRelatedInlineMixin,
    render_output,
)
from consultations.models import (
    AccessLog,
    AnswerCorrection,
    Consent,
    Consultation,
    ConsultationQuerySet,
    Decision,
    Evaluation,
    Patient,
)
from consultations.permissions import EXPORT_PERMISSION
from consultations.services.insight import (
    export_record,
    fhir_export_record,
    patients_anonymise,
)

ANONYMISED_MESSAGE = (
    "This patient was anonymised after an erasure request, so their details cannot be "
    "changed. Nothing was saved."
)


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
    fields = ("corrected_at", "corrected_by", "correction", "note")
    readonly_fields = fields

    @admin.display(description="Answer: before → after")
    def correction(self, obj: AnswerCorrection) -> str:
        return presenters.correction_line(obj)


class ClinicalRecordAdminMixin:
    """Clinical records are never deleted in the admin: erasure requests are anonymised
    (the Anonymise action), so decisions and the audit trail stay whole."""

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Patient)
class PatientAdmin(ClinicalRecordAdminMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    list_display = ("last_name", "first_name", "date_of_birth", "email", "created_at")
    search_fields = ("last_name", "first_name", "email")
    list_filter = ("created_at",)
    show_full_result_count = False
    readonly_fields = ("created_at", "updated_at", "anonymised_at")
    actions = ["anonymise_selected"]

    def logged_record(self, obj: Patient) -> dict[str, Any]:
        return {"patient_id": obj.pk}

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Patient | None:
        patient = super().get_object(request, object_id, from_field)
        if patient is None or request.method != "POST":
            return patient
        # A save reads the row under a lock (the change form runs in a transaction), so an
        # anonymisation either finished first (then every field is read-only, see below) or
        # waits for the save: a form opened before erasure cannot write the name back.
        return Patient.objects.select_for_update().get(pk=patient.pk)

    def save_model(self, request: HttpRequest, obj: Patient, form: Any, change: bool) -> None:
        if obj.anonymised_at is None:
            super().save_model(request, obj, form, change)

    def response_change(self, request: HttpRequest, obj: Patient) -> HttpResponse:
        if obj.anonymised_at is None:
            return super().response_change(request, obj)
        self.message_user(request, ANONYMISED_MESSAGE, messages.WARNING)
        return HttpResponseRedirect(request.path)

    def get_readonly_fields(self, request: HttpRequest, obj: Patient | None = None) -> Any:
        # Erasure must stick: an anonymised patient's details cannot be typed back in.
        if obj is not None and obj.anonymised_at is not None:
            return [field.name for field in self.model._meta.fields]
        return super().get_readonly_fields(request, obj)

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
            f"Anonymised {done} patient{pluralize(done)}."
            + (
                f" {already} {'was' if already == 1 else 'were'} anonymised already: done "
                "again, to remove anything added since."
                if already
                else ""
            ),
            messages.SUCCESS,
        )
        return None


@admin.register(Consultation)
class ConsultationAdmin(ClinicalRecordAdminMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    """Consultations are read here, never edited: the patient writes the answers, and
    practitioners correct them on the review page, which keeps who, what and when."""

    list_display = (
        "reference",
        "patient",
        "status",
        "main_goal",
        "primary_suggestion",
        "stop_flags",
        "submitted_at",
        "review_link",
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
    paginator = EstimatedCountPaginator
    date_hierarchy = "created_at"
    actions = ["export_csv", "export_fhir"]
    inlines = [ConsentInline, EvaluationInline, CorrectionInline, DecisionInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "reference",
                    "patient",
                    "status",
                    "review_link",
                    "questionnaire_version",
                    "private_link",
                )
            },
        ),
        ("Answers", {"fields": ("answers",)}),
        (
            "Record",
            {
                "fields": (
                    "latest_evaluation",
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "decided_at",
                )
            },
        ),
    )
    readonly_fields = (
        "reference",
        "patient",
        "status",
        "review_link",
        "questionnaire_version",
        "private_link",
        "answers",
        "latest_evaluation",
        "created_at",
        "updated_at",
        "submitted_at",
        "decided_at",
    )

    def has_change_permission(self, request: HttpRequest, obj: Consultation | None = None) -> bool:
        return False

    @admin.display(description="Main goal")
    def main_goal(self, obj: Consultation) -> str:
        return presenters.answer_text("goals", obj.primary_goal) if obj.goals else "–"

    @admin.display(description="Suggestion", ordering="latest_evaluation__primary")
    def primary_suggestion(self, obj: Consultation) -> str:
        return obj.latest_evaluation.get_primary_display() if obj.latest_evaluation else "–"

    @admin.display(description="Stop flag", ordering="latest_evaluation__has_stop_flag")
    def stop_flags(self, obj: Consultation) -> str:
        """ "Stop" when the rules raised a stop flag (no automatic suggestion), else a dash."""
        return "Stop" if obj.latest_evaluation and obj.latest_evaluation.has_stop_flag else "–"

    @admin.display(description="Review page")
    def review_link(self, obj: Consultation) -> SafeString | str:
        if obj.is_editable_by_patient:
            return "A draft: the patient has not sent it"
        url = reverse("review:detail", args=[obj.reference])
        return format_html('<a href="{}">Open {} in the review pages</a>', url, obj.reference)

    @admin.display(description="Patient's private link")
    def private_link(self, obj: Consultation) -> str:
        """Never in clear: whoever holds it reads the patient's answers."""
        return f"{obj.public_token[:4]}… (hidden)"

    @admin.display(description="Answers (clinical terms)")
    def answers(self, obj: Consultation) -> SafeString:
        sections = presenters.clinician_sections(obj)
        return format_html_join(
            "",
            "<h3>{}</h3><table><tbody>{}</tbody></table>",
            (
                (
                    section.title,
                    format_html_join(
                        "",
                        "<tr><th scope='row'>{}</th><td>{}</td></tr>",
                        ((row.label, row.value) for row in section.rows),
                    ),
                )
                for section in sections
            ),
        )

    def logged_record(self, obj: Consultation) -> dict[str, Any]:
        return {"consultation": obj}

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(EXPORT_PERMISSION)

    @admin.action(description="Export selected consultations as CSV", permissions=["export"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Consultation]) -> HttpResponse:
        rows = csv_rows(queryset)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="consultations.csv"'
        response["Cache-Control"] = "no-store"
        response.write(BOM)
        writer = csv.writer(response)
        writer.writerow(csv_header())
        exported: list[tuple[int, int]] = []
        for consultation in rows.iterator(chunk_size=500):
            writer.writerow(csv_row(consultation))
            exported.append((consultation.pk, consultation.patient_id))
        # One row per consultation, as the FHIR export writes: whose records left the clinic.
        export_record(
            user=signed_in_user(request),
            action=AccessLog.Action.EXPORT_CSV,
            exported=exported,
            detail="admin CSV",
        )
        return response

    @admin.action(
        description="Export selected consultations as FHIR (NDJSON)", permissions=["export"]
    )
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
