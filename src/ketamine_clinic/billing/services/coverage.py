"""Coverage per patient: a payer plan or self-pay (explicit), with effective dates. Never deleted."""

import datetime as dt

from django.db import transaction

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core import batch
from ketamine_clinic.core.prepared import Prepared
from ketamine_clinic.core.errors import Conflict, require_own_clinic
from ketamine_clinic.patients.models import Patient

from ..models import Coverage
from ..rules.propose import Payer
from ._common import Errors, audit

RELATIONSHIPS = ("self", "spouse", "child", "other")


def add_coverage(ctx: Context, patient: Patient, data: dict) -> Coverage:
    require(ctx.user, "billing.coverage")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    e = Errors()
    kind = str(data.get("kind") or "").strip()
    if kind not in {p.value for p in Payer}:
        e.add("kind", "Choose self-pay, commercial, Medicare, Medicaid or other.")
    self_pay = kind == Payer.SELF_PAY
    payer_name = e.text(data, "payer_name", 150, required=not self_pay and bool(kind), label="The payer")
    plan_name = e.text(data, "plan_name", 150)
    member_id = e.text(data, "member_id", 40, required=not self_pay and bool(kind), label="The member id")
    subscriber_name = e.text(data, "subscriber_name", 150)
    relationship = e.text(data, "subscriber_relationship", 20) or ("" if self_pay else "self")
    if relationship and relationship not in RELATIONSHIPS:
        e.add("subscriber_relationship", "Choose self, spouse, child or other.")
    network = str(data.get("in_network") or "").strip().lower()
    in_network = {"yes": True, "true": True, "in": True, "no": False, "false": False, "out": False}.get(network)
    if network and in_network is None:
        e.add("in_network", "Choose in network, out of network, or leave it empty.")
    start = e.date(data, "effective_from")
    end = e.date(data, "effective_to", required=False)
    if start and end and end < start:
        e.add("effective_to", "The end is before the start.")
    e.raise_if_any()
    with transaction.atomic():
        Patient.objects.select_for_update().get(pk=patient.pk)  # one coverage change per patient at a time
        row = Coverage.objects.create(
            organization_id=ctx.user.organization_id, patient=patient, kind=kind, payer_name=payer_name,
            plan_name=plan_name, member_id=member_id, subscriber_name=subscriber_name or ("" if self_pay else patient.given_name + " " + patient.family_name),
            subscriber_relationship=relationship, in_network=None if self_pay else in_network,
            effective_from=start, effective_to=end, created_by=ctx.user)
        audit(ctx, Action.BILLING_COVERAGE_ADD, row, patient=patient, detail={"kind": kind, "self_pay": self_pay})
    return row


def mark_coverage_in_error(ctx: Context, coverage: Coverage, reason: str) -> Coverage:
    require(ctx.user, "billing.coverage")
    e = Errors()
    reason = e.text({"reason": reason}, "reason", 300, required=True, label="A reason")
    e.raise_if_any()
    with transaction.atomic():
        locked = Coverage.objects.select_for_update().get(pk=coverage.pk)
        if locked.status != Coverage.Status.ACTIVE:
            raise Conflict("This coverage is already marked entered in error.")
        locked.status, locked.status_reason = Coverage.Status.ENTERED_IN_ERROR, reason
        locked.save(update_fields=["status", "status_reason"])
        audit(ctx, Action.BILLING_COVERAGE_IN_ERROR, locked, patient=locked.patient, detail={"reason": reason})
    return locked


_ACTIVE_COVERAGES = Prepared(lambda patient_id: Coverage.objects.filter(patient_id=patient_id, status=Coverage.Status.ACTIVE)
                             .order_by("-effective_from", "-id"))


def coverages_read(patient: Patient) -> dict:
    """The patient's active coverages, latest started first (for ``core.batch``; compiled once per process)."""
    return {("billing.coverages", patient.pk): _ACTIVE_COVERAGES(patient.pk).knowing(patient=patient)}


def coverage_on(patient: Patient, day: dt.date) -> Coverage | None:
    """The coverage in force on ``day`` (the latest started), or None when none is recorded."""
    (active,) = batch.lists(coverages_read(patient)).values()
    for c in active:
        if c.covers(day):
            return c
    return None

