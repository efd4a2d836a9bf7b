"""REST API for provider profiles (mounted at /api/v1). Thin: schema in, one service call, schema out."""

import datetime as dt
from uuid import UUID

from django.utils import timezone
from ninja import Field, File, Router, Schema, Status
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

