"""Single appointments: book by hand, move, cancel, no-show, and the session module's status path."""

from __future__ import annotations

import datetime as dt
from datetime import UTC

from django import forms
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from ketamine_clinic.accounts.models import Location, User
from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical import protocols as cp
from ketamine_clinic.core.dates import check_dates
from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.core.text_limits import refuse_over_length
from ketamine_clinic.patients.models import Patient, TimelineEvent
from ketamine_clinic.patients.timeline import timeline_summary

from .. import booking_checks
from .. import forms as plan_forms
from ..clinic_policy import appointment_minutes, plans_policy
from ..models import LIVE_STATUSES, Appointment, AppointmentChange, AppointmentKind, AppointmentStatus, PlanStatus, Resource, TreatmentPlan
from ..plan_protocol import plan_protocol
from ._common import (
    BOOKABLE_KINDS,
    INPUT_CONFLICTS,
    _book,
    _change,
    _existing,
    _lock,
    _queue_reminders,
    _validate,
    check_dosing_resource,
)
from .reads import closed_dates_of, opening_hours_of

# Sent (ctx=, plan=) when the last dosing session of an active induction plan is done. Scheduling
# sits below the plan services, so it announces the event and plans.services.boosters answers it.
induction_finished = Signal()


def _to_utc(value, location: Location, field: str) -> dt.datetime:
    """An aware datetime as is; a naive one is the location's wall-clock time."""
    if isinstance(value, str):
        try:
            value = plan_forms.LocalDateTimeField().to_python(value)
        except forms.ValidationError as exc:
            raise ValidationFailed({field: list(exc.messages)}) from None
    if not isinstance(value, dt.datetime):
        raise ValidationFailed({field: ["A date and time is required."]})
    check_dates(**{field: value.date()})  # at the calendar's edges a time zone or a duration overflows
    if timezone.is_naive(value):
        local = value.replace(tzinfo=location.tz)
        if local.astimezone(UTC).astimezone(location.tz).replace(tzinfo=None) != value:
            raise ValidationFailed({field: [f"{value:%Y-%m-%d %H:%M} does not exist in {location.time_zone} (clocks go forward)."]})
        value = local
    return value.astimezone(UTC)


def _spacing_for(plan, kind: str) -> cp.Spacing | None:
    if plan is None or kind != AppointmentKind.DOSING:
        return None
    try:
        protocol = cp.protocol_from_dict(plan.protocol_data)
        return protocol.phase(plan.phase_name).spacing
    except cp.ProtocolError:
        return None


def _check(appt_like: dict, location: Location, patient: Patient, resource: Resource | None, plan, kind: str,
           now: dt.datetime, exclude_pk=None) -> None:
    if kind == AppointmentKind.DOSING and plan is not None:
        check_dosing_resource(plan.route, resource)
    start, end = appt_like["start"], appt_like["end"]
    proposed = cp.ProposedAppointment(appt_like.get("number") or 1, start, end, resource.name if resource else "")
    conflicts = cp.find_conflicts(
        proposed, _existing(location, patient, start, end, exclude_pk), patient_id=str(patient.pk), now=now,
        tz=location.time_zone, opening_hours=opening_hours_of(location), closed_dates=closed_dates_of(location),
        spacing=_spacing_for(plan, kind))
    if resource is None:  # a therapy visit: the staff member must be free too
        staff = appt_like.get("staff")
        if staff is not None:
            qs = Appointment.objects.filter(staff=staff, status__in=LIVE_STATUSES, start_at__lt=end, end_at__gt=start)
            if exclude_pk is not None:
                qs = qs.exclude(pk=exclude_pk)
            for other in qs:
                conflicts.append(cp.Conflict(cp.ConflictKind.RESOURCE_DOUBLE_BOOKED,
                                             f"{staff.name} is already booked "
                                             f"{other.start_at.astimezone(location.tz):%a %Y-%m-%d %H:%M}."))
    if not conflicts:
        return
    messages = [c.message for c in conflicts]
    if all(c.kind in INPUT_CONFLICTS for c in conflicts):
        raise ValidationFailed({"start": messages}, "The appointment cannot be booked at that time; nothing was saved.")
    raise Conflict("The appointment conflicts with the schedule; nothing was saved.", {"start": messages})


def _booking_location(patient: Patient, cleaned: dict) -> Location:
    location = Location.objects.filter(organization_id=patient.organization_id, is_active=True,
                                       public_id=cleaned["location"]).first()
    if location is None:
        raise ValidationFailed({"location": ["No such location in this clinic."]})
    return location


def _booking_plan(patient: Patient, cleaned: dict) -> TreatmentPlan | None:
    if not cleaned.get("plan"):
        return None
    plan = patient.treatment_plans.filter(public_id=cleaned["plan"]).first()
    if plan is None:
        raise ValidationFailed({"plan": ["No such plan for this patient."]})
    return plan


