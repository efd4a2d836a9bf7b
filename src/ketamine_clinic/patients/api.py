import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from django import forms
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import AfterValidator, WithJsonSchema

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.core.pagination import MAX_PAGE
from ketamine_clinic.core.schemas import errors
from ketamine_clinic.web.api import form_data

from . import services
from .forms import SUBRECORD_FORMS, PatientForm
from .models import Patient

router = Router(tags=["patients"])


class _ContactFields(Schema):
    """Optional contact, emergency-contact and referrer fields, the same on registration and update."""

    phone: str | None = None
    email: str | None = None
    address_line: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    emergency_contact_name: str | None = None
    emergency_contact_relationship: str | None = None
    emergency_contact_phone: str | None = None
    referring_provider_name: str | None = None
    referring_provider_phone: str | None = None
    referring_provider_npi: str | None = None


class PatientIn(_ContactFields):
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex_at_birth: str = Field(description="female | male | intersex | unknown")
    preferred_name: str | None = None
    gender_identity: str | None = None
    pronouns: str | None = None
    mrn: str | None = Field(None, description="Generated when left out")
    weight_kg: Decimal | None = Field(None, description="First weight, recorded today")
    height_cm: Decimal | None = None


class PatientPatch(_ContactFields):
    version: int = Field(description="Required: the version you read; a stale version is refused with 409")
    reason: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: dt.date | None = None
    sex_at_birth: str | None = None
    preferred_name: str | None = None
    gender_identity: str | None = None
    pronouns: str | None = None
    mrn: str | None = None


class PatientSummary(Schema):
    id: UUID
    mrn: str
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: dt.date
    phone: str


class MeasurementOut(Schema):
    id: UUID
    measured_on: dt.date
    weight_kg: Decimal
    height_cm: Decimal | None
    bmi_kg_per_m2: Decimal | None


class AllergyOut(Schema):
    id: UUID
    substance: str
    reaction: str
    severity: str


class MedicationOut(Schema):
    id: UUID
    name: str
    drug_class: str
    dose: str
    started_on: dt.date | None


class TrialOut(Schema):
    id: UUID
    drug: str
    dose_mg_per_day: Decimal
    weeks: int
    adequate: bool
    outcome: str
    current_episode: bool
    status: str


class DiagnosisOut(Schema):
    id: UUID
    icd10_code: str
    display: str
    system: str = "http://hl7.org/fhir/sid/icd-10-cm"


class PatientOut(PatientSummary):
    version: int
    sex_at_birth: str
    gender_identity: str
    pronouns: str
    email: str
    address_line: str
    city: str
    region: str
    postal_code: str
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str
    referring_provider_name: str
    referring_provider_phone: str
    referring_provider_npi: str
    measurement: MeasurementOut | None
    allergies: list[AllergyOut]
    medications: list[MedicationOut]
    antidepressant_trials: list[TrialOut]
    diagnoses: list[DiagnosisOut]


class PatientPage(Schema):
    items: list[PatientSummary]
    count: int
    page: int
    page_size: int


def _summary(p: Patient) -> dict:
    return {"id": p.public_id, **{k: getattr(p, k) for k in ("mrn", "given_name", "family_name", "preferred_name", "date_of_birth", "phone")}}


def _full(p: Patient) -> dict:
    m = services.current_measurement(p)
    records = services.chart_records(p)
    return {
        "id": p.public_id,
        "version": p.version,
        **{k: getattr(p, k) for k in PatientForm.DEMOGRAPHIC_FIELDS},
        "measurement": m and {"id": m.public_id, "measured_on": m.measured_on, "weight_kg": m.weight_kg, "height_cm": m.height_cm, "bmi_kg_per_m2": m.bmi_kg_per_m2},
        "allergies": [{"id": a.public_id, "substance": a.substance, "reaction": a.reaction, "severity": a.severity} for a in records["allergies"]],
        "medications": [{"id": x.public_id, "name": x.name, "drug_class": x.drug_class, "dose": x.dose, "started_on": x.started_on} for x in records["medications"]],
        "antidepressant_trials": [
            {"id": t.public_id, "drug": t.drug, "dose_mg_per_day": t.dose_mg_per_day, "weeks": t.weeks, "adequate": t.adequate, "outcome": t.outcome, "current_episode": t.current_episode, "status": t.status}
            for t in records["trials"]
        ],
        "diagnoses": [{"id": d.public_id, "icd10_code": d.icd10_code, "display": d.display} for d in records["diagnoses"]],
    }


class SearchParams(Schema):
    q: str = Field("", max_length=100, description="Name words, date of birth (YYYY-MM-DD), MRN or phone digits")
    page: int = Field(1, ge=1, le=MAX_PAGE, description=f"1 to {MAX_PAGE:,}; a page past the last result is empty")
    page_size: int = Field(25, ge=1, le=100)


@router.get("", response={200: PatientPage, **errors(401, 403, 422)}, summary="Search patients")
def list_patients(request, params: Query[SearchParams]):
    items, count = services.search_page(Context.from_request(request), params.q, params.page, params.page_size)
    return {"items": [_summary(p) for p in items], "count": count, "page": params.page, "page_size": params.page_size}


@router.post("", response={201: PatientOut, **errors(400, 401, 403, 409, 422)}, summary="Register a patient")
def create_patient(request, payload: PatientIn):
    patient = services.register_patient(Context.from_request(request), form_data(payload))
    return Status(201, _full(patient))


