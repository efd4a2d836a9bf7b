"""MedicationAdministration (base R4: US Core has no profile for it) over a session's administration
record (``treatments``), read-only, under ``session.view``: product and lot (a contained Medication
with its batch), route, the amount actually given (``treatments.facts.given_so_far``), who gave it."""

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.treatments import facts
from ketamine_clinic.treatments.models import Administration

from .. import codes
from ..search import SearchParam
from .base import ID_PARAM, ResourceType, audited_read, patient_filter, patient_ref, searched

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
KETAMINE_RXNORM = ("6130", "ketamine")  # CLINICAL.md §5; esketamine's RxNorm code is still to verify: text only


def to_fhir(admin: Administration) -> dict:
    session = admin.session
    medication = {"resourceType": "Medication", "id": "product", "code": {"text": admin.product_name},
                  "batch": {"lotNumber": admin.lot_number, "expirationDate": admin.expiry_date.isoformat()}}
    if Route(session.route) is not Route.ESKETAMINE_NASAL:
        medication["code"]["coding"] = [{"system": RXNORM, "code": KETAMINE_RXNORM[0], "display": KETAMINE_RXNORM[1]}]
    given_mg = facts.given_so_far(session, admin.stopped_at) if admin.stopped_at else facts.given_so_far(session)
    dosage = {"route": {"text": Route(session.route).label}}
    if given_mg is not None:
        dosage["dose"] = {"value": float(given_mg), "unit": "mg", "system": codes.UCUM, "code": "mg"}
    period = {"start": admin.started_at.isoformat()}
    if admin.stopped_at:
        period["end"] = admin.stopped_at.isoformat()
    return {
        "resourceType": "MedicationAdministration",
        "id": str(admin.public_id),
        "contained": [medication],
        "status": "completed" if admin.stopped_at else "in-progress",
        "medicationReference": {"reference": "#product"},
        "subject": patient_ref(session.patient),
        "context": {"reference": f"Encounter/{session.public_id}"},
        "effectivePeriod": period,
        "performer": [{"actor": {"reference": f"Practitioner/{admin.given_by.public_id}"}}],
        "dosage": dosage,
    }


def _rows(organization_id):
    """The clinic's administrations, unpermissioned: ``_scoped`` checks the actor first."""
    return (Administration.objects.filter(session__organization_id=organization_id)
            .select_related("session__patient", "given_by").order_by("-started_at", "-id"))


def _scoped(ctx):
    require(ctx.user, "session.view")
    return _rows(ctx.user.organization_id)


def of_patient(patient):
    return _rows(patient.organization_id).filter(session__patient=patient)


def read(ctx, resource_id):
    return audited_read(ctx, _scoped(ctx), resource_id, "MedicationAdministration", patient_of=lambda admin: admin.session.patient)


PARAMS = {p.name: p for p in (
    ID_PARAM,
    SearchParam("patient", "reference", lambda qs, v, ctx: patient_filter(qs, v, ctx, "session__patient"),
                "Patient/<id> or <id>"),
)}


def search(ctx, pairs):
    qs = _scoped(ctx)
    qs = searched(qs, pairs, ctx)
    return qs, None


TYPE = ResourceType(name="MedicationAdministration", profiles=(), params=PARAMS, to_fhir=to_fhir, read=read, search=search, of_patient=of_patient,
                    documentation="Each dose given in a session: product, lot, route, mg given (no US Core profile)")
