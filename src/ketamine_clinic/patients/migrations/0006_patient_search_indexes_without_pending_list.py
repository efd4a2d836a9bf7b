"""The trigram indexes of patient search without a pending list (``fastupdate = off``), on
PostgreSQL only, as 0005 built them: see ``patients.models._trigram_index`` for why.

The state swaps each index for its new definition; the database only changes the storage
parameter and merges what was pending (``gin_clean_pending_list``), with no rebuild.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations, models
from django.db.models.functions import Cast, Upper

FIELDS = ("given_name", "family_name", "preferred_name", "mrn", "phone_digits")


def index(field: str, **options) -> GinIndex:
    return GinIndex(OpClass(Upper(Cast(field, output_field=models.TextField())), name="gin_trgm_ops"),
                    name=f"patient_{field}_trgm", **options)


def set_fastupdate(on: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for field in FIELDS:
            name = schema_editor.quote_name(f"patient_{field}_trgm")
            schema_editor.execute(f"ALTER INDEX {name} SET (fastupdate = {'on' if on else 'off'})")
            if not on:
                schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", [f"patient_{field}_trgm"])
    return run


class Migration(migrations.Migration):
    dependencies = [("patients", "0005_patient_search_trigram_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                op
                for field in FIELDS
                for op in (migrations.RemoveIndex(model_name="patient", name=f"patient_{field}_trgm"),
                           migrations.AddIndex(model_name="patient", index=index(field, fastupdate=False)))
            ],
            database_operations=[migrations.RunPython(set_fastupdate(False), set_fastupdate(True))],
        ),
    ]
