"""Drafting a plan from a protocol version (nothing is booked until activation)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.models import Location
from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical import protocols as cp
from ketamine_clinic.core.errors import NotFound, ValidationFailed
from ketamine_clinic.patients.models import Patient

from .. import forms as plan_forms
from .. import scheduling
from . import protocol_store
from ..models import PlanDose, PlanStatus, PlanStatusChange, TreatmentPlan
from ._common import _timeline, _validate, declined_routes, for_patient


def _resolve_plan_input(ctx: Context, patient: Patient, cleaned: dict, now: dt.datetime):
    entry, location, therapist = _resolve_references(patient, cleaned)
    protocol = for_patient(entry.protocol, patient, cleaned["start_date"])
    phase = _phase(protocol, cleaned.get("phase"))
    errors: dict[str, list[str]] = {}
    count = cleaned.get("session_count") or phase.session_count
    if count is None:
        errors["session_count"] = [f"Phase {phase.name!r} is open-ended: say how many sessions to book."]
    elif phase.session_count is not None and count > phase.session_count:
        errors["session_count"] = [f"Phase {phase.name!r} has {phase.session_count} sessions, not {count}."]
    dose = cleaned.get("dose")
    if dose is None:
        dose = protocol.dose_rule.first_session_dose or protocol.dose_rule.default
    refusal = cp.validate_dose(protocol, dose, session_number=1 if phase is protocol.phases[0] else None)
    if refusal is not None:
        errors["dose"] = [refusal.message]
    if cleaned["start_date"] < scheduling.local_today(location, now):
        errors["start_date"] = [f"{cleaned['start_date']} is in the past at {location.name}."]
    if protocol.linked_sessions and therapist is None:
        errors["therapist"] = ["This protocol has therapy sessions: choose the therapist."]
    if errors:
        raise ValidationFailed(errors)
    return entry, protocol, phase, count, Decimal(dose), location, therapist


def _resolve_references(patient: Patient, cleaned: dict):
    """The protocol entry (not of a route declined at screening), the location and the therapist;
    every one that does not resolve is reported at once."""
    org = patient.organization
    errors: dict[str, list[str]] = {}
    entry = None
    try:
        entry = protocol_store.entry_for_org(org, cleaned["protocol"], cleaned.get("protocol_version"))
    except NotFound as exc:
        errors["protocol"] = [exc.message]
    if entry is not None and entry.route in declined_routes(patient):
        errors["protocol"] = [f"A prescriber declined {entry.route.label} for this patient at screening: "
                              "choose a protocol for another route."]
    location = Location.objects.filter(organization=org, is_active=True, public_id=cleaned["location"]).first()
    if location is None:
        errors["location"] = ["No such location in this clinic."]
    therapist = None
    if cleaned.get("therapist"):
        therapist = scheduling.therapists(org.pk).filter(public_id=cleaned["therapist"]).first()
        if therapist is None:
            errors["therapist"] = ["Choose a therapist or prescriber of this clinic."]
    if errors:
        raise ValidationFailed(errors)
    return entry, location, therapist


def _phase(protocol, phase_name: str | None):
    """The phase named, or the protocol's first."""
    try:
        return protocol.phase(phase_name or protocol.phases[0].name)
    except cp.ProtocolError:
        raise ValidationFailed({"phase": [f"This protocol's phases are: {', '.join(p.name for p in protocol.phases)}."]}) from None


def create_plan(ctx: Context, patient: Patient, data: dict, now: dt.datetime | None = None) -> TreatmentPlan:
    """A draft plan for ``patient`` from a protocol version. Nothing is booked until activation."""
    require(ctx.user, "plan.edit")
    now = now or timezone.now()
    if patient.organization_id != ctx.user.organization_id:
        raise NotFound("No such patient.")
    cleaned = _validate(plan_forms.PlanForm, data)
    entry, protocol, phase, count, dose, location, therapist = _resolve_plan_input(ctx, patient, cleaned, now)
    with transaction.atomic():
        plan = TreatmentPlan.objects.create(
            organization_id=patient.organization_id, patient=patient,
            protocol_source=entry.source, protocol_key=entry.key, protocol_version=entry.version,
            protocol_title=protocol.title, protocol_data=entry.data, route=protocol.route.value,
            phase_name=phase.name, session_count=count, location=location, start_date=cleaned["start_date"],
            preferred_time=cleaned["preferred_time"], therapist=therapist, notes=cleaned.get("notes", ""),
            created_by=ctx.user, created_at=now)
        PlanDose.objects.create(plan=plan, version=1, dose=dose, unit=protocol.dose_rule.unit.value,
                                reason="Initial dose", created_by=ctx.user, created_at=now)
        PlanStatusChange.objects.create(plan=plan, to_status=PlanStatus.DRAFT, reason="Drafted", changed_by=ctx.user,
                                        changed_at=now)
        _timeline(ctx, patient, f"Treatment plan drafted: {protocol.title} ({count} session(s), {phase.name})")
        older_adult = protocol is not entry.protocol
        if older_adult:
            _timeline(ctx, patient, "Older-adult esketamine dose rule applied (clinic setting): lowest dose "
                                    f"{cp.esketamine_dose_mg(int(protocol.dose_rule.minimum))} mg, "
                                    f"first dose {cp.esketamine_dose_mg(int(dose))} mg")
        record(ctx, Action.PLAN_CREATE, obj=plan, patient=patient, detail={
            "protocol": f"{entry.source}:{entry.key}@{entry.version}", "phase": phase.name, "sessions": count,
            "dose": f"{dose.normalize():f} {protocol.dose_rule.unit.value}", "older_adult_dose_rule": older_adult})
    return plan