def _booking_resource(location: Location, cleaned: dict) -> Resource | None:
    if not cleaned.get("resource"):
        return None
    resource = location.resources.filter(public_id=cleaned["resource"], is_active=True, kind__in=BOOKABLE_KINDS).first()
    if resource is None:
        raise ValidationFailed({"resource": ["No such chair or room at this location."]})
    return resource


def _booking_staff(patient: Patient, cleaned: dict) -> User | None:
    if not cleaned.get("staff"):
        return None
    staff = User.objects.filter(organization_id=patient.organization_id, kind=User.Kind.STAFF, is_active=True,
                                public_id=cleaned["staff"]).first()
    if staff is None:
        raise ValidationFailed({"staff": ["No such staff member in this clinic."]})
    return staff


def _require_chair_or_staff(kind: str, resource: Resource | None, staff: User | None) -> None:
    if kind == AppointmentKind.DOSING and resource is None:
        raise ValidationFailed({"resource": ["A dosing session needs a chair or room."]})
    if kind != AppointmentKind.DOSING and resource is None and staff is None:
        raise ValidationFailed({"staff": ["Choose the therapist (or a room)."]})


def _booking_minutes(patient: Patient, cleaned: dict, kind: str, plan) -> int:
    if cleaned.get("duration_min"):
        return cleaned["duration_min"]
    if kind == AppointmentKind.DOSING and plan is not None:
        return appointment_minutes(patient.organization, plan_protocol(plan))
    return plans_policy(patient.organization)["therapy_minutes"]


def book_appointment(ctx: Context, patient: Patient, data: dict, now: dt.datetime | None = None) -> Appointment:
    """Book one appointment by hand. ``data``: location, start (local or aware), kind, resource or staff,
    plan (optional), duration_min (optional)."""
    require(ctx.user, "schedule.manage")
    now = now or timezone.now()
    cleaned = _validate(plan_forms.AppointmentForm, data)
    location = _booking_location(patient, cleaned)
    plan = _booking_plan(patient, cleaned)
    kind = cleaned["kind"]
    resource = _booking_resource(location, cleaned)
    staff = _booking_staff(patient, cleaned)
    _require_chair_or_staff(kind, resource, staff)
    start = _to_utc(cleaned["start"], location, "start")
    end = start + dt.timedelta(minutes=_booking_minutes(patient, cleaned, kind, plan))
    with transaction.atomic():
        _lock(location, patient)
        _check({"start": start, "end": end, "staff": staff}, location, patient, resource, plan, kind, now)
        checks = booking_checks.Overrides(cleaned.get("reason"), field="reason")
        problems = checks.check(patient, kind, start.astimezone(location.tz).date(), now.astimezone(location.tz).date())
        checks.refuse_unless_reason()
        appt = _book(ctx, checks.reason, overridden=problems,
                     organization_id=patient.organization_id, location=location, patient=patient, plan=plan, kind=kind,
                     phase_name=plan.phase_name if plan else "", resource=resource, staff=staff, start_at=start, end_at=end)
        TimelineEvent.objects.create(patient=patient, kind="appointment", actor=ctx.user,
                                     summary=f"{appt.get_kind_display()} booked for {appt.local_start():%Y-%m-%d %H:%M} at {location.name}")
        _queue_reminders([appt])
    return appt


def reschedule_appointment(ctx: Context, appt: Appointment, data: dict, now: dt.datetime | None = None) -> Appointment:
    """Move a booked appointment (``data``: start, resource, reason, version). A dosing session moved
    past the booking checks (prior authorizations) also needs ``override_reason``, audited."""
    require(ctx.user, "schedule.manage")
    now = now or timezone.now()
    cleaned = _validate(plan_forms.RescheduleForm, data)
    location = appt.location
    start = _to_utc(cleaned["start"], location, "start")
    end = start + (appt.end_at - appt.start_at)
    resource = appt.resource
    if cleaned.get("resource"):
        resource = location.resources.filter(public_id=cleaned["resource"], is_active=True, kind__in=BOOKABLE_KINDS).first()
        if resource is None:
            raise ValidationFailed({"resource": ["No such chair or room at this location."]})
    with transaction.atomic():
        _lock(location, appt.patient)
        locked = Appointment.objects.select_for_update().get(pk=appt.pk)
        if locked.status != AppointmentStatus.BOOKED:
            raise Conflict(f"Only a booked appointment can be moved; this one is {locked.get_status_display().lower()}.")
        if locked.version != cleaned["version"]:
            raise Conflict("This appointment was changed by someone else; reload and try again.")
        _check({"start": start, "end": end, "staff": locked.staff}, location, locked.patient, resource, locked.plan,
               locked.kind, now, exclude_pk=locked.pk)
        checks = booking_checks.Overrides(cleaned.get("override_reason"))
        checks.check(locked.patient, locked.kind, start.astimezone(location.tz).date(), now.astimezone(location.tz).date(),
                     exclude_pk=locked.pk)
        checks.refuse_unless_reason()
        old = locked.start_at
        locked.start_at, locked.end_at, locked.resource = start, end, resource
        locked.version += 1
        locked.updated_at = now
        locked.save()
        _change(ctx, locked, "rescheduled", cleaned["reason"], from_start=old, from_status=locked.status)
        TimelineEvent.objects.create(patient=locked.patient, kind="appointment", actor=ctx.user,
                                     summary=timeline_summary(f"Appointment moved from {old.astimezone(location.tz):%Y-%m-%d %H:%M} to "
                                                              f"{locked.local_start():%Y-%m-%d %H:%M}: {cleaned['reason']}"))
        detail = {"from": old.isoformat(), "to": start.isoformat(), "reason": cleaned["reason"]}
        if checks.problems:
            detail["overridden"] = {"checks": checks.problems, "reason": checks.reason}
        record(ctx, Action.APPOINTMENT_RESCHEDULE, obj=locked, patient=locked.patient, detail=detail)
        _queue_reminders([locked])
    return locked


