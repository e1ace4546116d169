"""Trigram indexes for the queue's search (ConsultationQuerySet.search): a part of a name or of
a reference is found through an index, not by reading every row (a second at a million).

The indexed expressions are the ones Django's icontains compares on PostgreSQL,
UPPER(column::text), so that the planner can use them. PostgreSQL only: SQLite has no pg_trgm.
"""

from django.db import migrations

INDEXES = {
    "patient_first_name_trgm": ("consultations_patient", "first_name"),
    "patient_last_name_trgm": ("consultations_patient", "last_name"),
    "consultation_reference_trgm": ("consultations_consultation", "reference"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)",
            params=None,
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0014_perf_status_counts"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