@router.get("/{patient_id}", response={200: PatientOut, **errors(401, 403, 404, 422)}, summary="Read a patient's record")
def read_patient(request, patient_id: UUID):
    return _full(services.get_patient_for(Context.from_request(request), patient_id))


@router.patch("/{patient_id}", response={200: PatientOut, **errors(400, 401, 403, 404, 409, 422)}, summary="Edit demographics")
def patch_patient(request, patient_id: UUID, payload: PatientPatch):
    ctx = Context.from_request(request)
    patient = services.get_patient_for(ctx, patient_id)
    data = form_data(payload, only_sent=True)
    version = data.pop("version")
    reason = data.pop("reason", "")
    patient = services.update_patient(ctx, patient, data, expected_version=version, reason=reason)
    return _full(patient)


# --- a chart's entries: measurements, allergies, medications, antidepressant trials, diagnoses ---
KIND = Path(..., description="measurement | allergy | medication | trial | diagnosis")
FIELDS_BY_KIND = "; ".join(f"{kind}: {', '.join(form.base_fields)}" for kind, form in SUBRECORD_FORMS.items())
TEXT_FIELDS = (forms.CharField, forms.DateField)  # read as strings; a number here is a client bug


def _single_value(value):
    if isinstance(value, (list, dict)):
        raise ValueError("Expected a single value, not a list or an object.")
    return value


RecordValue = Annotated[
    Any,
    AfterValidator(_single_value),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}, {"type": "null"}]}),
]
RecordValues = dict[str, RecordValue]


class RecordOut(Schema):
    id: UUID
    kind: str
    status: str = Field(description="active | inactive | entered-in-error")
    version: int = Field(description="Send it back as expected_version when correcting")
    recorded_at: dt.datetime
    data: dict[str, Any] = Field(description=f"The entry's values, named as POST and PATCH take them ({FIELDS_BY_KIND})")


class RecordIn(Schema):
    data: RecordValues = Field(description=f"The entry's values by kind ({FIELDS_BY_KIND})")


class RecordCorrection(Schema):
    data: RecordValues = Field(description="The fields to correct; fields left out keep their recorded values")
    reason: str = Field(description="Why; kept with the earlier version in the history (at most 300 characters)")
    expected_version: int = Field(description="The version you read; a stale version is refused with 409")


class RecordStatusIn(Schema):
    status: Literal["inactive", "entered-in-error"] = Field(description="inactive (stopped/resolved) or entered-in-error (withdrawn)")
    reason: str = Field(description="Why (at most 300 characters)")


def _record(kind: str, obj) -> dict:
    values = {name: getattr(obj, name) for name in SUBRECORD_FORMS[kind].base_fields}
    return {"id": obj.public_id, "kind": kind, "status": obj.status, "version": obj.version, "recorded_at": obj.recorded_at, "data": values}


def _form_input(kind: str, data: dict) -> dict:
    """JSON values as the forms read them. A misspelt field is refused (ignoring it would report
    success for a change that never happened), and so is a number where text belongs, as the
    patient endpoints refuse it."""
    form_class = SUBRECORD_FORMS.get(kind)
    if form_class is None:
        return data  # the service answers 404 for the unknown kind
    errors = {}
    for name, value in data.items():
        field = form_class.base_fields.get(name)
        if field is None:
            errors[name] = [f"A {kind} has no field {name!r}."]
        elif isinstance(field, TEXT_FIELDS) and not isinstance(value, (str, type(None))):
            errors[name] = ["Expected a string."]
    if errors:
        raise ValidationFailed(errors)
    return {name: _as_form_value(value) for name, value in data.items()}


def _as_form_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"  # the yes/no choices of the trial form
    return value


@router.get("/{patient_id}/records/{kind}", response={200: list[RecordOut], **errors(401, 403, 404, 422)}, summary="List a chart's entries of one kind")
def list_records(request, patient_id: UUID, kind: str = KIND):
    patient = services.get_patient_for(Context.from_request(request), patient_id)
    return [_record(kind, obj) for obj in services.subrecords_for(patient, kind)]


@router.post("/{patient_id}/records/{kind}", response={201: RecordOut, **errors(400, 401, 403, 404, 422)}, summary="Add an entry to a chart")
def add_record(request, patient_id: UUID, payload: RecordIn, kind: str = KIND):
    ctx = Context.from_request(request)
    patient = services.get_patient_for(ctx, patient_id)
    obj = services.add_subrecord(ctx, patient, kind, _form_input(kind, payload.data))
    return Status(201, _record(kind, obj))


@router.patch("/{patient_id}/records/{kind}/{record_id}", response={200: RecordOut, **errors(400, 401, 403, 404, 409, 422)}, summary="Correct an entry")
def correct_record(request, patient_id: UUID, record_id: UUID, payload: RecordCorrection, kind: str = KIND):
    ctx = Context.from_request(request)
    patient = services.get_patient_for(ctx, patient_id)
    obj = services.correct_subrecord(ctx, patient, kind, record_id, _form_input(kind, payload.data), payload.reason, expected_version=payload.expected_version)
    return _record(kind, obj)


@router.post("/{patient_id}/records/{kind}/{record_id}/status", response={200: RecordOut, **errors(400, 401, 403, 404, 409, 422)}, summary="Mark an entry inactive or entered in error")
def set_record_status(request, patient_id: UUID, record_id: UUID, payload: RecordStatusIn, kind: str = KIND):
    ctx = Context.from_request(request)
    patient = services.get_patient_for(ctx, patient_id)
    obj = services.set_subrecord_status(ctx, patient, kind, record_id, payload.status, payload.reason)
    return _record(kind, obj)
