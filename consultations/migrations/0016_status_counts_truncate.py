"""A TRUNCATE of the consultations empties the status counts too (the row triggers of 0014 see
no rows in a TRUNCATE)."""

from django.db import migrations

FUNCTION = """
CREATE FUNCTION consultations_forget_statuses() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM consultations_statuscount;
    RETURN NULL;
END
$$;
"""
TRIGGER = (
    "CREATE TRIGGER consultation_count_statuses_truncate AFTER TRUNCATE "
    "ON consultations_consultation FOR EACH STATEMENT "
    "EXECUTE FUNCTION consultations_forget_statuses();"
)


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in (FUNCTION, TRIGGER):
        schema_editor.execute(statement, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP FUNCTION consultations_forget_statuses() CASCADE", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0015_perf_name_search"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