def _end_appointment(ctx: Context, appt: Appointment, status: str, reason: str, now=None) -> Appointment:
    require(ctx.user, "schedule.manage")
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": ["Say why."]})
    refuse_over_length(reason, AppointmentChange, "reason")
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appt.pk)
        if locked.status != AppointmentStatus.BOOKED:
            raise Conflict(f"This appointment is already {locked.get_status_display().lower()}.")
        if status == AppointmentStatus.NO_SHOW and locked.start_at > now:
            raise Conflict("A no-show can be recorded only once the appointment has started.")
        old = locked.status
        locked.status, locked.status_reason = status, reason
        locked.version += 1
        locked.updated_at = now
        locked.save()
        label = "cancelled" if status == AppointmentStatus.CANCELLED else "marked no-show"
        _change(ctx, locked, "cancelled" if status == AppointmentStatus.CANCELLED else "no_show", reason, from_status=old)
        TimelineEvent.objects.create(patient=locked.patient, kind="appointment", actor=ctx.user,
                                     summary=timeline_summary(f"Appointment {locked.local_start():%Y-%m-%d %H:%M} {label}: {reason}"))
        record(ctx, Action.APPOINTMENT_CANCEL if status == AppointmentStatus.CANCELLED else Action.APPOINTMENT_NO_SHOW, obj=locked,
               patient=locked.patient, detail={"reason": reason})
    return locked


def cancel_appointment(ctx: Context, appt: Appointment, reason: str, now=None) -> Appointment:
    return _end_appointment(ctx, appt, AppointmentStatus.CANCELLED, reason, now)


def mark_no_show(ctx: Context, appt: Appointment, reason: str, now=None) -> Appointment:
    return _end_appointment(ctx, appt, AppointmentStatus.NO_SHOW, reason, now)


# The session module moves a booked appointment along this path.
NEXT_STATUS = {
    AppointmentStatus.BOOKED: {AppointmentStatus.CHECKED_IN},
    AppointmentStatus.CHECKED_IN: {AppointmentStatus.IN_SESSION, AppointmentStatus.BOOKED},
    AppointmentStatus.IN_SESSION: {AppointmentStatus.DONE},
}


def set_appointment_status(ctx: Context, appt: Appointment, status: str, reason: str = "") -> Appointment:
    """Check in, start, finish (for the session module): booked → checked in → in session → done."""
    require(ctx.user, "schedule.manage")
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appt.pk)
        if status not in NEXT_STATUS.get(locked.status, set()):
            raise Conflict(f"An appointment that is {locked.get_status_display().lower()} cannot become {status}.")
        old = locked.status
        locked.status = status
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save()
        _change(ctx, locked, "status", reason, from_status=old)
        record(ctx, Action.APPOINTMENT_STATUS, obj=locked, patient=locked.patient, detail={"from": old, "to": status})
        if status == AppointmentStatus.DONE and locked.plan_id and locked.kind == AppointmentKind.DOSING:
            _induction_finished(ctx, locked.plan)
    return locked


def _induction_finished(ctx: Context, plan) -> None:
    """When the last session of an induction plan is done, the plan services propose the maintenance
    schedule (``plans.services.boosters`` answers ``induction_finished``, in this transaction)."""
    if plan.kind != TreatmentPlan.Kind.INDUCTION or plan.status != PlanStatus.ACTIVE:
        return
    done = plan.appointments.filter(kind=AppointmentKind.DOSING, status=AppointmentStatus.DONE).count()
    if done >= plan.session_count:
        induction_finished.send(sender=TreatmentPlan, ctx=ctx, plan=plan)


def cancel_future_plan_appointments(ctx: Context, plan, reason: str, now: dt.datetime) -> int:
    """Cancel a plan's booked appointments from now on (pausing or stopping a plan)."""
    count = 0
    for appt in plan.appointments.select_for_update().filter(status=AppointmentStatus.BOOKED, start_at__gte=now):
        appt.status, appt.status_reason = AppointmentStatus.CANCELLED, reason
        appt.version += 1
        appt.updated_at = now
        appt.save()
        _change(ctx, appt, "cancelled", reason, from_status=AppointmentStatus.BOOKED)
        count += 1
    return count
