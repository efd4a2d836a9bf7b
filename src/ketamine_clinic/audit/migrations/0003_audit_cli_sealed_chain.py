"""The keyed, sealed chain (audit-cli): events carry their own HMAC, a sealer links them.

Existing events are re-keyed with the current AUDIT_KEY and queued for sealing (the unkeyed
SHA-256 chain is dropped: run `ketamine-clinic audit verify` on the old release before upgrading
if you need proof of the history before this point). Triggers now guard events and seals
against UPDATE and DELETE on both databases.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

OLD_TRIGGERS = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent",
        "DROP FUNCTION IF EXISTS audit_event_append_only()",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS audit_event_append_only"],
}


def drop_old_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for sql in OLD_TRIGGERS.get(schema_editor.connection.vendor, []):
            cursor.execute(sql)


def rekey_and_queue(apps, schema_editor):
    from ketamine_clinic.audit.chain import canonical_event, event_mac

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditPending = apps.get_model("audit", "AuditPending")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    batch = []
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        fields = {f.attname: getattr(event, f.attname) for f in event._meta.concrete_fields}
        event.mac = event_mac(settings.AUDIT_KEY, canonical_event(fields))
        batch.append(event)
        if len(batch) == 2000:
            AuditEvent.objects.bulk_update(batch, ["mac"])
            AuditPending.objects.bulk_create([AuditPending(event_id=e.id) for e in batch])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["mac"])
    AuditPending.objects.bulk_create([AuditPending(event_id=e.id) for e in batch])
    AuditChainHead.objects.update(last_seq=0, last_mac="0" * 64)


def install_guard(apps, schema_editor):
    from ketamine_clinic.audit.guard import install

    install(schema_editor.connection)


def remove_guard(apps, schema_editor):
    from ketamine_clinic.audit.guard import remove

    remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('audit', '0002_append_only_triggers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_old_triggers, migrations.RunPython.noop),
        migrations.CreateModel(
            name='AuditPending',
            fields=[
                ('event', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='+', serialize=False, to='audit.auditevent')),
            ],
        ),
        migrations.CreateModel(
            name='AuditSeal',
            fields=[
                ('seq', models.PositiveBigIntegerField(primary_key=True, serialize=False)),
                ('prev_mac', models.CharField(max_length=64)),
                ('mac', models.CharField(max_length=64)),
                ('sealed_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.AlterModelOptions(
            name='auditevent',
            options={'ordering': ['-id']},
        ),
        migrations.RemoveIndex(
            model_name='auditevent',
            name='audit_audit_organiz_614a2a_idx',
        ),
        migrations.RenameField(
            model_name='auditchainhead',
            old_name='last_hash',
            new_name='last_mac',
        ),
        migrations.RenameField(
            model_name='auditevent',
            old_name='hash',
            new_name='mac',
        ),
        migrations.RemoveField(
            model_name='auditevent',
            name='prev_hash',
        ),
        migrations.RemoveField(
            model_name='auditevent',
            name='seq',
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['organization', '-id'], name='audit_event_org_newest'),
        ),
        migrations.AddField(
            model_name='auditseal',
            name='event',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='seal', to='audit.auditevent'),
        ),
        migrations.RunPython(rekey_and_queue, migrations.RunPython.noop),
        migrations.RunPython(install_guard, remove_guard),
    ]
