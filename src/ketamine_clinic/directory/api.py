"""REST API for provider profiles (mounted at /api/v1). Thin: schema in, one service call, schema out."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.schemas import errors
from ketamine_clinic.web.api import form_data

from . import services
from .rules.taxonomy import display

router = Router(tags=["directory"])


class LicenceOut(Schema):
    state: str
    number: str
    expires_on: dt.date


class CredentialOut(Schema):
    title: str
    issuer: str
    issued_on: dt.date | None
    expires_on: dt.date | None


class TaxonomyOut(Schema):
    code: str
    display: str
    primary: bool


class ProfileOut(Schema):
    clinician_id: UUID
    name: str
    npi: str
    taxonomies: list[TaxonomyOut]
    dea_number: str
    dea_expires_on: dt.date | None
    languages: list[str]
    licences: list[LicenceOut]
    credentials: list[CredentialOut]
    may_sign_orders: bool
    sign_block_reason: str | None = Field(None, description="Why this clinician cannot sign orders today, if so")


class ProfileIn(Schema):
    npi: str = ""
    taxonomy_codes: list[str] = []
    primary_taxonomy: str = ""
    dea_number: str = ""
    dea_expires_on: dt.date | None = None
    languages: list[str] = Field([], description="Language names")


class LicenceIn(Schema):
    state: str = Field(description="USPS code, e.g. NY")
    number: str
    expires_on: dt.date


class CredentialIn(Schema):
    title: str
    issuer: str = ""
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None


class ExpiringOut(Schema):
    clinician_id: UUID
    clinician: str
    what: str
    number: str
    expires_on: dt.date
    days_left: int
    expired: bool


def profile_out(user, profile) -> dict:
    reason = services.prescriber_block_reason(user, timezone.localdate())
    codes = profile.taxonomy_codes if profile else []
    return {
        "clinician_id": user.public_id, "name": user.get_full_name() or user.username,
        "npi": profile.npi if profile else "",
        "taxonomies": [{"code": c, "display": display(c), "primary": c == profile.primary_taxonomy} for c in codes],
        "dea_number": profile.dea_number if profile else "", "dea_expires_on": profile.dea_expires_on if profile else None,
        "languages": profile.languages if profile else [],
        "licences": list(profile.licences.all()) if profile else [],
        "credentials": list(profile.credentials.all()) if profile else [],
        "may_sign_orders": reason is None, "sign_block_reason": reason,
    }


@router.get("/providers", response={200: list[ProfileOut], **errors(401, 403)}, summary="The clinic's provider profiles")
def list_profiles(request):
    return [profile_out(u, p) for u, p in services.clinicians_for(Context.from_request(request))]


@router.get("/providers/expiring", response={200: list[ExpiringOut], **errors(401, 403)},
            summary="Licences and DEA registrations expiring within the clinic's warning window (clinic admin)")
def list_expiring(request):
    return services.expiring_for(Context.from_request(request), timezone.localdate())


class NppesImportOut(Schema):
    records: int
    matched: int
    prefilled: int
    not_in_clinic: int
    names: list[str]


@router.post("/providers/nppes-import", response={200: NppesImportOut, **errors(400, 401, 403, 422)},
             summary="Import an NPPES file (dissemination CSV extract or NPI Registry API JSON) to cross-check profiles")
def import_nppes(request, file: UploadedFile = File(...)):
    return services.import_nppes(Context.from_request(request), file)


@router.get("/providers/{clinician_id}", response={200: ProfileOut, **errors(401, 403, 404, 422)},
            summary="A clinician's provider profile")
def read_profile(request, clinician_id: UUID):
    return profile_out(*services.get_profile_for(Context.from_request(request), clinician_id))


def _profile_data(payload: ProfileIn) -> dict:
    data = form_data(payload)
    data["languages"] = ", ".join(payload.languages)
    return data


@router.put("/providers/{clinician_id}", response={200: ProfileOut, **errors(400, 401, 403, 404, 422)},
            summary="Save a provider profile (NPI and DEA check digits verified)")
def save_profile(request, clinician_id: UUID, payload: ProfileIn):
    ctx = Context.from_request(request)
    services.save_profile(ctx, clinician_id, _profile_data(payload))
    return profile_out(*services.get_profile_for(ctx, clinician_id))


@router.post("/providers/{clinician_id}/licences", response={201: LicenceOut, **errors(400, 401, 403, 404, 422)},
             summary="Add a state licence, or renew that state's licence")
def save_licence(request, clinician_id: UUID, payload: LicenceIn):
    return Status(201, services.save_licence(Context.from_request(request), clinician_id, form_data(payload)))


@router.post("/providers/{clinician_id}/credentials", response={201: CredentialOut, **errors(400, 401, 403, 404, 422)},
             summary="Add a credential (e.g. a KAP training certificate)")
def add_credential(request, clinician_id: UUID, payload: CredentialIn):
    return Status(201, services.add_credential(Context.from_request(request), clinician_id, form_data(payload)))



class RegistryTaxonomyOut(Schema):
    code: str
    primary: bool
    license: str
    state: str


class RegistryRecordOut(Schema):
    npi: str
    entity_type: str
    first_name: str
    last_name: str
    credential: str
    address_line: str
    city: str
    state: str
    postal_code: str
    phone: str
    taxonomies: list[RegistryTaxonomyOut]
    last_updated: str


class RegistryLookupOut(Schema):
    found: RegistryRecordOut
    prefilled: bool = Field(description="Empty taxonomy codes were pre-filled from the registry")
    mismatches: list[str] = Field(description="How the registry's record differs from the profile")


@router.post("/providers/{clinician_id}/npi-registry", response={200: RegistryLookupOut, **errors(401, 403, 404, 409, 422, 502)},
             summary="Look the clinician's NPI up live in the NPI Registry (409 unless the deployment set NPI_REGISTRY_URL; "
                     "502 when the registry fails)")
def registry_lookup(request, clinician_id: UUID):
    return services.registry_lookup(Context.from_request(request), clinician_id)


# --- the public finder (no sign-in) and the clinic's listing ------------------------------------
class FinderQuery(Schema):
    zip: str = Field(description="5-digit ZIP code")
    radius_miles: int | None = Field(None, description="5–500; default 25")
    route: str = ""
    indication: str = ""
    rems_certified: bool = False
    kap: bool = False
    telehealth_state: str = ""
    accepting: bool = False
    insurance: str = ""
    max_price_usd: Decimal | None = None
    sliding_scale: bool = False
    language: str = ""
    accessibility: str = ""


class FinderResultOut(Schema):
    clinic_id: UUID
    clinic: str
    location: str
    address: str
    phone: str
    distance_miles: float
    accepting_new_patients: bool
    routes: list[str]
    spravato_rems_certified: bool
    rems_certified_on: dt.date | None
    kap_offered: bool
    telehealth_states: list[str]


class FinderOut(Schema):
    total: int
    results: list[FinderResultOut]


class ListingOut(Schema):
    clinic_id: UUID | None
    published: bool
    display_name: str
    phone: str
    website: str
    about: str
    routes: list[str]
    indications: list[str]
    spravato_rems_certified: bool
    rems_certified_on: dt.date | None
    rems_evidence: str
    kap_offered: bool
    telehealth_states: list[str]
    accepting_new_patients: bool
    insurance_networks: list[str]
    self_pay_min_usd: Decimal | None
    self_pay_max_usd: Decimal | None
    sliding_scale: bool
    languages: list[str]
    accessibility: list[str]
    good_faith_estimate_notice: str


class ListingIn(Schema):
    published: bool = False
    display_name: str
    phone: str = ""
    website: str = ""
    about: str = ""
    routes: list[str] = []
    indications: list[str] = []
    spravato_rems_certified: bool = False
    rems_certified_on: dt.date | None = None
    rems_evidence: str = ""
    kap_offered: bool = False
    telehealth_states: list[str] = []
    accepting_new_patients: bool = True
    insurance_networks: list[str] = []
    self_pay_min_usd: Decimal | None = None
    self_pay_max_usd: Decimal | None = None
    sliding_scale: bool = False
    languages: list[str] = []
    accessibility: list[str] = []
    good_faith_estimate_notice: str = ""


class PublicClinicianOut(Schema):
    name: str
    credentials: str
    specialty: str
    certificates: list[str] = Field(description="Current training certificates and certifications, e.g. KAP training")
    languages: list[str]
    npi: str


class OpeningSpanOut(Schema):
    opens: dt.time
    closes: dt.time


class OpeningDayOut(Schema):
    weekday: int = Field(description="0 = Monday")
    day: str
    spans: list[OpeningSpanOut] = Field(description="Empty: closed that day")


class PublicLocationOut(Schema):
    name: str
    address_line: str
    city: str
    region: str
    postal_code: str
    phone: str
    time_zone: str = Field(description="IANA zone the opening hours are given in (local time), with today's abbreviation")
    opening_hours: list[OpeningDayOut] = Field(description="Monday to Sunday; empty when the clinic recorded none")


class PublicClinicOut(Schema):
    listing: ListingOut
    locations: list[PublicLocationOut]
    clinicians: list[PublicClinicianOut]


def _listing_out(listing) -> dict:
    out = {name: getattr(listing, name) for name in ListingOut.model_fields if name != "clinic_id"}
    out["clinic_id"] = listing.public_id if listing.pk else None
    return out


def _bool_form(data: dict) -> dict:
    """A form's checkbox is absent when false: drop false booleans so the form reads them as unticked."""
    return {k: v for k, v in data.items() if v is not False}


