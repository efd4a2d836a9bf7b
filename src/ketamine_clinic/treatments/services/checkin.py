"""Check-in: a session with its order snapshot, typed in or copied from today's dosing appointment."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.models import Location
from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import session as cs
from ketamine_clinic.clinical.protocols import DoseUnit as ProtocolUnit
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinical.sources import CLINIC_POLICY, SOURCES
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.plans.models import Appointment, AppointmentKind, AppointmentStatus, PlanStatus
from ketamine_clinic.plans.services import plan_protocol

from .. import facts
from .. import forms as tforms
from ..models import DoseUnit, TreatmentSession
from ._common import _audit, _core_error, _set_appointment_status, _timeline, _uuid, _validate, _when
from .reads import open_session_of, prescribers_of

# Field names of the core's dose errors -> the order's input fields.
ORDER_FIELDS = {"mg_per_kg": "dose_amount", "fixed_mg": "dose_amount", "mg_per_kg_per_h": "dose_amount",
                "dose": "dose_amount", "source": "dose_amount"}


def _clean_order(org, data: dict) -> dict:
    cleaned = _validate(tforms.StartSessionForm, data)
    location = Location.objects.filter(organization=org, public_id=_uuid(cleaned["location"]), is_active=True).first()
    if location is None:
        raise ValidationFailed({"location": ["No such location in this clinic."]})
    ordered_by = prescribers_of(org.id).filter(public_id=_uuid(cleaned["ordered_by"])).first()
    if ordered_by is None:
        raise ValidationFailed({"ordered_by": ["Choose a prescriber of this clinic."]})
    route = Route(cleaned["route"])
    if route is Route.ESKETAMINE_NASAL and cleaned["dose_unit"] not in (DoseUnit.DEVICES, DoseUnit.MG):
        raise ValidationFailed({"dose_unit": [f"Esketamine is ordered in devices ({cs.ESKETAMINE_MG_PER_DEVICE} mg each) or mg."]})
    if route in (Route.IV, Route.IM) and cleaned.get("concentration_mg_per_ml") is None:
        raise ValidationFailed({"concentration_mg_per_ml": ["Give the product's concentration (mg/mL) to compute the volume to draw."]})
    if route is Route.ESKETAMINE_NASAL:
        cleaned["concentration_mg_per_ml"] = None
    cleaned["location"], cleaned["ordered_by"], cleaned["route"] = location, ordered_by, route.value
    cleaned["indication"] = cleaned.get("indication") or "depression"
    probe = TreatmentSession(route=route.value, dose_unit=cleaned["dose_unit"], dose_amount=cleaned["dose_amount"],
                             infusion_minutes=cleaned.get("infusion_minutes"),
                             infusion_volume_ml=cleaned.get("infusion_volume_ml"), product_name=cleaned["product_name"],
                             concentration_mg_per_ml=cleaned.get("concentration_mg_per_ml"))
    try:
        facts.order_rule(probe)
        facts.order_product(probe)
    except cs.SessionInputError as exc:
        raise _core_error(exc, ORDER_FIELDS) from None
    return cleaned


def _dose_source(key) -> str:
    return key if key in SOURCES else CLINIC_POLICY


def start_session(ctx: Context, patient: Patient, data: dict, *, appointment=None, plan=None,
                  now: dt.datetime | None = None) -> TreatmentSession:
    """Check the patient in for a session with its order snapshot."""
    require(ctx.user, "session.run")
    now = now or timezone.now()
    org = ctx.user.organization
    if patient.organization_id != org.id:
        raise NotFound("No such patient.")
    cleaned = _clean_order(org, data)
    checked_in_at = _when(cleaned.get("checked_in_at"), "checked_in_at", cleaned["location"].tz, now)
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        if open_session_of(patient) is not None:
            raise Conflict("This patient already has an open session today; finish it first.")
        extra = {}
        if appointment is not None:
            extra["appointment"] = appointment
        if plan is not None:
            extra["plan"] = plan
        session = TreatmentSession.objects.create(
            organization=org, patient=patient, location=cleaned["location"], route=cleaned["route"],
            indication=cleaned["indication"], dose_unit=cleaned["dose_unit"], dose_amount=cleaned["dose_amount"],
            infusion_minutes=cleaned.get("infusion_minutes"), infusion_volume_ml=cleaned.get("infusion_volume_ml"),
            product_name=cleaned["product_name"].strip(), concentration_mg_per_ml=cleaned.get("concentration_mg_per_ml"),
            ordered_by=cleaned["ordered_by"], checked_in_at=checked_in_at, checked_in_by=ctx.user,
            dose_source=_dose_source(data.get("dose_source")),
            created_at=now, updated_at=now, **extra,
        )
        _set_appointment_status(ctx, session, "checked_in", "Checked in for the session")
        _audit(ctx, Action.SESSION_CREATE, session, {"route": session.route, "order": facts.order_text(session)})
        _timeline(ctx, session, f"Checked in for {session.route_label}: {facts.order_text(session)}")
    return session


def start_session_from_appointment(ctx: Context, appointment_id, data: dict, *, now: dt.datetime | None = None,
                                   patient: Patient | None = None) -> TreatmentSession:
    """Check in for today's dosing appointment: the order is copied from the plan's current dose
    (the nurse adds the product on hand); the appointment moves to checked in."""

    require(ctx.user, "session.run")
    appt = (Appointment.objects.select_related("plan", "patient", "location")
            .filter(organization_id=ctx.user.organization_id, public_id=_uuid(appointment_id)).first())
    if appt is None:
        raise NotFound("No such appointment.")
    if patient is not None and appt.patient_id != patient.pk:  # a body naming another patient is refused, never overruled
        raise ValidationFailed({"appointment": ["This appointment is for another patient."]})
    if appt.kind != AppointmentKind.DOSING:
        raise ValidationFailed({"appointment": ["Only a dosing appointment starts a session."]})
    if appt.status not in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN):
        raise Conflict(f"This appointment is {appt.get_status_display().lower()}.")
    today = timezone.localtime(now or timezone.now(), appt.location.tz).date()
    if appt.local_start().date() != today:
        raise Conflict(f"This appointment is on {appt.local_start():%Y-%m-%d}, not today.")
    if TreatmentSession.objects.filter(appointment=appt).exists():
        raise Conflict("A session was already started for this appointment.")
    data = dict(data)
    data.setdefault("location", str(appt.location.public_id))
    plan = appt.plan
    if plan is None:
        return start_session(ctx, appt.patient, data, appointment=appt, now=now)
    if plan.status != PlanStatus.ACTIVE:
        raise Conflict(f"The treatment plan is {plan.get_status_display().lower()}: no dose is ordered.")
    dose = plan.current_dose
    protocol = plan_protocol(plan)
    orderer = (dose.signed_by or plan.activated_by) if dose is not None else None
    if orderer is None:
        raise Conflict("The plan's dose is not signed by a prescriber.")
    pain = any("pain" in i.label.lower() for i in protocol.indications)
    data.update({
        "route": plan.route, "dose_unit": ProtocolUnit(dose.unit).value, "dose_amount": str(dose.dose),
        "ordered_by": str(orderer.public_id), "indication": "chronic_pain" if pain else "depression",
    })
    if protocol.dose_rule.infusion_duration_min and not data.get("infusion_minutes"):
        data["infusion_minutes"] = protocol.dose_rule.infusion_duration_min
    data["dose_source"] = protocol.dose_rule.source
    session = start_session(ctx, appt.patient, data, appointment=appt, plan=plan, now=now)
    return session
