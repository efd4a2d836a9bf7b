"""Keeping each patient's outcome groups (``OutcomeCohort``) up to date, incrementally.

A diagnosis or treatment plan saved anywhere (the chart services, the FHIR facade, the admin)
sends ``post_save``; the handler recomputes that one patient's row in the same transaction. The
patient's row is locked first (``FOR NO KEY UPDATE``: it does not block inserts that reference the
patient), so two writers for the same patient take turns and the second one reads what the first
committed: no lost update.
"""

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from ketamine_clinic.clinical.codes import OUTCOME_INDICATION_GROUPS
from ketamine_clinic.patients.models import Diagnosis, Patient, RecordStatus
from ketamine_clinic.plans.models import PlanStatus, TreatmentPlan

from .models import OutcomeCohort

BATCH_PATIENTS = 1000


def indication_keys(codes) -> str:
    """'|key|key|' for the indication groups any of these ICD-10-CM codes falls in ('' for none)."""
    keys = [key for key, _, prefixes in OUTCOME_INDICATION_GROUPS if any(c.startswith(prefixes) for c in codes)]
    return "|" + "|".join(keys) + "|" if keys else ""


def member_of(key: str) -> str:
    """What ``indication_keys`` contains when the patient is in indication group ``key``."""
    return f"|{key}|"


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


def _cohort_rows(models_, patient_ids: list[int], organization_of: dict[int, int]) -> list:
    cohort_model, diagnosis_model, plan_model = models_
    codes: dict[int, list[str]] = {}
    for patient_id, code in diagnosis_model.objects.filter(patient_id__in=patient_ids, status=RecordStatus.ACTIVE).values_list("patient_id", "icd10_code"):
        codes.setdefault(patient_id, []).append(code)
    plans = _first_plans(plan_model.objects.filter(patient_id__in=patient_ids))
    now = timezone.now()
    return [
        cohort_model(patient_id=pid, organization_id=organization_of[pid], indication_keys=indication_keys(codes.get(pid, ())),
                     plan_route=plans.get(pid, (None, None))[0], plan_protocol=plans.get(pid, (None, None))[1], computed_at=now)
        for pid in patient_ids
    ]


def _upsert(cohort_model, rows: list) -> None:
    cohort_model.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["patient"],
        update_fields=["organization", "indication_keys", "plan_route", "plan_protocol", "computed_at"],
    )


def rebuild(models_=(OutcomeCohort, Diagnosis, TreatmentPlan), patient_model=Patient, organization_id: int | None = None) -> int:
    """(Re)compute every patient's row (of one clinic, or all): batches of patients, each batch
    locked, computed and upserted in one transaction, so a live writer is never overwritten with
    stale groups. Idempotent. ``models_``/``patient_model``: historical models in a migration."""
    patients = patient_model.objects.order_by("pk")
    if organization_id is not None:
        patients = patients.filter(organization_id=organization_id)
    done, last_pk = 0, 0
    while True:
        with transaction.atomic():
            batch = dict(patients.filter(pk__gt=last_pk).select_for_update(no_key=True)[:BATCH_PATIENTS].values_list("pk", "organization_id"))
            if not batch:
                return done
            _upsert(models_[0], _cohort_rows(models_, list(batch), batch))
        done, last_pk = done + len(batch), max(batch)


def refresh(patient_id: int) -> None:
    """Recompute one patient's row, under a lock on the patient (see the module docstring)."""
    with transaction.atomic():
        batch = dict(Patient.objects.filter(pk=patient_id).select_for_update(no_key=True).values_list("pk", "organization_id"))
        if batch:
            _upsert(OutcomeCohort, _cohort_rows((OutcomeCohort, Diagnosis, TreatmentPlan), [patient_id], batch))


def _on_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:  # loaddata: the rows come with the fixture or a rebuild
        refresh(instance.patient_id)


def connect() -> None:
    """Called once from ``OutcomesConfig.ready``."""
    post_save.connect(_on_saved, sender=Diagnosis, dispatch_uid="outcomes.cohort.diagnosis")
    post_save.connect(_on_saved, sender=TreatmentPlan, dispatch_uid="outcomes.cohort.plan")