@router.get("/finder/search", auth=None, response={200: FinderOut, **errors(422)},
            summary="Public: published clinic locations near a ZIP code, nearest first")
def finder_search(request, query: Query[FinderQuery]):
    results, total = services.search(_bool_form(form_data(query)))
    return {"total": total, "results": [{
        "clinic_id": r.listing.public_id, "clinic": r.listing.display_name, "location": r.location_name,
        "address": r.address, "phone": r.phone, "distance_miles": r.distance_miles,
        "accepting_new_patients": r.listing.accepting_new_patients, "routes": r.listing.routes,
        "spravato_rems_certified": r.listing.spravato_rems_certified, "rems_certified_on": r.listing.rems_certified_on,
        "kap_offered": r.listing.kap_offered, "telehealth_states": r.listing.telehealth_states} for r in results]}


@router.get("/finder/clinics/{clinic_id}", auth=None, response={200: PublicClinicOut, **errors(404, 422)},
            summary="Public: a published clinic's page (locations, services, clinicians, good-faith-estimate notice)")
def finder_clinic(request, clinic_id: UUID):
    page = services.public_clinic(clinic_id)
    locations = [{**{name: getattr(l["location"], name) for name in ("name", "address_line", "city", "region",
                                                                      "postal_code", "phone")},
                  "time_zone": l["time_zone"], "opening_hours": l["opening_hours"]} for l in page["listed_locations"]]
    return {"listing": _listing_out(page["listing"]), "locations": locations, "clinicians": page["clinicians"]}


@router.get("/clinic-listing", response={200: ListingOut, **errors(401, 403)}, summary="The clinic's finder listing")
def read_listing(request):
    return _listing_out(services.listing_for(Context.from_request(request)))


@router.put("/clinic-listing", response={200: ListingOut, **errors(400, 401, 403, 422)},
            summary="Save (and publish or withdraw) the clinic's finder listing")
def save_listing(request, payload: ListingIn):
    data = form_data(payload)
    data["insurance_networks"] = ", ".join(payload.insurance_networks)
    data["languages"] = ", ".join(payload.languages)
    return _listing_out(services.save_listing(Context.from_request(request), _bool_form(data)))
