"""What a resource type is to the facade: its profile, search parameters, read, search and writes.

The CapabilityStatement is generated from these declarations, so it lists exactly what is served.
"""

import uuid
from dataclasses import dataclass, field
from typing import Callable

from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import record
from ketamine_clinic.core.errors import NotFound

from ..errors import FhirError
from ..search import SearchParam, reference_id


@dataclass(frozen=True)
class ResourceType:
    name: str
    profiles: tuple[str, ...]
    params: dict[str, SearchParam]
    to_fhir: Callable  # model object -> dict
    read: Callable  # (ctx, id) -> model object, NotFound when not in the actor's clinic
    search: Callable  # (ctx, [(param, value)]) -> (QuerySet or list, patient or None)
    create: Callable | None = None  # (ctx, resource dict, refs) -> model object
    update: Callable | None = None  # (ctx, id, resource dict, refs) -> model object
    documentation: str = ""
    # (patient) -> every model object of this patient the staff search serves, WITHOUT a permission
    # check: only for the patient's own record (the portal download), never for a staff actor
    of_patient: Callable | None = None
    # ``_include`` values (e.g. "PractitionerRole:practitioner") -> (ctx, page of model objects) -> resource dicts
    includes: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    @property
    def interactions(self) -> list[str]:
        return ["read", "search-type"] + (["create"] if self.create else []) + (["update"] if self.update else [])


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def meta(obj=None, profiles: tuple[str, ...] = ()) -> dict:
    out: dict = {}
    if profiles:
        out["profile"] = list(profiles)
    if obj is not None and getattr(obj, "version", None) is not None:
        out["versionId"] = str(obj.version)
    updated = getattr(obj, "updated_at", None) or getattr(obj, "recorded_at", None)
    if updated is not None:
        out["lastUpdated"] = updated.isoformat()
    return out


def patient_ref(patient) -> dict:
    return {"reference": f"Patient/{patient.public_id}", "display": f"{patient.given_name} {patient.family_name}"}


def by_uuid(qs, value):
    """``qs.get(public_id=value)`` or None for a malformed or unknown id."""
    try:
        return qs.filter(public_id=uuid.UUID(str(value))).first()
    except ValueError:
        return None


def by_ids(qs, value: str):
    """The ``_id`` search: a comma-separated list of opaque ids (malformed ones match nothing)."""
    ids = []
    for part in value.split(","):
        try:
            ids.append(uuid.UUID(part.strip()))
        except ValueError:
            continue
    return qs.filter(public_id__in=ids)


def patient_of(refs, resource, field):
    """The clinic's patient a write refers to: ``Patient/<id>`` of this clinic, or a bundle entry's
    ``urn:uuid:`` just created; anything else is refused (another clinic's patient looks unknown)."""
    reference = ((resource.get(field) or {}).get("reference") or "").strip()
    if not reference:
        raise FhirError(422, f"{resource['resourceType']}.{field} is required.", "required", [f"{resource['resourceType']}.{field}"])
    if reference in refs.created:
        return refs.created[reference]
    patient_id = reference_id(reference, "Patient")
    patient = by_uuid(refs.patients, patient_id) if patient_id else None
    if patient is None:
        raise FhirError(422, f"{resource['resourceType']}.{field} refers to no patient of this clinic: {reference}.", "invalid", [f"{resource['resourceType']}.{field}"])
    return patient


def patient_filter(qs, value, ctx, field: str = "patient"):
    """The ``patient`` search over rows whose patient is reached through ``field``."""
    patient_id = reference_id(value, "Patient")
    return qs.filter(**{f"{field}__public_id": patient_id}) if patient_id else qs.none()


def status_filter(mapping: dict, field: str = "status"):
    """A token search on ``field`` through ``mapping`` (our value -> FHIR code): ``a,b`` matches either."""
    def apply(qs, value, ctx):
        wanted = set(value.split(","))
        return qs.filter(**{f"{field}__in": [ours for ours, theirs in mapping.items() if theirs in wanted]})
    return apply


ID_PARAM = SearchParam("_id", "token", lambda qs, v, ctx: by_ids(qs, v), "The opaque id")
PATIENT_PARAM = SearchParam("patient", "reference", patient_filter, "Patient/<id> or <id>")


def audited_read(ctx, qs, resource_id, label: str, patient_of=lambda obj: obj.patient):
    """The row of ``qs`` (already scoped to the actor's clinic) with this opaque id, its read audited
    with its patient; 404 when it is not there."""
    obj = by_uuid(qs, resource_id)
    if obj is None:
        raise NotFound(f"No such {label} in this clinic.")
    patient = patient_of(obj)
    record(ctx, Action.FHIR_READ, obj=obj, patient=patient, organization=patient.organization)
    return obj


def searched(qs, pairs, ctx):
    """``qs`` narrowed by each (search parameter, value) pair."""
    for param, value in pairs:
        qs = param.apply(qs, value, ctx)
    return qs
