"""Encounter (US Core Encounter 6.1.0) over treatment sessions (``treatments``), read-only, under
``session.view``. A session is an ambulatory visit: checked in -> arrived, dosing/observation ->
in-progress, discharged or ended without a dose -> finished."""

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.treatments.models import SessionStatus, TreatmentSession

from .. import codes
from ..search import SearchParam, datetime_q
from .base import ID_PARAM, PATIENT_PARAM, ResourceType, audited_read, meta, patient_ref, searched, status_filter

PROFILE = codes.profile("us-core-encounter")
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
STATUS = {SessionStatus.CHECKED_IN: "arrived", SessionStatus.DOSING: "in-progress", SessionStatus.OBSERVING: "in-progress",
          SessionStatus.DISCHARGED: "finished", SessionStatus.ENDED: "finished"}
SESSION_SYSTEM = "urn:ketamine-clinic:treatment-session"


def to_fhir(s: TreatmentSession) -> dict:
    period = {"start": s.checked_in_at.isoformat()}
    end = s.discharged_at or (s.updated_at if s.status == SessionStatus.ENDED else None)
    if end:
        period["end"] = end.isoformat()
    return {
        "resourceType": "Encounter",
        "id": str(s.public_id),
        "meta": meta(s, (PROFILE,)),
        "identifier": [{"system": SESSION_SYSTEM, "value": str(s.public_id)}],
        "status": STATUS[s.status],
        "class": {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"},
        "type": [{"text": f"Ketamine treatment session ({s.route})"}],
        "subject": patient_ref(s.patient),
        "period": period,
        "location": [{"location": {"reference": f"Location/{s.location.public_id}", "display": s.location.name}}],
        "serviceProvider": {"reference": f"Organization/{s.organization.public_id}"},
    }


def _rows(organization_id):
    """The clinic's treatment sessions, unpermissioned: ``_scoped`` checks the actor first."""
    return TreatmentSession.objects.filter(organization_id=organization_id).select_related("patient", "location", "organization")


def _scoped(ctx):
    require(ctx.user, "session.view")
    return _rows(ctx.user.organization_id)


def of_patient(patient):
    return _rows(patient.organization_id).filter(patient=patient).order_by("-checked_in_at", "-id")


def read(ctx, resource_id):
    return audited_read(ctx, _scoped(ctx), resource_id, "Encounter")


def _date(qs, value, ctx):
    return qs.filter(**datetime_q("checked_in_at", value))  # the check-in day in the clinic's time zone


PARAMS = {p.name: p for p in (
    ID_PARAM,
    PATIENT_PARAM,
    SearchParam("status", "token", status_filter(STATUS), "arrived, in-progress, finished"),
    SearchParam("date", "date", _date, "Check-in day (prefixes eq, ge, gt, le, lt)"),
)}


def search(ctx, pairs):
    qs = _scoped(ctx).order_by("-checked_in_at", "-id")
    qs = searched(qs, pairs, ctx)
    return qs, None


TYPE = ResourceType(name="Encounter", profiles=(PROFILE,), params=PARAMS, to_fhir=to_fhir, read=read, search=search, of_patient=of_patient,
                    documentation="Treatment sessions")
