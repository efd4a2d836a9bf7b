"""Writes other systems send: create/update of one resource, and a transaction Bundle.

Each resource is first parsed with the ``fhir.resources`` R4B model of its type (structure, types,
unknown elements), then handed to the owning app's service (permission, validation, audit). A
transaction runs in one database transaction: any refusal rolls every entry back.
"""

from dataclasses import dataclass

from django.db import transaction
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import record
from ketamine_clinic.patients import services as patient_services

from ketamine_clinic.core.errors import PermissionDenied, ServiceError

from .errors import FhirError, from_exception
from .resources import REGISTRY

MAX_BUNDLE_ENTRIES = 500  # clinic policy: a larger exchange is a bulk import, not one transaction


@dataclass
class Refs:
    """What a write may refer to: this clinic's patients, and the bundle's own new entries by fullUrl."""

    patients: object  # QuerySet of this clinic's patients
    created: dict  # fullUrl (urn:uuid:…) -> the object its entry created


def refs_for(ctx) -> Refs:
    return Refs(patients=patient_services.patients_for(ctx), created={})


def parsed(resource, expected_type: str | None = None) -> dict:
    """The resource dict once its R4B model accepts it; 400 OperationOutcome otherwise."""
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        raise FhirError(400, "The body must be a FHIR resource: a JSON object with a resourceType.", "structure")
    rtype = resource["resourceType"]
    if expected_type and rtype != expected_type:
        raise FhirError(400, f"The body is a {rtype}, but the URL names {expected_type}.", "invalid", ["resourceType"])
    try:
        model = get_fhir_model_class(rtype)
    except (KeyError, ValueError):
        raise FhirError(400, f"Unknown resource type '{rtype}'.", "not-supported", ["resourceType"]) from None
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc']) or rtype}: {e['msg']}" for e in exc.errors()[:10]]
        raise FhirError(400, f"Not a valid {rtype}: " + "; ".join(problems), "structure") from None
    return resource


def writable(rtype_name: str, interaction: str):
    rtype = REGISTRY.get(rtype_name)
    handler = getattr(rtype, interaction, None) if rtype else None
    if handler is None:
        raise FhirError(405 if rtype else 400, f"{interaction} of {rtype_name} is not supported here.", "not-supported")
    return rtype, handler


def create(ctx, rtype_name: str, resource: dict):
    rtype, handler = writable(rtype_name, "create")
    parsed(resource, rtype_name)
    with transaction.atomic():
        return rtype, handler(ctx, resource, refs_for(ctx))


def update(ctx, rtype_name: str, resource_id: str, resource: dict):
    rtype, handler = writable(rtype_name, "update")
    parsed(resource, rtype_name)
    if resource.get("id") != resource_id:
        raise FhirError(400, "The resource's id must match the id in the URL.", "invalid", [f"{rtype_name}.id"])
    with transaction.atomic():
        return rtype, handler(ctx, resource_id, resource, refs_for(ctx))


# Transaction processing order (FHIR R4 http.html#trules): creates before updates; patients first so
# the other entries can refer to them by fullUrl.
ORDER = {("POST", "Patient"): 0, ("POST", None): 1, ("PUT", "Patient"): 2, ("PUT", None): 3}


def transaction_bundle(ctx, bundle) -> list[tuple[dict, object, object, str]]:
    """Run a transaction Bundle: all entries or none. Returns (entry, type, object, status) per entry, in bundle order."""
    entries = _transaction_entries(bundle)
    # Every entry is checked before anything is written, so a malformed entry costs no rollback.
    plan = [_planned_entry(index, entry) for index, entry in enumerate(entries)]
    results: dict[int, tuple] = {}
    with transaction.atomic():
        refs = refs_for(ctx)
        for _, index, method, rtype_name, entry in sorted(plan, key=lambda p: (p[0], p[1])):
            results[index] = _run_entry(ctx, index, method, rtype_name, entry, refs)
        record(ctx, Action.FHIR_TRANSACTION, object_type="fhir.bundle", organization=ctx.user.organization,
               detail={"entries": len(entries), "types": sorted({p[3] for p in plan})})
    return [results[i] for i in sorted(results)]


def _transaction_entries(bundle) -> list:
    parsed(bundle, "Bundle")
    if bundle.get("type") != "transaction":
        raise FhirError(400, "Only Bundle.type 'transaction' is accepted here.", "not-supported", ["Bundle.type"])
    entries = bundle.get("entry") or []
    if len(entries) > MAX_BUNDLE_ENTRIES:
        raise FhirError(413, f"The bundle has {len(entries)} entries; the limit is {MAX_BUNDLE_ENTRIES}.", "too-costly")
    return entries


def _planned_entry(index: int, entry: dict) -> tuple:
    """(order, index, method, type, entry) once the entry's request and resource are acceptable."""
    request = entry.get("request") or {}
    method = (request.get("method") or "").upper()
    url = (request.get("url") or "").strip("/")
    resource = entry.get("resource")
    where = [f"Bundle.entry[{index}]"]
    if method not in ("POST", "PUT") or not isinstance(resource, dict):
        raise FhirError(400, f"Entry {index}: only POST and PUT with a resource are supported.", "not-supported", where)
    rtype_name = resource.get("resourceType", "")
    expected_url = rtype_name if method == "POST" else f"{rtype_name}/{resource.get('id')}"
    if url != expected_url:
        raise FhirError(400, f"Entry {index}: request.url '{url}' does not match the resource.", "invalid", where)
    writable(rtype_name, "create" if method == "POST" else "update")
    parsed(resource)
    return ORDER.get((method, rtype_name), ORDER[(method, None)]), index, method, rtype_name, entry


def _run_entry(ctx, index: int, method: str, rtype_name: str, entry: dict, refs: Refs) -> tuple:
    """One planned entry written; a refusal becomes the whole transaction's error, naming the entry."""
    try:
        if method == "POST":
            return _create_entry(ctx, rtype_name, entry, refs)
        return _update_entry(ctx, rtype_name, entry, refs)
    except (FhirError, ServiceError, PermissionDenied) as exc:
        status, body = from_exception(exc)
        text = "; ".join(issue["diagnostics"] for issue in body["issue"])
        raise FhirError(status, f"Entry {index} ({rtype_name}): {text}", body["issue"][0]["code"], [f"Bundle.entry[{index}]"]) from None


def _create_entry(ctx, rtype_name: str, entry: dict, refs: Refs) -> tuple:
    rtype, handler = writable(rtype_name, "create")
    obj = handler(ctx, entry["resource"], refs)
    if entry.get("fullUrl"):
        refs.created[entry["fullUrl"]] = obj  # later entries may refer to it by its urn:uuid
    return entry, rtype, obj, "201 Created"


def _update_entry(ctx, rtype_name: str, entry: dict, refs: Refs) -> tuple:
    rtype, handler = writable(rtype_name, "update")
    obj = handler(ctx, entry["resource"]["id"], entry["resource"], refs)
    return entry, rtype, obj, "200 OK"
