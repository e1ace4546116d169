# The constraints on the follow-up questions, after 0002 filled them. A separate migration:
# PostgreSQL refuses to ALTER a table in the transaction that just updated its rows (pending
# deferred foreign-key trigger events).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('consultations', '0002_follow_up_questions'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='consultation',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'draft'), models.Q(('has_allergies__isnull', False), ('takes_other_medicines__isnull', False)), _connector='OR'), name='consultation_submitted_has_follow_up_questions'),
        ),
        migrations.AddConstraint(
            model_name='consultation',
            constraint=models.CheckConstraint(condition=models.Q(('other_medicines', ''), ('takes_other_medicines', True), _connector='OR'), name='consultation_medicines_only_after_yes'),
        ),
        migrations.AddConstraint(
            model_name='consultation',
            constraint=models.CheckConstraint(condition=models.Q(('allergies', ''), ('has_allergies', True), _connector='OR'), name='consultation_allergies_only_after_yes'),
        ),
    ]
