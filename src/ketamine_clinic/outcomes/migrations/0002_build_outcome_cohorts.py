"""Build every existing patient's outcome groups (derived data; the same code as
``manage rebuild_outcome_cohorts``). Reversing leaves the rows: the table itself goes with 0001."""

from django.db import migrations

from ketamine_clinic.outcomes.cohort import rebuild


def build(apps, schema_editor):
    models_ = (apps.get_model("outcomes", "OutcomeCohort"), apps.get_model("patients", "Diagnosis"), apps.get_model("plans", "TreatmentPlan"))
    rebuild(models_, apps.get_model("patients", "Patient"))


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0001_outcome_cohort"),
        ("plans", "0002_day_ui_appointment_requests"),
    ]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
