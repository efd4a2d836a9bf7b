"""Patient ``$everything`` (FHIR R4 patient-operation-everything): the patient and every resource of
theirs the registry serves, as one searchset Bundle paged with ``_count``/``_offset``.

Types the actor's role may not read are left out and named in an OperationOutcome entry, so a
partial record never looks complete. Psychotherapy notes are not in the registry: never included.

``own_record``: the signed-in portal patient's own full record, one ``collection`` Bundle (a download,
no paging), built from each compartment type's ``of_patient`` -- the patient has no staff role, and
needs none to read their own record.
"""

from django.utils import timezone

from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import record
from ketamine_clinic.core.errors import NotFound, PermissionDenied
from ketamine_clinic.patients.services import get_own_patient_record

from ..errors import FhirError, outcome
from ..resources import REGISTRY
from ..search import parse_query, searchset
from ..smart import scopes as smart_scopes
from .compartment import compartment_types, own_record_types, readable

PORTAL_ONLY = "Only a patient signed in to the portal downloads their own record."


def patient_record(ctx, patient_id) -> tuple[object, list[dict], list[str]]:
    """(patient, every resource of theirs as FHIR dicts, the types left out with why)."""
    patient_type = REGISTRY["Patient"]
    smart_scopes.require(ctx.user, "Patient", "r")
    try:
        patient = patient_type.read(ctx, patient_id)  # scoped to the actor's clinic, audited
    except NotFound:
        raise FhirError(404, "No such Patient in this clinic.", "not-found") from None
    resources, omitted = [patient_type.to_fhir(patient)], []
    for rtype in compartment_types():
        items, why = readable(ctx, rtype, patient)
        if why:
            omitted.append(why)
        resources.extend(rtype.to_fhir(item) for item in items)
    return patient, resources, omitted


def bundle(request, ctx, patient_id, base: str) -> dict:
    """One page of the patient's ``$everything`` searchset (only paging parameters are accepted)."""
    _pairs, count, offset = parse_query(request.GET, {})
    patient, resources, omitted = patient_record(ctx, patient_id)
    record(ctx, Action.FHIR_EVERYTHING, obj=patient, patient=patient, organization=patient.organization,
           detail={"resources": len(resources), "omitted": [w.split(":", 1)[0] for w in omitted]})
    page = searchset(request, f"Patient/{patient.public_id}/$everything", resources[offset:offset + count],
                     len(resources), count, offset, lambda resource: resource, base)
    if omitted:
        page["entry"].append({"resource": outcome([("suppressed", f"Left out: {why}", []) for why in omitted], "information"),
                              "search": {"mode": "outcome"}})
    return page


def own_record(ctx, base: str) -> tuple[object, dict]:
    """(patient, their whole record as a ``collection`` Bundle) for the signed-in portal patient only;
    NotFound when no record is linked to the account. Audited as ``$everything`` with the patient."""
    if not ctx.user.is_portal_patient:
        raise PermissionDenied("portal.own_record", PORTAL_ONLY)
    patient = get_own_patient_record(ctx)  # the record linked to this account, and only that
    resources = [REGISTRY["Patient"].to_fhir(patient)]
    for rtype in own_record_types():
        resources.extend(rtype.to_fhir(item) for item in rtype.of_patient(patient))
    record(ctx, Action.FHIR_EVERYTHING, obj=patient, patient=patient, organization=patient.organization,
           detail={"resources": len(resources), "download": "portal"})
    return patient, {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": [{"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r} for r in resources],
    }
