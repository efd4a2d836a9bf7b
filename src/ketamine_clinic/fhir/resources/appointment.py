"""Appointment (base R4: US Core 6.1.0 profiles none) over the schedule (``plans.Appointment``),
read-only, under ``schedule.view``.

Status mapping (ours -> FHIR Appointment.status): booked -> booked, checked in -> checked-in,
in session -> arrived (the patient is here; the visit itself is the Encounter), done -> fulfilled,
cancelled -> cancelled, no-show -> noshow.
"""

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.plans.models import Appointment, AppointmentStatus

from ..search import SearchParam, datetime_q
from . import patient as patient_type
from .base import ID_PARAM, PATIENT_PARAM, ResourceType, audited_read, meta, patient_ref, searched, status_filter
from .directory import location, practitioner

STATUS = {AppointmentStatus.BOOKED: "booked", AppointmentStatus.CHECKED_IN: "checked-in", AppointmentStatus.IN_SESSION: "arrived",
          AppointmentStatus.DONE: "fulfilled", AppointmentStatus.CANCELLED: "cancelled", AppointmentStatus.NO_SHOW: "noshow"}
# A participant's answer: the clinic booked it with the patient; a cancelled slot is declined by all.
PARTICIPATION = {"cancelled": "declined"}


def _participants(a: Appointment, status: str) -> list[dict]:
    answer = PARTICIPATION.get(status, "accepted")
    people = [{"actor": patient_ref(a.patient), "required": "required", "status": answer}]
    if a.staff_id:
        people.append({"actor": {"reference": f"Practitioner/{a.staff.public_id}", "display": a.staff.display_name or a.staff.get_full_name()},
                       "required": "required", "status": answer})
    people.append({"actor": {"reference": f"Location/{a.location.public_id}", "display": a.location.name}, "required": "required", "status": answer})
    return people


def to_fhir(a: Appointment) -> dict:
    status = STATUS[a.status]
    kind = a.get_kind_display()
    description = kind + (f", {a.phase_name}" if a.phase_name else "") + (f" session {a.session_number}" if a.session_number else "")
    resource = {
        "resourceType": "Appointment",
        "id": str(a.public_id),
        "meta": meta(a),
        "status": status,
        "serviceType": [{"text": kind}],
        "description": description,
        "start": a.start_at.isoformat(),
        "end": a.end_at.isoformat(),
        "minutesDuration": max(1, int((a.end_at - a.start_at).total_seconds() // 60)),
        "created": a.created_at.isoformat(),
        "participant": _participants(a, status),
    }
    if a.plan_id:
        resource["basedOn"] = [{"display": f"Treatment plan {a.plan.public_id}"}]  # plans are not served as FHIR resources
    return resource


def _rows(organization_id):
    """The clinic's appointments, unpermissioned: ``_scoped`` checks the actor first."""
    return Appointment.objects.filter(organization_id=organization_id).select_related("patient", "location__organization", "staff", "plan")


def _scoped(ctx):
    require(ctx.user, "schedule.view")
    return _rows(ctx.user.organization_id)


def read(ctx, resource_id):
    return audited_read(ctx, _scoped(ctx), resource_id, "Appointment")


PARAMS = {p.name: p for p in (
    ID_PARAM,
    PATIENT_PARAM,
    SearchParam("date", "date", lambda qs, v, ctx: qs.filter(**datetime_q("start_at", v)), "Start day in the clinic's time zone (prefixes eq, ge, gt, le, lt)"),
    SearchParam("status", "token", status_filter(STATUS), "booked, checked-in, arrived, fulfilled, cancelled, noshow"),
)}


def _unique(objects) -> list:
    return list({obj.pk: obj for obj in objects if obj is not None}.values())


INCLUDES = {
    "Appointment:patient": lambda ctx, page: [patient_type.to_fhir(p) for p in _unique(a.patient for a in page)],
    "Appointment:practitioner": lambda ctx, page: [practitioner(u) for u in _unique(a.staff for a in page)],
    "Appointment:location": lambda ctx, page: [location(loc) for loc in _unique(a.location for a in page)],
}


def of_patient(patient):
    return _rows(patient.organization_id).filter(patient=patient).order_by("start_at", "id")


def search(ctx, pairs):
    qs = _scoped(ctx).order_by("start_at", "id")
    qs = searched(qs, pairs, ctx)
    return qs, None


TYPE = ResourceType(name="Appointment", profiles=(), params=PARAMS, to_fhir=to_fhir, read=read, search=search, includes=INCLUDES, of_patient=of_patient,
                    documentation="The schedule: dosing, preparation, integration and psychotherapy visits (never a note's text)")
