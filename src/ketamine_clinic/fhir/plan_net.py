"""The public clinic directory as a Da Vinci PDex Plan-Net (STU 1.2.0) shaped ``collection`` Bundle:
Organization, Location, HealthcareService, Practitioner and PractitionerRole of every clinic whose
finder listing is published, and nothing else: no patient, no staff member who is not a listed
clinician (prescribers and therapists, as the finder shows them), no licence or DEA number, no
staff phone. Public, like the finder (``directory.services.finder``).

Profile canonicals: http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/plannet-<Type>
(Plan-Net 1.2.0); HealthcareService category ``behav`` from its HealthcareServiceCategoryCS.
Plan-Net extensions (network, new patients, qualification) are not emitted.
"""

from django.utils import timezone

from ketamine_clinic.accounts.models import Location
from ketamine_clinic.accounts.permissions import P, T
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.directory.geo import centroid
from ketamine_clinic.directory.models import ClinicListing, ProviderProfile

from .resources.directory import _address, practitioner_name
from .resources.roles import role_resource

PLAN_NET = "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/plannet-"
SERVICE_CATEGORY = "http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/HealthcareServiceCategoryCS"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
LISTED_ROLES = (P.value, T.value)  # the finder's clinicians
ROUTES = {r.value for r in Route}


def _meta(kind: str, listing: ClinicListing) -> dict:
    return {"lastUpdated": listing.updated_at.isoformat(), "profile": [PLAN_NET + kind]}


def _telecom(listing: ClinicListing, phone: str = "") -> list[dict]:
    telecom = [{"system": "phone", "value": phone or listing.phone, "use": "work"}] if (phone or listing.phone) else []
    if listing.website:
        telecom.append({"system": "url", "value": listing.website, "use": "work"})
    return telecom


def organization(listing: ClinicListing) -> dict:
    resource = {"resourceType": "Organization", "id": str(listing.organization.public_id), "meta": _meta("Organization", listing),
                "active": True, "name": listing.display_name, "type": [{"text": "Ketamine treatment clinic"}]}
    if telecom := _telecom(listing):
        resource["telecom"] = telecom
    return resource


def location(loc: Location, listing: ClinicListing) -> dict:
    resource = {"resourceType": "Location", "id": str(loc.public_id), "meta": _meta("Location", listing), "status": "active",
                "name": loc.name, "managingOrganization": {"reference": f"Organization/{listing.organization.public_id}"}}
    if telecom := _telecom(listing, loc.phone):
        resource["telecom"] = telecom
    if address := _address(loc):
        resource["address"] = address[0]
    if point := centroid(loc.postal_code):  # the ZIP's centroid, as the finder measures distances
        resource["position"] = {"latitude": point[0], "longitude": point[1]}
    return resource


def healthcare_service(listing: ClinicListing, locations: list) -> dict:
    resource = {
        "resourceType": "HealthcareService", "id": str(listing.public_id), "meta": _meta("HealthcareService", listing), "active": True,
        "providedBy": {"reference": f"Organization/{listing.organization.public_id}"},
        "category": [{"coding": [{"system": SERVICE_CATEGORY, "code": "behav", "display": "Behavioral Health"}]}],
        "type": [{"text": Route(r).label} for r in listing.routes if r in ROUTES] or [{"text": "Ketamine treatment"}],
        "location": [{"reference": f"Location/{loc.public_id}"} for loc in locations],
        "name": f"{listing.display_name}: ketamine treatment",
        "appointmentRequired": True,
    }
    if listing.about:
        resource["comment"] = listing.about
    if telecom := _telecom(listing):
        resource["telecom"] = telecom
    if listing.languages:
        resource["communication"] = [{"text": language} for language in listing.languages]
    return resource


def practitioner(profile: ProviderProfile, listing: ClinicListing) -> dict:
    user = profile.user
    name = practitioner_name(user, user.get_full_name() or user.username)
    resource = {"resourceType": "Practitioner", "id": str(user.public_id), "meta": _meta("Practitioner", listing), "active": True, "name": [name]}
    if profile.npi:
        resource["identifier"] = [{"system": NPI_SYSTEM, "value": profile.npi}]
    if profile.languages:
        resource["communication"] = [{"text": language} for language in profile.languages]
    return resource


def practitioner_role(profile: ProviderProfile, listing: ClinicListing, locations: list) -> dict:
    resource = role_resource(profile.user, locations, profiles=(PLAN_NET + "PractitionerRole",), telecom=_telecom(listing))
    resource["meta"]["lastUpdated"] = listing.updated_at.isoformat()
    resource["healthcareService"] = [{"reference": f"HealthcareService/{listing.public_id}"}]
    return resource


def _clinic_resources(listing: ClinicListing) -> list[dict]:
    locations = list(Location.objects.filter(organization_id=listing.organization_id, is_active=True).order_by("name", "id"))
    profiles = (ProviderProfile.objects.filter(organization_id=listing.organization_id, user__is_active=True, user__roles__role__in=LISTED_ROLES)
                .select_related("user__organization").prefetch_related("user__roles").distinct().order_by("user__last_name", "user__first_name", "id"))
    out = [organization(listing), *(location(loc, listing) for loc in locations), healthcare_service(listing, locations)]
    for profile in profiles:
        out += [practitioner(profile, listing), practitioner_role(profile, listing, locations)]
    return out


def plan_net_bundle(base_url: str) -> dict:
    """Every published clinic's directory entries as one Plan-Net shaped collection Bundle."""
    entries = []
    for listing in ClinicListing.objects.filter(published=True).select_related("organization").order_by("display_name", "id"):
        entries += [{"fullUrl": f"{base_url}/{r['resourceType']}/{r['id']}", "resource": r} for r in _clinic_resources(listing)]
    return {"resourceType": "Bundle", "type": "collection", "timestamp": timezone.now().isoformat(), "entry": entries}
