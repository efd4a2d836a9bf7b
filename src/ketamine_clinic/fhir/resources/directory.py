"""Practitioner, Organization and Location: the clinic's own staff, itself and its locations
(``accounts``), read-only. Staff carry no NPI in this system, so the identifier is the opaque id."""

from django.db.models import Q

from ketamine_clinic.accounts.models import Location, Organization, User
from ketamine_clinic.core.errors import NotFound

from .. import codes
from ..search import SearchParam
from .base import ResourceType, by_ids, by_uuid

STAFF_SYSTEM = "urn:ketamine-clinic:staff"
PRACTITIONER_PROFILE = codes.profile("us-core-practitioner")
ORGANIZATION_PROFILE = codes.profile("us-core-organization")
LOCATION_PROFILE = codes.profile("us-core-location")


def _telecom(phone):
    return [{"system": "phone", "value": phone, "use": "work"}] if phone else []


def _address(obj):
    address = {k: v for k, v in (("city", obj.city), ("state", obj.region), ("postalCode", obj.postal_code)) if v}
    if obj.address_line:
        address["line"] = [obj.address_line]
    return [address] if address else []


def practitioner_name(user: User, text: str) -> dict:
    """A staff member's HumanName: ``text`` as shown, family, given names and credentials when known."""
    name = {"text": text}
    if user.last_name:
        name["family"] = user.last_name
    if user.first_name:
        name["given"] = user.first_name.split()
    if user.credentials:
        name["suffix"] = [user.credentials]
    return name


def practitioner(user: User) -> dict:
    name = practitioner_name(user, user.display_name or user.get_full_name() or "Staff member")
    resource = {
        "resourceType": "Practitioner",
        "id": str(user.public_id),
        # us-core-practitioner needs name.family: claimed only when the account has a last name
        "meta": {"profile": [PRACTITIONER_PROFILE]} if user.last_name else {},
        "identifier": [{"system": STAFF_SYSTEM, "value": str(user.public_id)}],
        "active": user.is_active,
        "name": [name],
    }
    if user.phone:
        resource["telecom"] = _telecom(user.phone)
    return resource


def organization(org: Organization) -> dict:
    return {"resourceType": "Organization", "id": str(org.public_id), "meta": {"profile": [ORGANIZATION_PROFILE]},
            "active": True, "name": org.name}


def location(loc: Location) -> dict:
    resource = {"resourceType": "Location", "id": str(loc.public_id), "meta": {"profile": [LOCATION_PROFILE]},
                "status": "active" if loc.is_active else "inactive", "name": loc.name,
                "managingOrganization": {"reference": f"Organization/{loc.organization.public_id}"}}
    if loc.phone:
        resource["telecom"] = _telecom(loc.phone)
    if address := _address(loc):
        resource["address"] = address[0]
    return resource


def _staff(ctx):
    return User.objects.filter(organization_id=ctx.user.organization_id, kind=User.Kind.STAFF).order_by("last_name", "first_name", "id")


def _orgs(ctx):
    return Organization.objects.filter(pk=ctx.user.organization_id).order_by("id")


def _locations(ctx):
    return Location.objects.filter(organization_id=ctx.user.organization_id).select_related("organization").order_by("name", "id")


def _reader(scope, label):
    def read(ctx, resource_id):
        obj = by_uuid(scope(ctx), resource_id)
        if obj is None:
            raise NotFound(f"No such {label} in this clinic.")
        return obj
    return read


def _searcher(scope):
    def search(ctx, pairs):
        qs = scope(ctx)
        for param, value in pairs:
            qs = param.apply(qs, value, ctx)
        return qs, None
    return search


def _params(name_filter):
    return {p.name: p for p in (
        SearchParam("_id", "token", lambda qs, v, ctx: by_ids(qs, v), "The opaque id"),
        SearchParam("name", "string", name_filter, "Any part of the name"),
    )}


def _person_name(qs, value, ctx):
    return qs.filter(Q(display_name__icontains=value) | Q(first_name__icontains=value) | Q(last_name__icontains=value))


PRACTITIONER = ResourceType(name="Practitioner", profiles=(PRACTITIONER_PROFILE,), params=_params(_person_name),
                            to_fhir=practitioner, read=_reader(_staff, "Practitioner"), search=_searcher(_staff),
                            documentation="The clinic's staff accounts (no NPI is recorded)")
ORGANIZATION = ResourceType(name="Organization", profiles=(ORGANIZATION_PROFILE,),
                            params=_params(lambda qs, v, ctx: qs.filter(name__icontains=v)),
                            to_fhir=organization, read=_reader(_orgs, "Organization"), search=_searcher(_orgs),
                            documentation="The token's own clinic only")
LOCATION = ResourceType(name="Location", profiles=(LOCATION_PROFILE,),
                        params=_params(lambda qs, v, ctx: qs.filter(name__icontains=v)),
                        to_fhir=location, read=_reader(_locations, "Location"), search=_searcher(_locations))
