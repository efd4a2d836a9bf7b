"""Build the outcome group rows of every existing outcome (derived data; the same code as
``manage rebuild_outcome_groups``). Reversing leaves them: the table itself goes with 0001."""

from django.db import migrations

from ketamine_clinic.outcomes.groups import rebuild_rows


def build(apps, schema_editor):
    models_ = tuple(apps.get_model(*name) for name in (
        ("outcomes", "OutcomeGroupRow"), ("assessments", "PatientOutcome"), ("patients", "Diagnosis"), ("plans", "TreatmentPlan")))
    rebuild_rows(models_, apps.get_model("patients", "Patient"))  # the day buckets come with 0003


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0001_outcome_group_rows"),
        ("assessments", "0001_initial"),
        ("plans", "0002_day_ui_appointment_requests"),
    ]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
