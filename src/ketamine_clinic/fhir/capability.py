"""The CapabilityStatement, generated from the registry: it lists what is served and nothing else."""

from django.utils import timezone

from . import codes
from .resources import REGISTRY

SEARCH_PARAM_DEFINITIONS = "http://hl7.org/fhir/SearchParameter/"
BULK = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/"
EXPORT = {"name": "export", "definition": BULK + "export",
          "documentation": "Bulk Data $export (Prefer: respond-async; _type, _since, _outputFormat=application/fhir+ndjson)"}
RESOURCE_OPERATIONS = {"Patient": {"operation": [
    {"name": "everything", "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
     "documentation": "The patient and every resource of theirs served here (_count, _offset); never psychotherapy notes"},
    {"name": "export", "definition": BULK + "patient-export", "documentation": "Bulk export of every patient's compartment"},
]}}
# A Group is a location's patients (by home location); only its $export is served, not read or search.
GROUP = {"type": "Group", "documentation": "A Group id is a Location id: the patients whose home location it is",
         "operation": [{"name": "export", "definition": BULK + "group-export"}]}


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
        entry.update(RESOURCE_OPERATIONS.get(rtype.name, {}))
        resources.append(entry)
    resources.append(GROUP)
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
            "security": {
                "description": "Authorization: Bearer <API token> (the same tokens and permissions as /api/v1); "
                               "data is scoped to the token's clinic. SMART Backend Services: a registered client's "
                               "signed assertion (private_key_jwt, RS384/ES384) gets a 5-minute token limited to its "
                               "system/ scopes, on top of its service user's permissions.",
                "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service", "code": "SMART-on-FHIR"}]}],
                "extension": [{"url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                               "extension": [{"url": "token", "valueUri": f"{base_url}/auth/token"}]}],
            },
            "resource": resources,
            "interaction": [{"code": "transaction"}],
            "operation": [EXPORT],
        }],
    }
