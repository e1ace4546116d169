# The draft's link to browsers (and to its latest resume link) as a secret in the database.

from django.db import migrations, models

import consultations.models.choices


def distinct_keys(apps, schema_editor):
    """AddField gives every existing row the same default: give each its own key."""
    Consultation = apps.get_model("consultations", "Consultation")
    for pk in Consultation.objects.values_list("pk", flat=True).iterator():
        Consultation.objects.filter(pk=pk).update(
            draft_key=consultations.models.choices.new_draft_key()
        )


class Migration(migrations.Migration):

    dependencies = [
        ("consultations", "0007_admin_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="consultation",
            name="draft_key",
            field=models.CharField(
                default=consultations.models.choices.new_draft_key, editable=False, max_length=64
            ),
        ),
        migrations.RunPython(distinct_keys, migrations.RunPython.noop, elidable=True),
    ]
