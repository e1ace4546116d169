"""Data migrations, run forwards on rows written as the earlier schema stored them."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

HEALTH_2026_1 = (
    "pregnant", "breastfeeding", "isotretinoin_last_6_months", "active_infection_or_cold_sore",
    "hsv_history", "keloid_history", "photosensitising_meds", "recent_tan",
    "active_inflamed_acne", "salicylate_allergy", "topical_retinoid_last_7_days",
    "active_rosacea", "dermatitis_in_area", "anticoagulant_or_bleeding_disorder",
    "systemic_gold_therapy_ever", "melasma", "immunosuppressed_or_poor_healing",
    "suspicious_lesion",
)  # fmt: skip


def migrate(target: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_the_follow_up_questions_are_filled_from_the_texts_patients_gave():
    old = migrate([("consultations", "0001_initial")])
    Patient = old.get_model("consultations", "Patient")
    Consultation = old.get_model("consultations", "Consultation")
    patient = Patient.objects.create(
        first_name="Mei", last_name="Tan", date_of_birth=datetime.date(1990, 1, 1), email="m@x.sg"
    )
    complete = dict.fromkeys(HEALTH_2026_1, False)

    def make(reference: str, **fields) -> None:
        Consultation.objects.create(
            patient=patient, reference=reference, public_token=reference, **fields
        )

    make("PX-00001", other_medicines="Metformin", **complete)  # named medicines: yes
    make("PX-00002", allergies="Latex", **complete)  # named allergy: yes, no medicines
    make("PX-00003")  # health step not reached: unanswered
    make("PX-00004", **{**complete, "suspicious_lesion": None})  # stopped part-way

    new = migrate([("consultations", "0003_follow_up_constraints")])
    rows = {
        c.reference: (c.takes_other_medicines, c.has_allergies)
        for c in new.get_model("consultations", "Consultation").objects.all()
    }

    assert rows == {
        "PX-00001": (True, False),
        "PX-00002": (False, True),
        "PX-00003": (None, None),
        "PX-00004": (None, None),
    }
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
