"""The CapabilityStatement, generated from the registry: it lists what is served and nothing else."""

from django.utils import timezone

from . import codes
from .resources import REGISTRY

SEARCH_PARAM_DEFINITIONS = "http://hl7.org/fhir/SearchParameter/"


def capability_statement(base_url: str) -> dict:
    resources = []
    for rtype in REGISTRY.values():
        entry = {
            "type": rtype.name,
            "interaction": [{"code": code} for code in rtype.interactions],
            "searchParam": [
                {"name": p.name, "type": p.type, "documentation": p.documentation}
                for p in rtype.params.values()
            ],
        }
        if rtype.includes:
            entry["searchInclude"] = list(rtype.includes)
        if rtype.profiles:
            entry["supportedProfile"] = list(rtype.profiles)
        if rtype.documentation:
            entry["documentation"] = rtype.documentation
        if rtype.update:
            entry["updateCreate"] = False
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().date().isoformat(),
        "kind": "instance",
        "software": {"name": "ketamine-clinic"},
        "implementation": {"description": "ketamine-clinic FHIR R4 facade", "url": base_url},
        "fhirVersion": codes.FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "instantiates": [f"http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server|{codes.US_CORE_VERSION}"],
        "rest": [{
            "mode": "server",
            "documentation": "Paging: _count (at most 100) and _offset. Psychotherapy notes are never served.",
            "security": {"description": "Authorization: Bearer <API token> (the same tokens and permissions as /api/v1); "
                                        "data is scoped to the token's clinic."},
            "resource": resources,
            "interaction": [{"code": "transaction"}],
        }],
    }
