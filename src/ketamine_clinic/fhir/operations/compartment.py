"""The patient compartment as the registry knows it: every resource type with a ``patient`` search
parameter, so a type added to the registry joins ``$everything`` and ``$export`` on its own.

Psychotherapy notes are not a registry type, so nothing here can ever reach them.
"""

from ketamine_clinic.core.errors import PermissionDenied

from ..errors import FhirError
from ..resources import REGISTRY
from ..smart import scopes as smart_scopes


def compartment_types() -> list:
    """The registry's types that belong to a patient (searchable by ``patient``), in registry order."""
    return [rtype for rtype in REGISTRY.values() if "patient" in rtype.params]


# Compartment types left out of the patient's own download, by name, with why (none today). A type
# neither listed here nor giving ``of_patient`` fails tests/fhir/test_portal_everything.py.
NOT_IN_OWN_RECORD: dict[str, str] = {}


def own_record_types() -> list:
    """The compartment types the patient's own download holds, each read through its ``of_patient``."""
    return [rtype for rtype in compartment_types() if rtype.name not in NOT_IN_OWN_RECORD]


def shared_types() -> list:
    """The registry's types that belong to no patient (Practitioner, Organization, Questionnaire…)."""
    return [rtype for rtype in REGISTRY.values() if "patient" not in rtype.params and rtype.name != "Patient"]


def patient_items(ctx, rtype, patient) -> list:
    """This patient's resources of one type (model objects), searched as the actor; [] when the
    actor's role may not read the type (the caller reports it)."""
    items, _ = rtype.search(ctx, [(rtype.params["patient"], f"Patient/{patient.public_id}")])
    return list(items)


def readable(ctx, rtype, patient) -> tuple[list, str | None]:
    """(items, None), or ([], why) when the actor's role (or SMART token's scopes) may not read this type."""
    if not smart_scopes.granted(ctx.user, rtype.name, "s"):
        return [], f"{rtype.name}: not within the token's scopes"
    try:
        return patient_items(ctx, rtype, patient), None
    except (PermissionDenied, FhirError) as exc:
        return [], f"{rtype.name}: {exc}"
