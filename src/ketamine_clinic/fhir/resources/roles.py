"""PractitionerRole (US Core PractitionerRole 6.1.0): each clinician of the clinic (prescriber, nurse,
therapist) in the clinic, at its active locations, with the NUCC taxonomy specialties of their
directory profile where one is recorded. One role per clinician: its id is the clinician's opaque id.

``role_resource`` is also the Plan-Net export's builder (``plan_net``), with other profiles.
"""

from ketamine_clinic.accounts.models import Location, User
from ketamine_clinic.accounts.permissions import N, P, T, require
from ketamine_clinic.core.errors import NotFound
from ketamine_clinic.directory.models import ProviderProfile
from ketamine_clinic.directory.rules.taxonomy import SYSTEM as NUCC
from ketamine_clinic.directory.rules.taxonomy import display as taxonomy_display

from .. import codes
from ..search import SearchParam, reference_id, token
from .base import ResourceType, by_ids, by_uuid
from .directory import location, organization, practitioner

PROFILE = codes.profile("us-core-practitionerrole")
CLINICAL_ROLES = (P, N, T)


def _telecom(user: User, locations) -> list[dict]:
    """The clinician's work phone, else the first location's: US Core pd-1 asks for a contact."""
    phone = user.phone or next((loc.phone for loc in locations if loc.phone), "")
    return [{"system": "phone", "value": phone, "use": "work"}] if phone else []


def _profile_of(user: User):
    return getattr(user, "provider_profile", None)  # None where the clinician has no directory profile


def specialties(profile) -> list[dict]:
    """The directory profile's NUCC taxonomy codes, the primary first."""
    if profile is None:
        return []
    ordered = list(dict.fromkeys(([profile.primary_taxonomy] if profile.primary_taxonomy else []) + list(profile.taxonomy_codes or [])))
    return [{"coding": [{"system": NUCC, "code": code, "display": taxonomy_display(code)}]} for code in ordered]


def role_resource(user: User, locations, profiles: tuple[str, ...] | None = None, telecom: list[dict] | None = None) -> dict:
    """One clinician's PractitionerRole. ``profiles``: the claimed profiles (default US Core, claimed
    only with a contact, which the profile requires); ``telecom``: the contact (default the
    clinician's work phone, else the first location's)."""
    telecom = _telecom(user, locations) if telecom is None else telecom
    claimed = profiles if profiles is not None else ((PROFILE,) if telecom else ())
    resource = {
        "resourceType": "PractitionerRole",
        "id": str(user.public_id),
        "meta": {"profile": list(claimed)} if claimed else {},
        "active": user.is_active,
        "practitioner": {"reference": f"Practitioner/{user.public_id}", "display": user.display_name or user.get_full_name() or user.username},
        "organization": {"reference": f"Organization/{user.organization.public_id}", "display": user.organization.name},
        "code": [{"text": role.label} for role in CLINICAL_ROLES if role in user.role_set],
        "location": [{"reference": f"Location/{loc.public_id}", "display": loc.name} for loc in locations],
    }
    if specialty := specialties(_profile_of(user)):
        resource["specialty"] = specialty
    if telecom:
        resource["telecom"] = telecom
    return resource


def clinicians(organization_id):
    return (User.objects.filter(organization_id=organization_id, kind=User.Kind.STAFF, roles__role__in=[r.value for r in CLINICAL_ROLES])
            .distinct().select_related("organization", "provider_profile").prefetch_related("roles").order_by("last_name", "first_name", "id"))


def active_locations(organization_id) -> list:
    return list(Location.objects.filter(organization_id=organization_id, is_active=True).select_related("organization").order_by("name", "id"))


def _scoped(ctx):
    require(ctx.user, "directory.view")  # the specialties come from the directory profiles
    return clinicians(ctx.user.organization_id)


def to_fhir(user: User) -> dict:
    return role_resource(user, active_locations(user.organization_id))


def read(ctx, resource_id):
    user = by_uuid(_scoped(ctx), resource_id)
    if user is None:
        raise NotFound("No such PractitionerRole in this clinic.")
    return user


def _practitioner(qs, value, ctx):
    ids = [reference_id(part.strip(), "Practitioner") for part in value.split(",")]
    return qs.filter(public_id__in=[i for i in ids if i])


def _specialty(qs, value, ctx):
    """NUCC code (``http://nucc.org/provider-taxonomy|2084P0800X`` or the bare code), any of a comma list."""
    wanted = set()
    for part in value.split(","):
        system, code = token(part.strip())
        if system in (None, "", NUCC):
            wanted.add(code.upper())
    # the codes are a JSON list (no portable JSON containment on SQLite): matched in Python per clinic
    user_ids = [p.user_id for p in ProviderProfile.objects.filter(organization_id=ctx.user.organization_id)
                if wanted & {c.upper() for c in [p.primary_taxonomy, *(p.taxonomy_codes or [])] if c}]
    return qs.filter(pk__in=user_ids)


def search(ctx, pairs):
    qs = _scoped(ctx)
    for param, value in pairs:
        qs = param.apply(qs, value, ctx)
    return qs, None


def _include_practitioners(ctx, users) -> list[dict]:
    return [practitioner(u) for u in users]


def _include_organizations(ctx, users) -> list[dict]:
    return [organization(u.organization) for u in users[:1]]  # one clinic: the token's


def _include_locations(ctx, users) -> list[dict]:
    return [location(loc) for loc in active_locations(ctx.user.organization_id)] if users else []


PARAMS = {p.name: p for p in (
    SearchParam("_id", "token", lambda qs, v, ctx: by_ids(qs, v), "The opaque id (the clinician's)"),
    SearchParam("practitioner", "reference", _practitioner, "Practitioner/<id> or <id>"),
    SearchParam("specialty", "token", _specialty, f"NUCC taxonomy code ({NUCC}|2084P0800X or 2084P0800X)"),
)}

TYPE = ResourceType(
    name="PractitionerRole", profiles=(PROFILE,), params=PARAMS, to_fhir=to_fhir, read=read, search=search,
    includes={"PractitionerRole:practitioner": _include_practitioners, "PractitionerRole:organization": _include_organizations,
              "PractitionerRole:location": _include_locations},
    documentation="One per clinician (prescriber, nurse, therapist) at the clinic's active locations; specialty: NUCC taxonomy "
                  "from the directory profile; us-core-practitionerrole claimed when a phone is recorded (pd-1)",
)
