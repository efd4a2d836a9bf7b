"""Trigram (pg_trgm) GIN indexes for patient search, on PostgreSQL only.

The extension comes first (``TrigramExtension`` does nothing on other databases); the indexes are
added to the migration state everywhere (so the models and migrations agree) but built only on
PostgreSQL: SQLite has no GIN and searches the same way by scanning.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models
from django.db.models.functions import Cast, Upper


class AddIndexOnPostgres(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def trigram(field: str) -> AddIndexOnPostgres:
    return AddIndexOnPostgres(
        model_name="patient",
        index=GinIndex(OpClass(Upper(Cast(field, output_field=models.TextField())), name="gin_trgm_ops"),
                       name=f"patient_{field}_trgm"),
    )


class Migration(migrations.Migration):
    dependencies = [("patients", "0004_chart_records_reported_by")]

    operations = [
        TrigramExtension(),
        *(trigram(f) for f in ("given_name", "family_name", "preferred_name", "mrn", "phone_digits")),
    ]
