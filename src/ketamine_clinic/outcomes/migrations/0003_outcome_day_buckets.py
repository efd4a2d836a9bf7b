"""The day buckets of the outcome group rows (issue 19), filled from the rows already there.
Reversing drops the table (derived data only)."""

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models

from ketamine_clinic.outcomes.buckets import rebuild_buckets


def fill(apps, schema_editor):
    bucket_model, row_model = apps.get_model("outcomes", "OutcomeDayBucket"), apps.get_model("outcomes", "OutcomeGroupRow")
    rebuild_buckets((bucket_model, row_model), sorted(set(row_model.objects.values_list("organization_id", flat=True).distinct())))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_billing_initial'),
        ('outcomes', '0002_build_outcome_group_rows'),
    ]

    operations = [
        migrations.CreateModel(
            name='OutcomeDayBucket',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('instrument_key', models.CharField(max_length=20)),
                ('day', models.DateField()),
                ('dimension', models.CharField(choices=[('all', 'All patients'), ('indication', 'Indication group'), ('route', 'Route of the first signed plan'), ('protocol', 'Protocol of the first signed plan')], max_length=10)),
                ('group_key', models.CharField(blank=True, max_length=80, null=True)),
                ('patients', models.PositiveIntegerField()),
                ('with_follow_up', models.PositiveIntegerField()),
                ('responders', models.PositiveIntegerField()),
                ('remitters', models.PositiveIntegerField()),
                ('remission_defined', models.PositiveIntegerField()),
                ('change_sum', models.BigIntegerField(null=True)),
                ('percent_sum', models.FloatField(null=True)),
                ('percent_n', models.PositiveIntegerField()),
                ('response_days_sum', models.FloatField(null=True)),
                ('response_days_n', models.PositiveIntegerField()),
                ('baseline_sum', models.BigIntegerField()),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organization')),
            ],
            options={
                'constraints': [models.UniqueConstraint(models.F('organization'), models.F('instrument_key'), models.F('day'), models.F('dimension'), django.db.models.functions.comparison.Coalesce('group_key', models.Value('')), name='outcome_day_bucket_unique')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
