"""Activate (signed, screened), pause, resume, complete, stop, and dose changes (versioned, signed)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical import protocols as cp
from ketamine_clinic.core.errors import Conflict, ValidationFailed, require_own_clinic
from ketamine_clinic.core.text_limits import refuse_over_length
from ketamine_clinic.directory.services import refuse_if_blocked
from ketamine_clinic.education import services as education

from .. import forms as plan_forms
from .. import scheduling
from ..models import AppointmentChange, PlanDose, PlanStatus, PlanStatusChange, TreatmentPlan
from ._common import OPEN_STATUSES, _live_dosing, _lock_plan, _screened, _status_change, _timeline, _validate, plan_protocol
from .boosters import propose_maintenance_for


def activate_plan(ctx: Context, plan: TreatmentPlan, reason: str = "", now: dt.datetime | None = None, *,
                  override_reason: str = "") -> tuple[TreatmentPlan, list[str]]:
    """Sign and activate a draft: screening must allow the route; the sessions are booked.
    Sessions past the booking checks (prior authorizations) need ``override_reason``.

    Returns the plan and warnings (therapy sessions that could not be placed).
    """
    require(ctx.user, "plan.sign")
    require_own_clinic(ctx.user, plan.organization_id, "plan")
    now = now or timezone.now()
    reason = (reason or "").strip()
    refuse_over_length(reason, PlanStatusChange, "reason")
    refuse_over_length(override_reason or "", AppointmentChange, "reason", key="override_reason")
    refuse_if_blocked(ctx.user, timezone.localdate(now), field="plan", location=plan.location)  # an expired licence or DEA refuses (409)
    warnings: list[str] = []
    with transaction.atomic():
        plan = _lock_plan(plan)
        if plan.status != PlanStatus.DRAFT:
            raise Conflict(f"Only a draft plan can be activated; this one is {plan.get_status_display().lower()}.")
        if plan.start_date < scheduling.local_today(plan.location, now):
            raise ValidationFailed({"start_date": [f"The plan starts on {plan.start_date}, which is now in the past: "
                                                   "draft a new plan with a later start."]})
        _screened(plan, now)
        protocol = plan_protocol(plan)
        booked = []
        if not protocol.at_home:
            booked = scheduling.book_series(ctx, plan, protocol, protocol.phase(plan.phase_name), plan.session_count,
                                            start=plan.start_date, now=now, override_reason=override_reason)
            _, warnings = scheduling.book_linked_sessions(ctx, plan, protocol, booked, now)
        dose = plan.doses.order_by("-version").first()
        PlanDose.objects.filter(pk=dose.pk).update(signed_by=ctx.user, signed_at=now)
        _status_change(ctx, plan, PlanStatus.ACTIVE, reason or "Activated", now, signed=True)
        plan.activated_by, plan.activated_at = ctx.user, now
        plan.save()
        first = booked[0].local_start() if booked else None
        _timeline(ctx, plan.patient, f"Treatment plan activated and signed: {plan.protocol_title}; {len(booked)} session(s) booked"
                  + (f" from {first:%Y-%m-%d %H:%M}" if first else ""))
        record(ctx, Action.PLAN_ACTIVATE, obj=plan, patient=plan.patient,
               detail={"booked": len(booked), "dose_version": dose.version, "warnings": warnings})
        education.send_pack_for_plan(ctx, plan)  # the route's pages for before treatment (clinic policy)
    return plan, warnings


def change_status(ctx: Context, plan: TreatmentPlan, to_status: str, reason: str,
                  now: dt.datetime | None = None, *, override_reason: str = "") -> TreatmentPlan:
    """Pause, resume, complete or stop a plan (signed, with a reason). Resuming books the remaining
    sessions: past the booking checks (prior authorizations) they need ``override_reason``."""
    require(ctx.user, "plan.sign")
    require_own_clinic(ctx.user, plan.organization_id, "plan")
    now = now or timezone.now()
    reason = (reason or "").strip()
    allowed = {
        PlanStatus.PAUSED: (PlanStatus.ACTIVE,),
        PlanStatus.ACTIVE: (PlanStatus.PAUSED,),  # resume; a draft is activated with activate_plan
        PlanStatus.COMPLETED: (PlanStatus.ACTIVE, PlanStatus.PAUSED),
        PlanStatus.STOPPED: (PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.PAUSED),
    }
    if to_status not in allowed:
        raise ValidationFailed({"status": ["Choose paused, active (resume), completed or stopped."]})
    if not reason:
        raise ValidationFailed({"reason": ["Say why."]})
    refuse_over_length(reason, PlanStatusChange, "reason")
    refuse_over_length(override_reason or "", AppointmentChange, "reason", key="override_reason")
    with transaction.atomic():
        plan = _lock_plan(plan)
        if plan.status not in allowed[to_status]:
            raise Conflict(f"A plan that is {plan.get_status_display().lower()} cannot become {to_status}.")
        protocol = plan_protocol(plan)
        summary = ""
        if to_status in (PlanStatus.PAUSED, PlanStatus.STOPPED):
            n = scheduling.cancel_future_plan_appointments(ctx, plan, f"Plan {to_status}: {reason}", now)
            summary = f"; {n} future appointment(s) cancelled" if n else ""
        elif to_status == PlanStatus.ACTIVE:
            _screened(plan, now)
            live = list(_live_dosing(plan))
            remaining = plan.session_count - len(live)
            if remaining > 0 and not protocol.at_home:
                booked = scheduling.book_series(
                    ctx, plan, protocol, protocol.phase(plan.phase_name), remaining, start=now,
                    previous_utc=[a.start_at for a in live], first_number=len(live) + 1, now=now,
                    override_reason=override_reason)
                summary = f"; {len(booked)} session(s) booked"
        _status_change(ctx, plan, to_status, reason, now, signed=True)
        plan.save()
        _timeline(ctx, plan.patient, f"Treatment plan {plan.get_status_display().lower()}: {reason}{summary}")
        record(ctx, Action.plan_status(to_status), obj=plan, patient=plan.patient, detail={"reason": reason})
        if to_status == PlanStatus.COMPLETED and plan.kind == TreatmentPlan.Kind.INDUCTION:
            propose_maintenance_for(ctx, plan, now=now)
    return plan


def change_dose(ctx: Context, plan: TreatmentPlan, data: dict, now: dt.datetime | None = None) -> PlanDose:
    """A new signed dose version; refused when outside the protocol's range."""
    require(ctx.user, "plan.sign")
    require_own_clinic(ctx.user, plan.organization_id, "plan")
    now = now or timezone.now()
    cleaned = _validate(plan_forms.DoseForm, data)
    refuse_if_blocked(ctx.user, timezone.localdate(now), field="dose", location=plan.location)
    protocol = plan_protocol(plan)
    refusal = cp.validate_dose(protocol, cleaned["dose"])
    if refusal is not None:
        raise ValidationFailed({"dose": [refusal.message]}, "The dose was refused; nothing was saved.")
    with transaction.atomic():
        plan = _lock_plan(plan)
        if plan.status not in OPEN_STATUSES:
            raise Conflict(f"The plan is {plan.get_status_display().lower()}; its dose can no longer change.")
        last = plan.doses.order_by("-version").first()
        dose = PlanDose.objects.create(plan=plan, version=last.version + 1, dose=cleaned["dose"],
                                       unit=protocol.dose_rule.unit.value, reason=cleaned["reason"],
                                       created_by=ctx.user, created_at=now, signed_by=ctx.user, signed_at=now)
        plan.version += 1
        plan.save(update_fields=["version"])
        _timeline(ctx, plan.patient, f"Plan dose changed from {last.dose.normalize():f} to {dose.dose.normalize():f} "
                                     f"{dose.unit} (signed): {dose.reason}")
        record(ctx, Action.PLAN_DOSE_CHANGE, obj=plan, patient=plan.patient, detail={
            "from": f"{last.dose.normalize():f}", "to": f"{dose.dose.normalize():f}", "unit": dose.unit,
            "version": dose.version, "reason": dose.reason})
    return dose
