"""Booster proposals: the maintenance taper after induction, an earlier booster after a relapse
signal, and the prescriber's accept or decline."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical import protocols as cp
from ketamine_clinic.core.errors import Conflict, ValidationFailed, require_own_clinic
from ketamine_clinic.core.text_limits import refuse_over_length

from .. import booking_checks
from .. import forms as plan_forms
from .. import scheduling
from . import protocol_store
from ..models import (
    AppointmentChange,
    AppointmentStatus,
    BoosterProposal,
    ClinicProtocol,
    PlanDose,
    PlanStatus,
    PlanStatusChange,
    TreatmentPlan,
)
from ..clinic_policy import plans_policy
from ._common import _live_dosing, _lock_plan, _screened, _status_change, _timeline, _validate, for_patient, plan_protocol


def _has_maintenance(protocol: cp.Protocol) -> bool:
    return any(p.spacing.interval_days for p in protocol.phases)


def maintenance_protocol_for(plan: TreatmentPlan) -> protocol_store.ProtocolEntry | None:
    """The plan's own protocol when it has maintenance phases; else the clinic's own (then the
    shipped) protocol for the same route with maintenance phases and a relapse rule."""
    own = plan_protocol(plan)
    if _has_maintenance(own):
        return protocol_store.ProtocolEntry(plan.protocol_source, plan.protocol_key, plan.protocol_version, own,
                                            plan.protocol_data)
    latest: dict = {}
    for row in ClinicProtocol.objects.filter(organization_id=plan.organization_id, route=plan.route).order_by("key", "-version"):
        latest.setdefault(row.key, row)
    candidates = [protocol_store.clinic_entry(r) for r in latest.values()]
    candidates += [protocol_store.library_entry(plan.organization, k) for k, p in cp.PROTOCOLS.items()
                   if p.route.value == plan.route]
    for entry in candidates:
        p = entry.protocol
        if _has_maintenance(p) and p.relapse_rule is not None and not p.at_home:
            return entry
    return None


def _visit_dicts(visits) -> list[dict]:
    return [{"due_date": v.due_date.isoformat(), "phase_name": v.phase_name, "interval_days": v.interval_days,
             "source": v.source, "interval_options_days": list(v.interval_options_days)} for v in visits]


def _visits_with_choices(proposal: BoosterProposal, interval_choices: dict) -> list[dict]:
    """The maintenance visits again, with the prescriber's interval for phases that offer a choice
    (Spravato week 9 on: weekly or every 2 weeks, the least frequent that keeps response)."""
    protocol = cp.protocol_from_dict(proposal.protocol_data)
    first = proposal.visits[0]
    induction_end = dt.date.fromisoformat(first["due_date"]) - dt.timedelta(days=first["interval_days"])
    open_ended = sum(1 for v in proposal.visits if protocol.phase(v["phase_name"]).session_count is None)
    try:
        visits = cp.propose_maintenance(protocol, induction_end, open_ended_sessions=open_ended,
                                        interval_choices=interval_choices)
    except cp.BoosterError as exc:
        raise ValidationFailed({exc.field: [exc.message]}) from None
    return _visit_dicts(visits)


def propose_maintenance_for(ctx: Context | None, plan: TreatmentPlan, now: dt.datetime | None = None) -> BoosterProposal | None:
    """When induction ends: the maintenance taper from the protocol, as a proposal to accept or decline."""
    now = now or timezone.now()
    if plan.booster_proposals.filter(kind=BoosterProposal.Kind.MAINTENANCE,
                                     status__in=[BoosterProposal.Status.PROPOSED, BoosterProposal.Status.ACCEPTED]).exists():
        return None
    entry = maintenance_protocol_for(plan)
    if entry is None:
        return None
    last = _live_dosing(plan).filter(start_at__lte=now).last() or _live_dosing(plan).last()
    end_date = last.start_at.astimezone(plan.location.tz).date() if last else scheduling.local_today(plan.location, now)
    visits = cp.propose_maintenance(entry.protocol, end_date,
                                    open_ended_sessions=plans_policy(plan.organization)["maintenance_open_ended_sessions"])
    proposal = BoosterProposal.objects.create(
        plan=plan, kind=BoosterProposal.Kind.MAINTENANCE, protocol_source=entry.source, protocol_key=entry.key,
        protocol_version=entry.version, protocol_data=entry.data, visits=_visit_dicts(visits),
        explanation=f"Maintenance after the last session on {end_date}: {len(visits)} booster(s) from {entry.protocol.title}.",
        source=visits[0].source if visits else "", created_by=ctx.user if ctx else None, created_at=now)
    if ctx is not None:
        record(ctx, Action.BOOSTER_PROPOSE, obj=proposal, object_type="plans.boosterproposal", patient=plan.patient,
               organization=plan.patient.organization, detail={"kind": "maintenance", "visits": len(visits)})
    return proposal


@receiver(scheduling.induction_finished)
def _maintenance_after_induction(sender, ctx: Context, plan: TreatmentPlan, **kwargs) -> None:
    propose_maintenance_for(ctx, plan)


def signal_relapse(ctx: Context, plan: TreatmentPlan, data: dict, now: dt.datetime | None = None) -> BoosterProposal:
    """A clinician's relapse note on a maintenance plan proposes an earlier booster."""
    require(ctx.user, "plan.edit")
    require_own_clinic(ctx.user, plan.organization_id, "plan")
    now = now or timezone.now()
    cleaned = _validate(plan_forms.RelapseForm, data)
    today = scheduling.local_today(plan.location, now)
    signal_date = cleaned.get("signal_date") or today
    if signal_date > today:
        raise ValidationFailed({"signal_date": ["A relapse signal cannot be dated in the future."]})
    if plan.status != PlanStatus.ACTIVE:
        raise Conflict("Record a relapse signal on an active plan.")
    protocol = plan_protocol(plan)
    if protocol.relapse_rule is None:
        raise Conflict(f"{protocol.title} has no relapse rule: record the relapse on the patient's maintenance plan.")
    last = _live_dosing(plan).filter(start_at__lte=now).last()
    if last is None:
        raise Conflict("This plan has no session given yet to count from.")
    try:
        proposal = cp.propose_earlier_booster(cp.MaintenanceState(protocol, last.phase_name or plan.phase_name), signal_date,
                                              last.start_at.astimezone(plan.location.tz).date())
    except cp.BoosterError as exc:
        raise ValidationFailed({exc.field: [exc.message]}) from None
    with transaction.atomic():
        row = BoosterProposal.objects.create(
            plan=plan, kind=BoosterProposal.Kind.RELAPSE, protocol_source=plan.protocol_source,
            protocol_key=plan.protocol_key, protocol_version=plan.protocol_version, protocol_data=plan.protocol_data,
            visits=[{"due_date": proposal.due_date.isoformat(), "phase_name": proposal.phase_name,
                     "interval_days": proposal.interval_days, "source": proposal.source}],
            explanation=proposal.reason, source=proposal.source, signal_note=cleaned["note"], signal_date=signal_date,
            created_by=ctx.user, created_at=now)
        _timeline(ctx, plan.patient, f"Relapse signal recorded; earlier booster proposed from {proposal.due_date}")
        record(ctx, Action.BOOSTER_PROPOSE, obj=row, patient=plan.patient, organization=plan.patient.organization,
               detail={"kind": "relapse", "due": proposal.due_date.isoformat()})
    return row


