"""One KAP integration window: the clinic's choice moves to ``protocols.kap.integration_window_h``.

Before, booking read ``protocols.kap.integration_within_days`` (days) and the overdue integration
note read ``notes.kap.integration_note_due_h`` (hours). A clinic that had changed the notes window
keeps it (it was already in hours); else a clinic that had changed the booking window keeps it,
converted to hours. The old rows stay as history; no registered setting reads them any more.
"""

from django.db import migrations

NEW_KEY = "protocols.kap.integration_window_h"
OLD_HOURS_KEY = "notes.kap.integration_note_due_h"
OLD_DAYS_KEY = "protocols.kap.integration_within_days"
HOURS_PER_DAY = 24


def _copy(ClinicSettingValue, rows, to_hours):
    for row in rows:
        reason = row.reason if row.key == OLD_HOURS_KEY else f"{row.reason} ({row.value} d, now in hours)"[:300]
        ClinicSettingValue.objects.create(
            organization_id=row.organization_id, key=NEW_KEY, value=to_hours(row.value), version=row.version,
            reason=reason, changed_by_id=row.changed_by_id, changed_at=row.changed_at,
        )


def forwards(apps, schema_editor):
    ClinicSettingValue = apps.get_model("core", "ClinicSettingValue")
    rows = ClinicSettingValue.objects.filter(key__in=(OLD_HOURS_KEY, OLD_DAYS_KEY)).order_by("organization_id", "key", "version")
    org_ids = set(rows.values_list("organization_id", flat=True))
    for org_id in org_ids:
        if ClinicSettingValue.objects.filter(organization_id=org_id, key=NEW_KEY).exists():
            continue
        hours = [r for r in rows if r.organization_id == org_id and r.key == OLD_HOURS_KEY]
        if hours:
            _copy(ClinicSettingValue, hours, lambda v: v)
        else:
            days = [r for r in rows if r.organization_id == org_id and r.key == OLD_DAYS_KEY]
            _copy(ClinicSettingValue, days, lambda v: int(v) * HOURS_PER_DAY)


def backwards(apps, schema_editor):
    apps.get_model("core", "ClinicSettingValue").objects.filter(key=NEW_KEY).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("notes", "0001_notes_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
