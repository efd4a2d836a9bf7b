"""Reads scoped to the actor's clinic: patients, plans, proposals, and what a plan would book."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import QuerySet

from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical import protocols as cp
from ketamine_clinic.core.errors import NotFound
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.patients.services import get_patient_for

from .. import scheduling
from ..models import AppointmentKind, AppointmentStatus, BoosterProposal, TreatmentPlan
from ._common import plan_protocol


def patient_for(ctx: Context, public_id, action: str = "plan.view") -> Patient:
    return get_patient_for(ctx, public_id, action=action, audit_action=None)


def plans_for(ctx: Context, patient: Patient) -> QuerySet[TreatmentPlan]:
    require(ctx.user, "plan.view")
    return patient.treatment_plans.filter(organization_id=ctx.user.organization_id).select_related("location", "therapist")


def get_plan_for(ctx: Context, public_id, action: str = "plan.view", audit: bool = False) -> TreatmentPlan:
    require(ctx.user, action)
    try:
        plan = (TreatmentPlan.objects.select_related("patient", "location", "therapist", "created_by", "activated_by")
                .get(organization_id=ctx.user.organization_id, public_id=public_id))
    except (TreatmentPlan.DoesNotExist, ValueError, TypeError, forms.ValidationError):
        raise NotFound("No such plan.") from None
    if audit:
        record(ctx, Action.PLAN_VIEW, obj=plan, patient=plan.patient)
    return plan


def get_proposal_for(ctx: Context, public_id, action: str = "plan.view") -> BoosterProposal:
    require(ctx.user, action)
    try:
        return (BoosterProposal.objects.select_related("plan", "plan__patient", "plan__location")
                .get(plan__organization_id=ctx.user.organization_id, public_id=public_id))
    except (BoosterProposal.DoesNotExist, ValueError, TypeError, forms.ValidationError):
        raise NotFound("No such proposal.") from None


def sessions_done(plan: TreatmentPlan) -> int:
    return plan.appointments.filter(kind=AppointmentKind.DOSING, status=AppointmentStatus.DONE).count()


def titration_hints(plan: TreatmentPlan) -> list[cp.TitrationRule]:
    """The protocol's titration rules that apply after the sessions done so far."""
    protocol = plan_protocol(plan)
    done = sessions_done(plan)
    hints = []
    for condition in cp.TitrationCondition:
        rule = cp.titration_for(protocol, condition, done)
        if rule is not None:
            hints.append(rule)
    return hints


def preview_schedule(plan: TreatmentPlan, now: dt.datetime | None = None) -> tuple[list, str]:
    """What activation would book now (nothing written), or why it cannot."""
    protocol = plan_protocol(plan)
    if protocol.at_home:
        return [], "Doses are taken at home: no clinic sessions are booked."
    try:
        return scheduling.propose_series(plan, protocol, protocol.phase(plan.phase_name), plan.session_count,
                                         start=plan.start_date, now=now), ""
    except cp.SchedulingError as exc:
        failed = scheduling.explain_scheduling_error(exc)
        return [], next(iter(failed.errors.values()))[0]


def therapist_choices(organization_id) -> list[User]:
    return list(scheduling.therapists(organization_id))
