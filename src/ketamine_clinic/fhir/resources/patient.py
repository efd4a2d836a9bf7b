"""Patient (US Core Patient 6.1.0) over ``patients.Patient``, through the patients services."""

from django.db.models import Q

from ketamine_clinic.audit.actions import Action
from ketamine_clinic.core.errors import NotFound
from ketamine_clinic.patients import services as patient_services

from .. import codes
from ..errors import FhirError
from ..search import SearchParam, date_q, token
from .base import ResourceType, by_ids, by_uuid, meta, status_filter

PROFILE = codes.profile("us-core-patient")
GENDER = {"female": "female", "male": "male", "intersex": "other", "unknown": "unknown"}
BIRTHSEX = {"female": "F", "male": "M"}


def to_fhir(p) -> dict:
    names = [{"use": "official", "family": p.family_name, "given": p.given_name.split()}]
    if p.preferred_name and p.preferred_name != p.given_name:
        names.append({"use": "usual", "given": [p.preferred_name]})
    resource = {
        "resourceType": "Patient",
        "id": str(p.public_id),
        "meta": meta(p, (PROFILE,)),
        "identifier": [{
            "use": "usual",
            "type": {"coding": [{"system": codes.IDENTIFIER_TYPE, "code": "MR", "display": "Medical record number"}], "text": "MRN"},
            "system": codes.MRN_SYSTEM,
            "value": p.mrn,
        }],
        "name": names,
        "gender": GENDER.get(p.sex_at_birth, "unknown"),
        "birthDate": p.date_of_birth.isoformat(),
    }
    if p.sex_at_birth in BIRTHSEX:
        resource["extension"] = [{"url": codes.BIRTHSEX_URL, "valueCode": BIRTHSEX[p.sex_at_birth]}]
    telecom = ([{"system": "phone", "value": p.phone, "use": "mobile"}] if p.phone else []) + (
        [{"system": "email", "value": p.email}] if p.email else [])
    if telecom:
        resource["telecom"] = telecom
    address = {k: v for k, v in (("city", p.city), ("state", p.region), ("postalCode", p.postal_code)) if v}
    if p.address_line:
        address["line"] = [p.address_line]
    if address:
        resource["address"] = [address]
    return resource


def read(ctx, resource_id):
    qs = patient_services.patients_for(ctx)
    patient = by_uuid(qs, resource_id)
    if patient is None:
        raise NotFound("No such Patient in this clinic.")
    return patient_services.get_patient_for(ctx, patient.public_id, audit_action=Action.FHIR_READ)


def _identifier(qs, value, ctx):
    system, code = token(value)
    if system not in (None, "", codes.MRN_SYSTEM):
        return qs.none()
    return qs.filter(mrn__iexact=code)


def _name(qs, value, ctx):
    q = Q()
    for part in value.split():
        q &= Q(given_name__icontains=part) | Q(family_name__icontains=part) | Q(preferred_name__icontains=part)
    return qs.filter(q)


PARAMS = {p.name: p for p in (
    SearchParam("_id", "token", lambda qs, v, ctx: by_ids(qs, v), "The opaque id"),
    SearchParam("identifier", "token", _identifier, f"The MRN ({codes.MRN_SYSTEM}|value or the bare value)"),
    SearchParam("name", "string", _name, "Any part of the given, family or preferred name"),
    SearchParam("family", "string", lambda qs, v, ctx: qs.filter(family_name__istartswith=v), "Family name, starts with"),
    SearchParam("given", "string", lambda qs, v, ctx: qs.filter(given_name__istartswith=v), "Given name, starts with"),
    SearchParam("birthdate", "date", lambda qs, v, ctx: qs.filter(**date_q("date_of_birth", v)), "Date of birth (prefixes eq, ge, gt, le, lt)"),
    SearchParam("gender", "token", status_filter(GENDER, "sex_at_birth"), "male, female, other (intersex), unknown"),
)}


def search(ctx, pairs):
    qs = patient_services.patients_for(ctx).order_by("family_name", "given_name", "id")
    for param, value in pairs:
        qs = param.apply(qs, value, ctx)
    return qs, None


# --- writes ----------------------------------------------------------------------------------
SEX_FROM_GENDER = {"female": "female", "male": "male", "unknown": "unknown"}
SEX_FROM_BIRTHSEX = {"F": "female", "M": "male", "UNK": "unknown", "ASKU": "unknown"}


def _data(resource: dict) -> dict:
    """The registration form's fields from a Patient resource (only what the clinic keeps)."""
    official = next((n for n in resource.get("name", []) if n.get("use") in (None, "official")), None) or (resource.get("name") or [{}])[0]
    usual = next((n for n in resource.get("name", []) if n.get("use") == "usual"), None)
    data = {
        "given_name": " ".join(official.get("given", [])),
        "family_name": official.get("family", ""),
        "preferred_name": " ".join(usual.get("given", [])) if usual else "",
        "date_of_birth": resource.get("birthDate", ""),
        "sex_at_birth": _sex(resource),
        "mrn": _mrn(resource),
    }
    for telecom in resource.get("telecom", []):
        if telecom.get("system") == "phone" and "phone" not in data:
            data["phone"] = telecom.get("value", "")
        elif telecom.get("system") == "email" and "email" not in data:
            data["email"] = telecom.get("value", "")
    if resource.get("address"):
        address = resource["address"][0]
        data.update({"address_line": ", ".join(address.get("line", [])), "city": address.get("city", ""),
                     "region": address.get("state", ""), "postal_code": address.get("postalCode", "")})
    return data


def _sex(resource: dict) -> str:
    birthsex = next((e.get("valueCode") for e in resource.get("extension", []) if e.get("url") == codes.BIRTHSEX_URL), None)
    if birthsex in SEX_FROM_BIRTHSEX:
        return SEX_FROM_BIRTHSEX[birthsex]
    gender = resource.get("gender")
    if gender is None:
        raise FhirError(422, "Patient.gender is required (or the US Core birthsex extension).", "required", ["Patient.gender"])
    if gender not in SEX_FROM_GENDER:
        # administrative gender 'other' says nothing about sex at birth, which the dosing rules read
        raise FhirError(422, f"Patient.gender '{gender}' cannot be recorded as sex at birth; send the US Core birthsex extension.", "value", ["Patient.gender"])
    return SEX_FROM_GENDER[gender]


def _mrn(resource: dict) -> str:
    for identifier in resource.get("identifier", []):
        if identifier.get("system") == codes.MRN_SYSTEM:
            return identifier.get("value", "")
    return ""


def create(ctx, resource, refs):
    return patient_services.register_patient(ctx, _data(resource))


def update(ctx, resource_id, resource, refs):
    patient = read(ctx, resource_id)
    data = _data(resource)
    if not data["mrn"]:
        data.pop("mrn")
    version = (resource.get("meta") or {}).get("versionId")
    expected = int(version) if version and str(version).isdigit() else None
    return patient_services.update_patient(ctx, patient, data, expected_version=expected, reason="Updated through the FHIR API")


TYPE = ResourceType(
    name="Patient", profiles=(PROFILE,), params=PARAMS, to_fhir=to_fhir, read=read, search=search,
    create=create, update=update,
    documentation="gender is sex at birth (intersex as 'other'); writes need the birthsex extension or gender male/female/unknown",
)
