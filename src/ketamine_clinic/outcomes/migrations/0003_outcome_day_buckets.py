"""The day buckets of the outcome group rows (issue 19), filled from the rows already there.
Reversing drops the table (derived data only)."""

import datetime as dt

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate


def fill(apps, schema_editor):
    """Every bucket of the rows already there. A frozen copy of ``outcomes.buckets.row_sums`` and
    ``rebuild_buckets`` as they were when this migration was written (later changes to the live
    code must not change what it does); no locks: the table is new and nothing else writes yet."""
    alias = schema_editor.connection.alias
    bucket_model, row_model = apps.get_model("outcomes", "OutcomeDayBucket"), apps.get_model("outcomes", "OutcomeGroupRow")
    followed = Q(follow_up_count__gt=0)
    responded = followed & Q(responded=True)
    grouped = (
        row_model.objects.using(alias)
        .values("organization_id", "instrument_key", "dimension", "group_key", day=TruncDate("baseline_at", tzinfo=dt.timezone.utc))
        .annotate(
            patients=Count("id"),
            with_follow_up=Count("id", filter=followed),
            responders=Count("id", filter=responded),
            remitters=Count("id", filter=followed & Q(remitted=True)),
            remission_defined=Count("id", filter=followed & Q(remitted__isnull=False)),
            change_sum=Sum("latest_change", filter=followed),
            percent_sum=Sum("latest_percent_change", filter=followed),
            percent_n=Count("latest_percent_change", filter=followed),
            response_days_sum=Sum("days_to_first_response", filter=responded),
            response_days_n=Count("days_to_first_response", filter=responded),
            baseline_sum=Sum("baseline_total"),
        )
        .order_by()
    )
    batch = []
    for bucket in grouped.iterator(chunk_size=2000):
        batch.append(bucket_model(**bucket))
        if len(batch) == 2000:
            bucket_model.objects.using(alias).bulk_create(batch)
            batch = []
    bucket_model.objects.using(alias).bulk_create(batch)


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
