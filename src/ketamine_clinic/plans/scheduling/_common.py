"""Helpers shared by the scheduling modules: the database's facts for the clinical core, the
booking lock, the change log and reminder queueing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ketamine_clinic.accounts.models import Location, User
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical import protocols as cp
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.core.errors import validated as _validate  # noqa: F401  (one form check, used by the service modules)
from ketamine_clinic.patients.models import Patient

from ..models import LIVE_STATUSES, Appointment, AppointmentChange, AppointmentKind, Resource
from ..services.reminders import queue_reminders


INPUT_CONFLICTS = {cp.ConflictKind.IN_THE_PAST, cp.ConflictKind.OUTSIDE_OPENING_HOURS}


BOOKABLE_KINDS = (Resource.Kind.CHAIR, Resource.Kind.ROOM)

# Where a dosing session of each route may be booked (clinic policy). Esketamine (2 h monitored
# observation, spravato-pi) takes a treatment chair, never a therapy room; the other routes may be
# given in a chair or a room (an infusion room, ketamine-assisted psychotherapy).
DOSING_RESOURCE_KINDS = {
    Route.ESKETAMINE_NASAL: (Resource.Kind.CHAIR,),
}


def dosing_resource_kinds(route) -> tuple[str, ...]:
    return DOSING_RESOURCE_KINDS.get(Route(route), BOOKABLE_KINDS)


def check_dosing_resource(route, resource: Resource | None) -> None:
    """Refuse a dosing session of ``route`` in a resource of the wrong kind (a 422, nothing written)."""
    if resource is not None and resource.kind not in dosing_resource_kinds(route):
        allowed = " or ".join(Resource.Kind(k).label.lower() for k in dosing_resource_kinds(route))
        raise ValidationFailed({"resource": [f"{Route(route).label} dosing is booked in a {allowed}, "
                                             f"not in {resource.name} ({resource.get_kind_display().lower()})."]})


def _existing(location: Location, patient: Patient, start: dt.datetime, end: dt.datetime,
              exclude_pk: int | None = None) -> list[cp.ExistingAppointment]:
    """Live bookings near [start, end): the location's (for resources) and the patient's (for spacing)."""
    near = Q(start_at__lt=end + dt.timedelta(days=15), end_at__gt=start - dt.timedelta(days=15))
    qs = (Appointment.objects.filter(near, status__in=LIVE_STATUSES)
          .filter(Q(location=location) | Q(patient=patient)).select_related("resource"))
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return [
        cp.ExistingAppointment(
            a.start_at, a.end_at,
            resource_id=a.resource.name if a.resource_id and a.location_id == location.pk else None,
            patient_id=str(a.patient_id),
            is_dosing_session=a.kind == AppointmentKind.DOSING,
        )
        for a in qs
    ]


def _busy_by_resource(location: Location, resources: list[Resource], start: dt.datetime, days: int) -> dict:
    busy = defaultdict(list)
    rows = Appointment.objects.filter(location=location, resource__in=resources, status__in=LIVE_STATUSES,
                                      end_at__gt=start - dt.timedelta(days=1),
                                      start_at__lt=start + dt.timedelta(days=days + 2)).select_related("resource")
    for a in rows:
        busy[a.resource.name].append((a.start_at, a.end_at))
    return dict(busy)


def _patient_busy(patient: Patient, exclude_pk=None) -> list[tuple[dt.datetime, dt.datetime]]:
    qs = patient.appointments.filter(status__in=LIVE_STATUSES, end_at__gt=timezone.now() - dt.timedelta(days=1))
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.values_list("start_at", "end_at"))


def _staff_busy(user: User) -> list[tuple[dt.datetime, dt.datetime]]:
    return list(Appointment.objects.filter(staff=user, status__in=LIVE_STATUSES,
                                           end_at__gt=timezone.now() - dt.timedelta(days=1)).values_list("start_at", "end_at"))


def _lock(location: Location, patient: Patient) -> None:
    Location.objects.select_for_update().filter(pk=location.pk).first()
    Patient.objects.select_for_update().filter(pk=patient.pk).first()


def explain_scheduling_error(exc: cp.SchedulingError) -> ValidationFailed:
    field = {"count": "session_count", "start": "start_date", "preferred_time": "preferred_time",
             "resources": "location", "opening_hours": "location", "tz": "location"}.get(exc.field, exc.field)
    message = exc.message
    if exc.field == "resources":
        message = "This location has no active chair or room to book: a clinic admin adds them under Schedule → Rooms and hours."
    return ValidationFailed({field: [message]}, "The sessions could not be scheduled; nothing was booked.")


def _change(ctx: Context | None, appt: Appointment, action: str, reason: str = "", *, from_start=None, from_status="") -> None:
    AppointmentChange.objects.create(
        appointment=appt, action=action, from_start=from_start, to_start=appt.start_at, from_status=from_status,
        to_status=appt.status, reason=reason, changed_by=ctx.user if ctx and ctx.user.is_authenticated else None)


def _book(ctx: Context | None, reason: str, *, overridden: list[str] | None = None, **fields) -> Appointment:
    """Insert one appointment with its change line and audit event: every booking (by hand, a
    generated series, a linked therapy session) goes through here. Call inside a transaction.
    ``overridden``: the booking checks the reason overrode (kept in the audit event)."""
    appt = Appointment.objects.create(created_by=ctx.user if ctx and ctx.user.is_authenticated else None, **fields)
    _change(ctx, appt, "booked", reason)
    detail = {"start": appt.start_at.isoformat()}
    if overridden:
        detail["overridden"] = {"checks": overridden, "reason": reason}
    if appt.plan_id:
        detail["plan"] = str(appt.plan.public_id)
    record(ctx, Action.APPOINTMENT_BOOK, obj=appt, patient=appt.patient, detail=detail)
    return appt


def _queue_reminders(appointments: list[Appointment]) -> None:
    ids = [str(a.public_id) for a in appointments]
    if ids:
        transaction.on_commit(lambda: queue_reminders(ids))
