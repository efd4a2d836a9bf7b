"""Helpers shared by the plan service modules: validation, the chart line, the plan's protocol,
the row lock, status changes and the screening check."""

from __future__ import annotations

import datetime as dt

from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.core.errors import Conflict
from ketamine_clinic.patients.models import Patient, TimelineEvent
from ketamine_clinic.patients.timeline import timeline_summary
from ketamine_clinic.screening.services import current_decisions
from ketamine_clinic.screening.services import may_treat as screening_may_treat

from .. import scheduling
from ..models import LIVE_STATUSES, AppointmentKind, PlanStatus, PlanStatusChange, TreatmentPlan
from ..plan_protocol import for_patient, plan_protocol  # noqa: F401  (services.plan_protocol stays public)
from ..scheduling._common import _validate  # noqa: F401  (one form check for the whole app)


OPEN_STATUSES = (PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.PAUSED)


def _timeline(ctx: Context, patient: Patient, summary: str) -> None:
    TimelineEvent.objects.create(patient=patient, kind="plan", summary=timeline_summary(summary), actor=ctx.user)


def may_treat(patient: Patient, route, on_date: dt.date):
    return screening_may_treat(patient, route, on_date)


def declined_routes(patient: Patient) -> set[Route]:
    """Routes a prescriber declined on the patient's current evaluation (signed decisions)."""
    return {route for route, d in current_decisions(patient).items() if d.decision == "decline"}


def _lock_plan(plan: TreatmentPlan) -> TreatmentPlan:
    locked = TreatmentPlan.objects.select_for_update(of=("self",)).select_related("patient", "location", "therapist").get(pk=plan.pk)
    return locked


def _status_change(ctx, plan, to_status, reason, now, signed=False):
    PlanStatusChange.objects.create(plan=plan, from_status=plan.status, to_status=to_status, reason=reason,
                                    signed=signed, changed_by=ctx.user, changed_at=now)
    plan.status = to_status
    plan.version += 1


def _screened(plan: TreatmentPlan, now: dt.datetime) -> None:
    permission = may_treat(plan.patient, plan.route, scheduling.local_today(plan.location, now))
    if not permission.allowed:
        raise Conflict("The plan cannot be activated: " + " ".join(permission.reasons),
                       {"activation": list(permission.reasons)})


def _live_dosing(plan: TreatmentPlan):
    return plan.appointments.filter(kind=AppointmentKind.DOSING, status__in=LIVE_STATUSES).order_by("start_at")
