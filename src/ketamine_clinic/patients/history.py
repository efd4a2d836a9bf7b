"""The History page in words: field labels instead of column names, yes/no instead of True/False,
and each record named by what it is ("Medication: Sertraline") instead of an id fragment."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

from .models import Allergy, AntidepressantTrial, BodyMeasurement, Diagnosis, Medication, Patient, TestResult

MODELS = {"patient": Patient, "measurement": BodyMeasurement, "allergy": Allergy, "medication": Medication,
          "trial": AntidepressantTrial, "diagnosis": Diagnosis, "result": TestResult}
RECORD_TITLES = {"patient": "Demographics", "measurement": "Weight and height", "allergy": "Allergy",
                 "medication": "Medication", "trial": "Antidepressant trial", "diagnosis": "Diagnosis",
                 "result": "Test result"}
# The field that names a record in a list ("Medication: Sertraline").
NAMING_FIELD = {"allergy": "substance", "medication": "name", "trial": "drug", "diagnosis": "icd10_code", "result": "name",
                "measurement": "measured_on", "patient": "family_name"}
# Book-keeping columns that say nothing to a reader of the chart.
HIDDEN = {"public_id", "version", "recorded_by", "recorded_at", "created_at", "updated_at", "phone_digits", "status_reason",
          "attachment", "attachment_type"}


def field_label(record_type: str, field: str) -> str:
    model = MODELS.get(record_type)
    try:
        return capfirst(str(model._meta.get_field(field).verbose_name)) if model else field
    except FieldDoesNotExist:
        return capfirst(field.replace("_", " "))


def shown(value) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "—" if value in ("", None) else str(value)


def with_changes(revisions) -> list:
    """Give each revision its ``title``, ``changes`` as (label, before, after) so a correction
    reads old → new, and ``values`` as (label, value) for the values it recorded."""
    revisions = list(revisions)
    previous = {}
    for r in sorted(revisions, key=lambda r: r.version):
        before = previous.get((r.record_type, r.record_id))
        r.changes = [(field_label(r.record_type, f), shown(before.data.get(f)), shown(r.data.get(f)))
                     for f in r.changed_fields if f not in HIDDEN] if before else []
        r.changed_labels = [field_label(r.record_type, f) for f in r.changed_fields if f not in HIDDEN]
        r.values = [(field_label(r.record_type, k), shown(v)) for k, v in r.data.items() if k not in HIDDEN]
        name = r.data.get(NAMING_FIELD.get(r.record_type, ""), "")
        r.title = RECORD_TITLES.get(r.record_type, capfirst(r.record_type)) + (f": {name}" if name and r.record_type != "patient" else "")
        previous[(r.record_type, r.record_id)] = r
    return revisions
