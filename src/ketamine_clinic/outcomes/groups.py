"""Keeping each patient's ``OutcomeGroupRow`` rows up to date, incrementally.

An outcome, diagnosis or treatment plan saved (or an outcome deleted) anywhere sends a model
signal; the handler rewrites that one patient's rows in the same transaction. The patient's row
is locked first (``FOR NO KEY UPDATE``: it does not block inserts that reference the patient), so
two writers for the same patient take turns and the second reads what the first committed: no
lost update. ``rebuild`` does the same for every patient, in locked batches.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from ketamine_clinic.assessments.models import PatientOutcome
from ketamine_clinic.clinical.codes import OUTCOME_INDICATION_GROUPS
from ketamine_clinic.patients.models import Diagnosis, Patient, RecordStatus
from ketamine_clinic.plans.models import PlanStatus, TreatmentPlan

from .models import Dimension, OutcomeGroupRow

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


def _rewrite(models_, patients: dict[int, int]) -> None:
    models_[0].objects.filter(patient_id__in=list(patients)).delete()
    models_[0].objects.bulk_create(_rows(models_, patients), batch_size=2000)


def rebuild(models_=MODELS, patient_model=Patient, organization_id: int | None = None) -> int:
    """Rewrite every patient's rows (of one clinic, or all), in batches each locked, computed and
    written in one transaction, so a live writer is never overwritten with stale rows. Idempotent.
    ``models_``/``patient_model``: historical models when a migration calls it."""
    patients = patient_model.objects.order_by("pk")
    if organization_id is not None:
        patients = patients.filter(organization_id=organization_id)
    done, last_pk = 0, 0
    while True:
        with transaction.atomic():
            batch = dict(patients.filter(pk__gt=last_pk).select_for_update(no_key=True)[:BATCH_PATIENTS].values_list("pk", "organization_id"))
            if not batch:
                return done
            _rewrite(models_, batch)
        done, last_pk = done + len(batch), max(batch)


def refresh(patient_id: int) -> None:
    """Rewrite one patient's rows, under a lock on the patient (see the module docstring)."""
    with transaction.atomic():
        batch = dict(Patient.objects.filter(pk=patient_id).select_for_update(no_key=True).values_list("pk", "organization_id"))
        if batch:
            _rewrite(MODELS, batch)


def _on_change(sender, instance, raw=False, **kwargs) -> None:
    if not raw:  # loaddata: the rows come with the fixture, or from a rebuild
        refresh(instance.patient_id)


def connect() -> None:
    """Called once from ``OutcomesConfig.ready``."""
    for model in (PatientOutcome, Diagnosis, TreatmentPlan):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"outcomes.groups.{model.__name__}.saved")
    post_delete.connect(_on_change, sender=PatientOutcome, dispatch_uid="outcomes.groups.PatientOutcome.deleted")
