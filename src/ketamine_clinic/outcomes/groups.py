"""Keeping each patient's ``OutcomeGroupRow`` rows up to date, incrementally.

An outcome, diagnosis or treatment plan saved (or an outcome deleted) anywhere sends a model
signal; the handler rewrites that one patient's rows in the same transaction. The patient's row
is locked first (``FOR NO KEY UPDATE``: it does not block inserts that reference the patient), so
two writers for the same patient take turns and the second reads what the first committed: no
lost update. Each UTC day whose rows changed then has its day buckets recomputed from its rows
(``outcomes.buckets``). ``rebuild`` does the same for every patient, in locked batches, and then
recomputes every bucket of the clinics it rebuilt.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from ketamine_clinic.assessments.models import PatientOutcome
from ketamine_clinic.clinical.codes import OUTCOME_INDICATION_GROUPS
from ketamine_clinic.patients.models import Diagnosis, Patient, RecordStatus
from ketamine_clinic.plans.models import PlanStatus, TreatmentPlan

from . import buckets
from .models import Dimension, OutcomeDayBucket, OutcomeGroupRow

BATCH_PATIENTS = 500
FIGURES = ("instrument_key", "baseline_at", "baseline_total", "follow_up_count", "latest_change", "latest_percent_change",
           "responded", "days_to_first_response", "remitted")
MODELS = (OutcomeGroupRow, PatientOutcome, Diagnosis, TreatmentPlan)


def indication_keys(codes) -> list[str]:
    """The indication groups any of these ICD-10-CM codes falls in, in the dashboard's order."""
    return [key for key, _, prefixes in OUTCOME_INDICATION_GROUPS if any(c.startswith(prefixes) for c in codes)]


def _first_plans(plans) -> dict[int, tuple[str, str]]:
    """Each patient's first signed plan: the database orders them (NULLs where it puts them), as
    the dashboard always counted a patient under their induction plan."""
    first: dict[int, tuple[str, str]] = {}
    for patient_id, route, protocol in (
        plans.exclude(status=PlanStatus.DRAFT).order_by("patient_id", "activated_at", "created_at")
        .values_list("patient_id", "route", "protocol_key")
    ):
        first.setdefault(patient_id, (route, protocol))
    return first


def _rows(models_, patients: dict[int, int]) -> list:
    """The group rows of these patients ({patient id: organization id})."""
    row_model, outcome_model, diagnosis_model, plan_model = models_
    ids = list(patients)
    codes: dict[int, list[str]] = {}
    for patient_id, code in diagnosis_model.objects.filter(patient_id__in=ids, status=RecordStatus.ACTIVE).values_list("patient_id", "icd10_code"):
        codes.setdefault(patient_id, []).append(code)
    plans = _first_plans(plan_model.objects.filter(patient_id__in=ids))
    rows = []
    for outcome in outcome_model.objects.filter(patient_id__in=ids).order_by("pk").values("patient_id", *FIGURES):
        pid = outcome.pop("patient_id")
        route, protocol = plans.get(pid, (None, None))
        groups = [(Dimension.ALL, "all")] + [(Dimension.INDICATION, k) for k in indication_keys(codes.get(pid, ()))]
        groups += [(Dimension.ROUTE, route), (Dimension.PROTOCOL, protocol)]
        rows += [row_model(organization_id=patients[pid], patient_id=pid, dimension=d, group_key=g, **outcome) for d, g in groups]
    return rows


def _rewrite(models_, patients: dict[int, int]) -> set:
    """Replace these patients' rows; the (organization, instrument, UTC day)s whose rows changed."""
    row_model = models_[0]
    old = row_model.objects.filter(patient_id__in=list(patients))
    old_keys = old.values_list("organization_id", "instrument_key", "baseline_at").distinct()
    days = {(org, key, buckets.utc_day(at)) for org, key, at in old_keys}
    old.delete()
    rows = row_model.objects.bulk_create(_rows(models_, patients), batch_size=2000)
    return days | {(row.organization_id, row.instrument_key, buckets.utc_day(row.baseline_at)) for row in rows}


def rebuild_rows(models_=MODELS, patient_model=Patient, organization_id: int | None = None) -> tuple[int, set[int]]:
    """Rewrite every patient's rows (of one clinic, or all), in batches each locked, computed and
    written in one transaction, so a live writer is never overwritten with stale rows. Returns how
    many patients and which clinics. ``models_``/``patient_model``: historical models when a
    migration calls it."""
    patients = patient_model.objects.order_by("pk")
    if organization_id is not None:
        patients = patients.filter(organization_id=organization_id)
    done, last_pk, clinics = 0, 0, set()
    while batch := _rewrite_batch(models_, patients.filter(pk__gt=last_pk)):
        done, last_pk = done + len(batch), max(batch)
        clinics |= set(batch.values())
    return done, clinics


def _rewrite_batch(models_, patients) -> dict[int, int]:
    with transaction.atomic():
        batch = dict(patients.select_for_update(no_key=True)[:BATCH_PATIENTS].values_list("pk", "organization_id"))
        if batch:
            _rewrite(models_, batch)
    return batch


def rebuild(organization_id: int | None = None) -> int:
    """The rows of every patient (of one clinic, or all), then every day bucket of their clinics
    (and of clinics whose buckets outlived their rows). Idempotent; returns how many patients."""
    done, clinics = rebuild_rows(organization_id=organization_id)
    if organization_id is not None:
        clinics = {organization_id}
    else:
        clinics |= set(OutcomeDayBucket.objects.values_list("organization_id", flat=True).distinct())
    with transaction.atomic():
        buckets.rebuild_buckets((OutcomeDayBucket, OutcomeGroupRow), sorted(clinics))
    return done


def refresh(patient_id: int) -> None:
    """Rewrite one patient's rows, under a lock on the patient (see the module docstring), and
    recompute the day buckets of the days they were or now are in."""
    with transaction.atomic():
        batch = dict(Patient.objects.filter(pk=patient_id).select_for_update(no_key=True).values_list("pk", "organization_id"))
        if batch:
            buckets.recompute_days(_rewrite(MODELS, batch))


def _on_change(sender, instance, raw=False, **kwargs) -> None:
    if not raw:  # loaddata: the rows come with the fixture, or from a rebuild
        refresh(instance.patient_id)


def connect() -> None:
    """Called once from ``OutcomesConfig.ready``."""
    for model in (PatientOutcome, Diagnosis, TreatmentPlan):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"outcomes.groups.{model.__name__}.saved")
    post_delete.connect(_on_change, sender=PatientOutcome, dispatch_uid="outcomes.groups.PatientOutcome.deleted")
