"""Consent (base R4: US Core 6.1.0 profiles none) over the treatment consents patients sign
(``screening.Consent``), read-only, for those who witness consents or read evaluations.

Status: revoked -> inactive; signed on a document version the clinic requires re-consent past ->
inactive; signed in the portal, not yet witnessed -> proposed; otherwise active. ``policy`` names
the consent document version signed.
"""

from ketamine_clinic.accounts.permissions import denied, has_permission
from ketamine_clinic.screening import services as screening_services
from ketamine_clinic.screening.models import Consent

from .. import codes
from ..search import SearchParam
from .base import ID_PARAM, PATIENT_PARAM, ResourceType, audited_read, patient_ref

SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_DOCUMENT = ("59284-0", "Patient Consent")  # LOINC, the R4 Consent category example
DOCUMENT_SYSTEM = "urn:ketamine-clinic:consent-document"
READERS = ("consent.witness", "evaluation.view")


def status_of(consent: Consent, floor: int) -> str:
    if consent.revoked_at or consent.document.version < floor:
        return "inactive"
    return "proposed" if consent.witnessed_at is None else "active"


def to_fhir(consent: Consent, floor: int | None = None) -> dict:
    if floor is None:
        floor = screening_services.reconsent_floors(consent.patient.organization_id).get(consent.route, 0)
    doc = consent.document
    resource = {
        "resourceType": "Consent",
        "id": str(consent.public_id),
        "status": status_of(consent, floor),
        "scope": {"coding": [{"system": SCOPE, "code": "treatment", "display": "Treatment"}]},
        "category": [{"coding": [{"system": codes.LOINC, "code": CONSENT_DOCUMENT[0], "display": CONSENT_DOCUMENT[1]}], "text": doc.title}],
        "patient": patient_ref(consent.patient),
        "dateTime": consent.signed_at.isoformat(),
        "performer": [patient_ref(consent.patient)],
        "organization": [{"reference": f"Organization/{consent.patient.organization.public_id}"}],
        "policy": [{"uri": f"{DOCUMENT_SYSTEM}:{doc.public_id}|{doc.version}"}],
        "provision": {"type": "permit", "period": _period(consent)},  # a revocation ends the period
    }
    if consent.witnessed_by_id:
        resource["verification"] = [{"verified": True, "verifiedWith": {"display": consent.witnessed_by.get_full_name() or consent.witnessed_by.username},
                                     "verificationDate": consent.witnessed_at.isoformat()}]
    return resource


def _period(consent: Consent) -> dict:
    period = {"start": consent.signed_at.isoformat()}
    if consent.revoked_at:
        period["end"] = consent.revoked_at.isoformat()
    return period


def _rows(organization_id):
    """The clinic's consents, unpermissioned: ``_scoped`` checks the actor first."""
    return Consent.objects.filter(patient__organization_id=organization_id).select_related("patient__organization", "document", "witnessed_by")


def _scoped(ctx):
    if not any(has_permission(ctx.user, action) for action in READERS):
        raise denied("evaluation.view")
    return _rows(ctx.user.organization_id)


def of_patient(patient):
    return _rows(patient.organization_id).filter(patient=patient).order_by("-signed_at", "-id")


def read(ctx, resource_id):
    return audited_read(ctx, _scoped(ctx), resource_id, "Consent")


def _status(items, value, ctx):
    wanted = set(value.split(","))
    floors = screening_services.reconsent_floors(ctx.user.organization_id)
    return [c for c in items if status_of(c, floors.get(c.route, 0)) in wanted]


PARAMS = {p.name: p for p in (
    ID_PARAM,
    PATIENT_PARAM,
    SearchParam("status", "token", _status, "active, proposed (awaiting a witness), inactive (revoked or superseded)"),
)}


def search(ctx, pairs):
    qs = _scoped(ctx).order_by("-signed_at", "-id")
    # the status is derived (revocation, witness, re-consent floor): filtered last, in memory
    for param, value in sorted(pairs, key=lambda pair: pair[0].name == "status"):
        qs = param.apply(qs, value, ctx)
    return qs, None


TYPE = ResourceType(name="Consent", profiles=(), params=PARAMS, to_fhir=to_fhir, read=read, search=search, of_patient=of_patient,
                    documentation="Signed treatment consents per route; status from revocation, witnessing and the clinic's re-consent floor")
