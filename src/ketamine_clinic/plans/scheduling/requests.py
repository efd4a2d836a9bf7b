"""Patients' requests to reschedule or cancel, from the portal; staff see them and mark them handled.

A request never moves or cancels anything: staff do that with the ordinary appointment services,
so the schedule's rules (opening hours, chairs, spacing) still decide.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import Conflict, NotFound
from ketamine_clinic.patients.models import Patient, TimelineEvent

from ..models import Appointment, AppointmentRequest, AppointmentStatus
from ._common import _validate


class RequestForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Choose…"), *AppointmentRequest.Kind.choices],
                             error_messages={"required": "Choose reschedule or cancel."})
    note = forms.CharField(max_length=500, required=False)


class HandleForm(forms.Form):
    note = forms.CharField(max_length=500, required=False)


def upcoming_for_patient(patient: Patient, now: dt.datetime | None = None) -> list[Appointment]:
    """The patient's booked appointments from now on, with any open request."""
    now = now or timezone.now()
    qs = (patient.appointments.filter(status=AppointmentStatus.BOOKED, start_at__gte=now)
          .select_related("location", "plan", "organization").prefetch_related("requests").order_by("start_at"))
    return list(qs)


def request_change(ctx: Context, patient: Patient, appointment_id, data: dict,
                   now: dt.datetime | None = None) -> AppointmentRequest:
    """The patient (only for their own booked, future appointment) asks to reschedule or cancel."""
    now = now or timezone.now()
    if not (getattr(ctx.user, "is_portal_patient", False) and patient.portal_user_id == ctx.user.pk):
        raise NotFound("No such appointment.")
    cleaned = _validate(RequestForm, data)
    try:
        appt = patient.appointments.get(public_id=appointment_id)
    except (Appointment.DoesNotExist, ValueError, TypeError, forms.ValidationError):
        raise NotFound("No such appointment.") from None
    if appt.status != AppointmentStatus.BOOKED or appt.start_at <= now:
        raise Conflict("Only a booked appointment that has not started can be changed; please call the clinic.")
    try:
        with transaction.atomic():
            req = AppointmentRequest.objects.create(
                organization_id=appt.organization_id, appointment=appt, kind=cleaned["kind"],
                note=cleaned.get("note", "").strip(), requested_at=now)
            TimelineEvent.objects.create(patient=patient, kind="appointment", actor=ctx.user,
                                         summary=f"Patient asked to {req.get_kind_display().lower()} the appointment of "
                                                 f"{appt.local_start():%Y-%m-%d %H:%M}")
            record(ctx, Action.APPOINTMENT_REQUEST, obj=req, patient=patient,
                   detail={"appointment": str(appt.public_id), "kind": req.kind})
    except IntegrityError:  # one open request per appointment (a double click, two tabs)
        raise Conflict("You already asked about this appointment; the clinic will contact you.") from None
    return req


def open_requests_for(ctx: Context) -> QuerySet[AppointmentRequest]:
    require(ctx.user, "schedule.view")
    return (AppointmentRequest.objects.filter(organization_id=ctx.user.organization_id,
                                              status=AppointmentRequest.Status.OPEN)
            .select_related("appointment", "appointment__patient", "appointment__location"))


def handle_request(ctx: Context, request_id, data: dict, now: dt.datetime | None = None) -> AppointmentRequest:
    """Staff mark a request handled (after moving or cancelling the appointment, or calling the patient)."""
    require(ctx.user, "schedule.manage")
    now = now or timezone.now()
    cleaned = _validate(HandleForm, data)
    with transaction.atomic():
        try:
            req = (AppointmentRequest.objects.select_for_update()
                   .select_related("appointment__patient").get(organization_id=ctx.user.organization_id,
                                                               public_id=request_id))
        except (AppointmentRequest.DoesNotExist, ValueError, TypeError, forms.ValidationError):
            raise NotFound("No such request.") from None
        if req.status != AppointmentRequest.Status.OPEN:
            raise Conflict("This request was already handled.")
        req.status, req.handled_by, req.handled_at = AppointmentRequest.Status.HANDLED, ctx.user, now
        req.handled_note = cleaned.get("note", "").strip()
        req.save(update_fields=["status", "handled_by", "handled_at", "handled_note"])
        record(ctx, Action.APPOINTMENT_REQUEST_HANDLED, obj=req, patient=req.appointment.patient,
               detail={"note": req.handled_note})
    return req


