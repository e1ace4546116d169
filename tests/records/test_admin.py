"""The admin lists every record quickly and shows what the rules said in words."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.models import AccessLog, AnswerCorrection, Consultation, Decision, Evaluation
from consultations.services.corrections import correction_apply
from tests.factories import DecisionFactory, PractitionerFactory, decided, submitted

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "consultations_patient",
    "consultations_consultation",
    "consultations_evaluation",
    "consultations_evaluationfinding",
    "consultations_decision",
    "consultations_answercorrection",
    "consultations_consent",
    "consultations_accesslog",
]


def make_rows(n: int) -> None:
    for _ in range(n):
        decision = DecisionFactory()
        AccessLog.objects.create(
            user=decision.decided_by, action="view", consultation=decision.consultation
        )


def changelist_queries(client, name: str) -> int:
    url = reverse(f"admin:{name}_changelist")
    client.get(url)  # warm per-process caches (content types, the session) out of the count
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelist_queries_do_not_grow_with_rows(admin_client, name):
    make_rows(1)
    one = changelist_queries(admin_client, name)
    make_rows(24)
    assert changelist_queries(admin_client, name) == one


def test_evaluation_output_is_shown_as_readable_text(admin_client):
    consultation = submitted(pregnant=True)
    evaluation = consultation.latest_evaluation
    page = admin_client.get(
        reverse("admin:consultations_evaluation_change", args=[evaluation.pk])
    ).content.decode()
    assert "Primary:" in page
    assert "PREGNANCY" in page
    for flag in evaluation.output["flags"]:
        assert flag["message"] in page
    assert '"suggestions"' not in page  # not a raw JSON blob


def test_evaluations_and_decisions_cannot_be_edited_or_deleted_in_admin(admin_client):
    decision = DecisionFactory()
    for model, pk in (("evaluation", decision.evaluation_id), ("decision", decision.pk)):
        change = admin_client.post(
            reverse(f"admin:consultations_{model}_change", args=[pk]), {"notes": "x"}
        )
        assert change.status_code == 403
        delete = admin_client.post(
            reverse(f"admin:consultations_{model}_delete", args=[pk]), {"post": "yes"}
        )
        assert delete.status_code == 403
    assert Evaluation.objects.filter(pk=decision.evaluation_id).exists()
    assert Decision.objects.filter(pk=decision.pk).exists()


def test_viewing_a_consultation_in_admin_is_logged(admin_client, admin_user):
    consultation = submitted()
    response = admin_client.get(
        reverse("admin:consultations_consultation_change", args=[consultation.pk])
    )
    assert response.status_code == 200
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.consultation) == (admin_user, "view", consultation)


def test_csv_export_lists_the_selected_consultations_and_logs_each_one(admin_client, admin_user):
    first, second = submitted(), submitted()
    second.patient.first_name = "=HYPERLINK(1)"
    second.patient.save()
    response = admin_client.post(
        reverse("admin:consultations_consultation_changelist"),
        {"action": "export_csv", "_selected_action": [first.pk, second.pk]},
    )
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert first.reference in body and second.reference in body
    assert "'=HYPERLINK(1)" in body  # formulas neutralised
    logs = AccessLog.objects.filter(action="export_csv")
    assert {(log.user, log.consultation, log.patient) for log in logs} == {
        (admin_user, first, first.patient),
        (admin_user, second, second.patient),
    }


def test_the_csv_export_uses_a_fixed_number_of_queries(admin_client):
    def export_queries(consultations: list[Consultation]) -> int:
        admin_client.get(reverse("admin:index"))  # the first staff request writes the session
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.post(
                reverse("admin:consultations_consultation_changelist"),
                {"action": "export_csv", "_selected_action": [c.pk for c in consultations]},
            )
        assert response.status_code == 200
        return len(queries)

    one = export_queries([decided()])
    assert export_queries([decided() for _ in range(4)] + [submitted() for _ in range(4)]) == one
    assert AccessLog.objects.filter(action="export_csv").count() == 9


def test_consultation_changelist_has_a_date_hierarchy_and_filters(admin_client):
    submitted()
    page = admin_client.get(reverse("admin:consultations_consultation_changelist"))
    assert page.status_code == 200
    assert "By status" in page.content.decode()
    assert Consultation.objects.count() == 1


def consultation_with_history(n: int) -> Consultation:
    """A consultation whose answers n practitioners corrected (n more evaluations, each with its
    corrections) and n practitioners decided (a decision and n - 1 amendments)."""
    consultation = submitted()
    for i in range(n):
        correction_apply(
            consultation=consultation,
            user=PractitionerFactory(),
            lock_version=consultation.lock_version,
            changes={"fitzpatrick": 4 if i % 2 == 0 else 3},
        )
    decision = None
    for _ in range(n):
        decision = DecisionFactory(
            evaluation=consultation.latest_evaluation,
            decided_by=PractitionerFactory(),
            supersedes=decision,
            amendment_reason="Seen again" if decision else "",
        )
    return consultation


def change_page_queries(client, consultation: Consultation) -> int:
    url = reverse("admin:consultations_consultation_change", args=[consultation.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_consultation_change_page_queries_do_not_grow_with_its_history(admin_client):
    short, long = consultation_with_history(1), consultation_with_history(5)
    assert long.decisions.count() == 5 and long.corrections.count() >= 5
    change_page_queries(admin_client, short)  # caches warmed (content types, session)

    assert change_page_queries(admin_client, long) == change_page_queries(admin_client, short)


def test_viewing_a_patient_in_admin_is_logged(admin_client, admin_user):
    patient = submitted().patient
    response = admin_client.get(reverse("admin:consultations_patient_change", args=[patient.pk]))
    assert response.status_code == 200
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.patient, log.detail) == (admin_user, "view", patient, "admin")


@pytest.mark.parametrize("model", [Evaluation, Decision, AnswerCorrection])
def test_viewing_a_consultations_record_in_admin_is_logged(admin_client, admin_user, model):
    consultation = consultation_with_history(1)
    record = model.objects.filter(consultation=consultation).first()
    name = model._meta.model_name
    response = admin_client.get(reverse(f"admin:consultations_{name}_change", args=[record.pk]))
    assert response.status_code == 200
    log = AccessLog.objects.get(action="view")
    assert (log.user, log.consultation, log.patient) == (
        admin_user,
        consultation,
        consultation.patient,
    )


# --- What a clinic admin reads: words, not codes ------------------------------------------------


def test_a_consultation_reads_in_clinical_terms_without_raw_codes_or_the_private_token(
    admin_client,
):
    consultation = submitted(
        fitzpatrick=4, goals=["pore_size", "texture"], melasma=True, sebum="very_oily"
    )
    url = reverse("admin:consultations_consultation_change", args=[consultation.pk])
    page = admin_client.get(url).content.decode()
    for words in ("Type IV", "Enlarged pores", "Texture / roughness", "Very oily", "Melasma"):
        assert words in page, words
    assert '["pore_size", "texture"]' not in page
    assert consultation.public_token not in page
    assert f"Open {consultation.reference} in the review pages" in page
    assert reverse("review:detail", args=[consultation.reference]) in page


def test_clinical_records_cannot_be_deleted_only_anonymised(admin_client):
    consultation = submitted()
    for model, pk in (("consultation", consultation.pk), ("patient", consultation.patient_id)):
        delete = reverse(f"admin:consultations_{model}_delete", args=[pk])
        assert admin_client.get(delete).status_code == 403
        changelist = admin_client.get(reverse(f"admin:consultations_{model}_changelist"))
        assert 'value="delete_selected"' not in changelist.content.decode()
    assert Consultation.objects.filter(pk=consultation.pk).exists()


def test_the_stop_flag_column_says_stop_not_a_tick(admin_client):
    submitted(suspicious_lesion=True)  # R02: a stop flag
    page = admin_client.get(reverse("admin:consultations_consultation_changelist")).content
    assert b">Stop</td>" in page
    assert b"icon-yes.svg" not in page


def test_the_csv_is_ready_for_a_spreadsheet_with_the_decision_in_local_time(
    admin_client, admin_user
):
    consultation = decided(reason_code="", hsv_history=True)
    response = admin_client.post(
        reverse("admin:consultations_consultation_changelist"),
        {"action": "export_csv", "_selected_action": [consultation.pk]},
    )
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads it as UTF-8
    header, row = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    record = dict(zip(header, row, strict=True))
    decision = consultation.decisions.get()
    assert record["Decision"] == "Accepted the suggestion"
    assert record["Treatment decided"] == decision.get_treatment_display()
    assert record["Decided by"] == decision.decided_by.get_full_name()
    local = timezone.localtime(decision.decided_at)
    assert record["Decided (local time)"] == local.strftime("%Y-%m-%d %H:%M")
    assert record["History of HSV (none active)"] == "Yes"
    assert record["Melasma"] == "No"
    assert record["Status"] == "Decided"
    assert "True" not in row and "False" not in row


def test_times_are_on_the_24_hour_clock_and_the_two_logs_have_distinct_names(admin_client):
    consultation = submitted()
    Consultation.objects.filter(pk=consultation.pk).update(
        submitted_at=timezone.make_aware(datetime.datetime(2026, 11, 30, 15, 5))
    )
    page = admin_client.get(reverse("admin:consultations_consultation_changelist")).content
    assert b"30 Nov 2026, 15:05" in page
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "Staff record access log" in index


def test_a_large_unfiltered_admin_list_shows_postgresql_s_estimate(admin_client, monkeypatch):
    """Counting every consultation on each admin list page and export action grew with the
    table: past ESTIMATED_FROM rows the unfiltered list takes ANALYZE's estimate, below it the
    count, in one query either way."""
    if connection.vendor != "postgresql":
        pytest.skip("the estimate is PostgreSQL's")
    for _ in range(3):
        submitted()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Consultation._meta.db_table}")
    submitted()  # since ANALYZE: counted, not in the estimate
    changelist = reverse("admin:consultations_consultation_changelist")

    def shown() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            page = admin_client.get(changelist)
        counting = [q for q in queries.captured_queries if "reltuples" in q["sql"]]
        return page.context["cl"].result_count, len(counting)

    assert shown() == (4, 1)  # a small table is counted
    monkeypatch.setattr("consultations.admin.mixins.ESTIMATED_FROM", 1)
    assert shown() == (3, 1)  # past the threshold: the estimate
    filtered = admin_client.get(changelist, {"status__exact": "submitted"})
    assert filtered.context["cl"].result_count == 4  # a filtered list is counted
