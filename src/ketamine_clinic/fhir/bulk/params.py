"""The kick-off request's parameters (Bulk Data Access IG 2.0 export request): ``_type``,
``_since`` and ``_outputFormat``; anything else is refused with 400 (never silently ignored)."""

from django.utils.dateparse import parse_datetime

from ..errors import FhirError
from ..operations.compartment import compartment_types, shared_types
from ..smart import scopes as smart_scopes

NDJSON_FORMATS = {"application/fhir+ndjson", "application/ndjson", "ndjson"}
SUPPORTED = {"_type", "_since", "_outputFormat"}


def types_for(level: str) -> list[str]:
    """What a level exports by default: every type for the system; the patient compartment otherwise."""
    patient_level = ["Patient", *(t.name for t in compartment_types())]
    return patient_level + [t.name for t in shared_types()] if level == "system" else patient_level


def parse(querydict, level: str) -> tuple[list[str], object]:
    """(types, since) from the kick-off query; 400 for an unsupported parameter or value."""
    unknown = sorted(set(querydict) - SUPPORTED)
    if unknown:
        raise FhirError(400, f"Unsupported $export parameter(s): {', '.join(unknown)}. Supported: {', '.join(sorted(SUPPORTED))}.",
                        "not-supported", unknown)
    fmt = querydict.get("_outputFormat")
    if fmt is not None and fmt not in NDJSON_FORMATS:
        raise FhirError(400, f"_outputFormat {fmt!r} is not supported; use application/fhir+ndjson.", "not-supported", ["_outputFormat"])
    allowed = types_for(level)
    types = allowed
    if querydict.get("_type"):
        types = [t.strip() for value in querydict.getlist("_type") for t in value.split(",") if t.strip()]
        wrong = [t for t in types if t not in allowed]
        if wrong:
            raise FhirError(400, f"_type {', '.join(wrong)} cannot be exported at this level. Allowed: {', '.join(allowed)}.",
                            "not-supported", ["_type"])
        types = list(dict.fromkeys(types))
    return types, _since(querydict.get("_since"))


def _since(raw):
    if raw is None:
        return None
    since = parse_datetime(raw.strip().replace(" ", "+"))  # a '+' in an unencoded query string arrives as a space
    if since is None or since.tzinfo is None:
        raise FhirError(400, f"_since must be a FHIR instant with a time zone, e.g. 2024-05-01T00:00:00Z (got {raw!r}).", "invalid", ["_since"])
    return since


def within_scopes(user, types: list[str], explicit: bool) -> list[str]:
    """A SMART token exports only its scopes' types: an explicit _type beyond them is refused (403),
    the default list is narrowed; nothing left is refused too."""
    if explicit:
        for name in types:
            smart_scopes.require(user, name, "r")
        return types
    kept = [name for name in types if smart_scopes.granted(user, name, "r")]
    if not kept:
        raise FhirError(403, "The token's scopes allow no resource type to export.", "forbidden")
    return kept
