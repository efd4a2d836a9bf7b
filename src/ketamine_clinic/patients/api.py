import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Field, Query, Router, Schema, Status

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.schemas import errors

from . import services
from .forms import PatientForm
from .models import Patient

router = Router(tags=["patients"])


class PatientIn(Schema):
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex_at_birth: str = Field(description="female | male | intersex | unknown")
    preferred_name: str | None = None
    gender_identity: str | None = None
    pronouns: str | None = None
    mrn: str | None = Field(None, description="Generated when left out")
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
    weight_kg: Decimal | None = Field(None, description="First weight, recorded today")
    height_cm: Decimal | None = None


class PatientPatch(Schema):
    version: int | None = Field(None, description="The version you read; a stale version is refused with 409")
    reason: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: dt.date | None = None
    sex_at_birth: str | None = None
    preferred_name: str | None = None
    gender_identity: str | None = None
    pronouns: str | None = None
    mrn: str | None = None
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


def _clean(payload: Schema) -> dict:
    return {k: ("" if v is None else v) for k, v in payload.dict(exclude_unset=True).items()}


class SearchParams(Schema):
    q: str = Field("", max_length=100, description="Name words, date of birth (YYYY-MM-DD), MRN or phone digits")
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


@router.get("", response={200: PatientPage, **errors(401, 403, 422)}, summary="Search patients")
def list_patients(request, params: Query[SearchParams]):
    qs = services.search_patients(Context.from_request(request), params.q)
    start = (params.page - 1) * params.page_size
    items = list(qs[start : start + params.page_size])
    return {"items": [_summary(p) for p in items], "count": qs.count(), "page": params.page, "page_size": params.page_size}


@router.post("", response={201: PatientOut, **errors(400, 401, 403, 409, 422)}, summary="Register a patient")
def create_patient(request, payload: PatientIn):
    patient = services.register_patient(Context.from_request(request), _clean(payload))
    return Status(201, _full(patient))


@router.get("/{patient_id}", response={200: PatientOut, **errors(401, 403, 404)}, summary="Read a patient's record")
def read_patient(request, patient_id: UUID):
    return _full(services.get_patient_for(Context.from_request(request), patient_id))


@router.patch("/{patient_id}", response={200: PatientOut, **errors(400, 401, 403, 404, 409, 422)}, summary="Edit demographics")
def patch_patient(request, patient_id: UUID, payload: PatientPatch):
    ctx = Context.from_request(request)
    patient = services.get_patient_for(ctx, patient_id)
    data = _clean(payload)
    version = data.pop("version", None)
    reason = data.pop("reason", "")
    patient = services.update_patient(ctx, patient, data, expected_version=version or None, reason=reason)
    return _full(patient)