def _book_visits(ctx, plan, protocol, visits, now, override_reason: str = "") -> list:
    """Book each proposed visit on its due date (or the first workable day after). The due dates
    come from the clinical core with the spacing already applied, so they are not re-spaced here.
    Visits past the booking checks (prior authorizations) need ``override_reason``: refused once,
    listing every problem date, when it is missing."""
    booked = []
    checks = booking_checks.Overrides(override_reason)
    for v in visits:
        due = max(dt.date.fromisoformat(v["due_date"]), scheduling.local_today(plan.location, now))
        booked += scheduling.book_series(ctx, plan, protocol, protocol.phase(v["phase_name"]), 1, start=due,
                                         first_number=_live_dosing(plan).count() + 1, now=now, overrides=checks)
    checks.refuse_unless_reason()
    return booked


def accept_proposal(ctx: Context, proposal: BoosterProposal, reason: str = "", now: dt.datetime | None = None,
                    *, interval_choices: dict | None = None, override_reason: str = "") -> BoosterProposal:
    """The prescriber accepts: the boosters are booked (a maintenance plan is started, signed).
    ``interval_choices`` ({phase name: days}) picks the interval of a phase that offers a choice.
    Boosters past the booking checks (prior authorizations) need ``override_reason``."""
    require(ctx.user, "plan.sign")
    require_own_clinic(ctx.user, proposal.plan.organization_id, "proposal")
    now = now or timezone.now()
    reason = (reason or "").strip()
    refuse_over_length(reason, BoosterProposal, "decision_reason", key="reason")
    refuse_over_length(reason, PlanStatusChange, "reason")  # a maintenance plan is started with it
    refuse_over_length(override_reason or "", AppointmentChange, "reason", key="override_reason")
    with transaction.atomic():
        proposal = BoosterProposal.objects.select_for_update().select_related("plan").get(pk=proposal.pk)
        if proposal.status != BoosterProposal.Status.PROPOSED:
            raise Conflict(f"This proposal was already {proposal.get_status_display().lower()}.")
        if interval_choices and proposal.kind == BoosterProposal.Kind.MAINTENANCE:
            proposal.visits = _visits_with_choices(proposal, interval_choices)
        source_plan = _lock_plan(proposal.plan)
        protocol = for_patient(cp.protocol_from_dict(proposal.protocol_data), source_plan.patient,
                               dt.date.fromisoformat(proposal.visits[0]["due_date"]))
        if proposal.kind == BoosterProposal.Kind.MAINTENANCE:
            first_phase = proposal.visits[0]["phase_name"]
            old_dose = source_plan.doses.order_by("-version").first()
            dose = old_dose.dose if cp.validate_dose(protocol, old_dose.dose) is None else protocol.dose_rule.default
            target = TreatmentPlan.objects.create(
                organization_id=source_plan.organization_id, patient=source_plan.patient, kind=TreatmentPlan.Kind.MAINTENANCE,
                follows=source_plan, protocol_source=proposal.protocol_source, protocol_key=proposal.protocol_key,
                protocol_version=proposal.protocol_version, protocol_title=protocol.title, protocol_data=proposal.protocol_data,
                route=protocol.route.value, phase_name=first_phase, session_count=len(proposal.visits),
                location=source_plan.location, start_date=dt.date.fromisoformat(proposal.visits[0]["due_date"]),
                preferred_time=source_plan.preferred_time, therapist=source_plan.therapist, created_by=ctx.user,
                created_at=now)
            PlanDose.objects.create(plan=target, version=1, dose=dose, unit=protocol.dose_rule.unit.value,
                                    reason="Carried over from the induction plan", created_by=ctx.user, created_at=now,
                                    signed_by=ctx.user, signed_at=now)
            PlanStatusChange.objects.create(plan=target, to_status=PlanStatus.DRAFT, reason="From maintenance proposal",
                                            changed_by=ctx.user, changed_at=now)
            _screened(target, now)
            booked = _book_visits(ctx, target, protocol, proposal.visits, now, override_reason)
            _status_change(ctx, target, PlanStatus.ACTIVE, reason or "Maintenance proposal accepted", now, signed=True)
            target.activated_by, target.activated_at = ctx.user, now
            target.save()
            proposal.result_plan = target
        else:
            if source_plan.status != PlanStatus.ACTIVE:
                raise Conflict("The plan is no longer active.")
            _screened(source_plan, now)
            visit = proposal.visits[0]
            replaced_before = dt.date.fromisoformat(visit["due_date"]) + dt.timedelta(days=visit["interval_days"])
            start_replaced, _ = scheduling.local_day_bounds(source_plan.location, replaced_before)
            for appt in _live_dosing(source_plan).filter(status=AppointmentStatus.BOOKED, start_at__gt=now,
                                                          start_at__lt=start_replaced):
                scheduling.cancel_appointment(ctx, appt, "Replaced by the earlier booster after a relapse signal", now)
            booked = _book_visits(ctx, source_plan, protocol, proposal.visits, now, override_reason)
            source_plan.phase_name = proposal.visits[0]["phase_name"]
            source_plan.session_count += len(booked)
            source_plan.version += 1
            source_plan.save()
            proposal.result_plan = source_plan
        proposal.status = BoosterProposal.Status.ACCEPTED
        proposal.decided_by, proposal.decided_at, proposal.decision_reason = ctx.user, now, reason
        proposal.save()
        _timeline(ctx, source_plan.patient, f"{proposal.get_kind_display()} accepted: {len(booked)} booster(s) booked")
        record(ctx, Action.BOOSTER_ACCEPT, obj=proposal, patient=source_plan.patient, organization=source_plan.patient.organization,
               detail={"booked": [str(a.public_id) for a in booked]})
    return proposal


def decline_proposal(ctx: Context, proposal: BoosterProposal, reason: str, now: dt.datetime | None = None) -> BoosterProposal:
    require(ctx.user, "plan.sign")
    require_own_clinic(ctx.user, proposal.plan.organization_id, "proposal")
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": ["Say why the proposal is declined."]})
    refuse_over_length(reason, BoosterProposal, "decision_reason", key="reason")
    with transaction.atomic():
        proposal = BoosterProposal.objects.select_for_update().select_related("plan__patient").get(pk=proposal.pk)
        if proposal.status != BoosterProposal.Status.PROPOSED:
            raise Conflict(f"This proposal was already {proposal.get_status_display().lower()}.")
        proposal.status = BoosterProposal.Status.DECLINED
        proposal.decided_by, proposal.decided_at, proposal.decision_reason = ctx.user, now, reason
        proposal.save()
        patient = proposal.plan.patient
        _timeline(ctx, patient, f"{proposal.get_kind_display()} declined: {reason}")
        record(ctx, Action.BOOSTER_DECLINE, obj=proposal, patient=patient, organization=patient.organization,
               detail={"reason": reason})
    return proposal
