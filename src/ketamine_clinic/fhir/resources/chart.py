"""Condition, AllergyIntolerance and MedicationStatement over the chart's diagnoses, allergies and
medications (``patients`` models), written through ``patients.services.add_subrecord``."""

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import record
from ketamine_clinic.core.errors import NotFound
from ketamine_clinic.patients import services as patient_services
from ketamine_clinic.patients.models import Allergy, Diagnosis, Medication, RecordStatus

from .. import codes
from ..errors import FhirError
from ..search import SearchParam, reference_id, token
from .base import ResourceType, by_ids, by_uuid, iso, meta, patient_of, patient_ref

ERROR = RecordStatus.ENTERED_IN_ERROR


def _scoped(ctx, model):
    require(ctx.user, "patient.view")
    return model.objects.filter(patient__organization_id=ctx.user.organization_id).select_related("patient")


def _reader(model, label):
    def read(ctx, resource_id):
        obj = by_uuid(_scoped(ctx, model), resource_id)
        if obj is None:
            raise NotFound(f"No such {label} in this clinic.")
        record(ctx, Action.FHIR_READ, obj=obj, patient=obj.patient, organization=obj.patient.organization)
        return obj
    return read


def _patient_filter(qs, value, ctx):
    patient_id = reference_id(value, "Patient")
    return qs.filter(patient__public_id=patient_id) if patient_id else qs.none()


def _searcher(model, order):
    def search(ctx, pairs):
        qs = _scoped(ctx, model).order_by(*order, "id")
        for param, value in pairs:
            qs = param.apply(qs, value, ctx)
        return qs, None
    return search


def _common(*params):
    return {p.name: p for p in (
        SearchParam("_id", "token", lambda qs, v, ctx: by_ids(qs, v), "The opaque id"),
        SearchParam("patient", "reference", _patient_filter, "Patient/<id> or <id>"),
        *params,
    )}


def _status_filter(mapping):
    def apply(qs, value, ctx):
        wanted = set(value.split(","))
        return qs.filter(status__in=[ours for ours, theirs in mapping.items() if theirs in wanted])
    return apply


def _verification(record, system: str) -> dict:
    """verificationStatus: confirmed, or entered-in-error for a record marked so."""
    return {"coding": [{"system": system, "code": "entered-in-error" if record.status == ERROR else "confirmed"}]}


def _add_clinical_status(resource: dict, record, system: str, mapping: dict) -> None:
    """clinicalStatus from the record's status; none for a status outside ``mapping`` (an entry made in error)."""
    if record.status in mapping:
        resource["clinicalStatus"] = {"coding": [{"system": system, "code": mapping[record.status]}]}


# --- Condition ---------------------------------------------------------------------------------
CONDITION_PROFILE = codes.profile("us-core-condition-problems-health-concerns")
CONDITION_CLINICAL = {RecordStatus.ACTIVE: "active", RecordStatus.INACTIVE: "resolved"}


def condition(d: Diagnosis) -> dict:
    resource = {
        "resourceType": "Condition",
        "id": str(d.public_id),
        "meta": meta(d, (CONDITION_PROFILE,)),
        "verificationStatus": _verification(d, codes.CONDITION_VERIFICATION),
        "category": [{"coding": [{"system": codes.CONDITION_CATEGORY, "code": "problem-list-item", "display": "Problem List Item"}]}],
        "code": {"coding": [{"system": codes.ICD10CM, "code": d.icd10_code, "display": d.display}], "text": d.display},
        "subject": patient_ref(d.patient),
        "recordedDate": iso(d.recorded_at),
    }
    _add_clinical_status(resource, d, codes.CONDITION_CLINICAL, CONDITION_CLINICAL)  # con-5: none on an entry made in error
    if d.onset_on:
        resource["onsetDateTime"] = d.onset_on.isoformat()
    return resource


def _condition_code(qs, value, ctx):
    system, code = token(value)
    if system not in (None, "", codes.ICD10CM):
        return qs.none()
    return qs.filter(icd10_code__iexact=code)


def create_condition(ctx, resource, refs):
    patient = patient_of(refs, resource, "subject")
    coding = next((c for c in (resource.get("code") or {}).get("coding", []) if c.get("system") == codes.ICD10CM), None)
    if coding is None or not coding.get("code"):
        raise FhirError(422, f"Condition.code needs an ICD-10-CM coding ({codes.ICD10CM}).", "required", ["Condition.code"])
    data = {"icd10_code": coding["code"], "display": coding.get("display") or (resource.get("code") or {}).get("text", ""),
            "onset_on": (resource.get("onsetDateTime") or "")[:10]}
    return patient_services.add_subrecord(ctx, patient, "diagnosis", data)


CONDITION = ResourceType(
    name="Condition", profiles=(CONDITION_PROFILE,),
    params=_common(
        SearchParam("code", "token", _condition_code, f"ICD-10-CM code ({codes.ICD10CM}|F33.2 or F33.2)"),
        SearchParam("clinical-status", "token", _status_filter(CONDITION_CLINICAL), "active or resolved"),
    ),
    to_fhir=condition, read=_reader(Diagnosis, "Condition"), search=_searcher(Diagnosis, ("icd10_code",)), create=create_condition,
)


# --- AllergyIntolerance ------------------------------------------------------------------------
ALLERGY_PROFILE = codes.profile("us-core-allergyintolerance")
ALLERGY_CLINICAL = {RecordStatus.ACTIVE: "active", RecordStatus.INACTIVE: "inactive"}


def allergy(a: Allergy) -> dict:
    resource = {
        "resourceType": "AllergyIntolerance",
        "id": str(a.public_id),
        "meta": meta(a, (ALLERGY_PROFILE,)),
        "verificationStatus": _verification(a, codes.ALLERGY_VERIFICATION),
        "code": {"text": a.substance},
        "patient": patient_ref(a.patient),
        "recordedDate": iso(a.recorded_at),
    }
    _add_clinical_status(resource, a, codes.ALLERGY_CLINICAL, ALLERGY_CLINICAL)
    if a.reaction:
        reaction = {"manifestation": [{"text": a.reaction}]}
        if a.severity != Allergy.Severity.UNKNOWN:
            reaction["severity"] = a.severity
        resource["reaction"] = [reaction]
    return resource


def create_allergy(ctx, resource, refs):
    patient = patient_of(refs, resource, "patient")
    code = resource.get("code") or {}
    substance = code.get("text") or next((c.get("display") for c in code.get("coding", []) if c.get("display")), "")
    reaction = (resource.get("reaction") or [{}])[0]
    manifestation = " ".join(m.get("text") or next((c.get("display", "") for c in m.get("coding", [])), "") for m in reaction.get("manifestation", []))
    data = {"substance": substance, "reaction": manifestation.strip(), "severity": reaction.get("severity") or Allergy.Severity.UNKNOWN}
    return patient_services.add_subrecord(ctx, patient, "allergy", data)


ALLERGY = ResourceType(
    name="AllergyIntolerance", profiles=(ALLERGY_PROFILE,),
    params=_common(SearchParam("clinical-status", "token", _status_filter(ALLERGY_CLINICAL), "active or inactive")),
    to_fhir=allergy, read=_reader(Allergy, "AllergyIntolerance"), search=_searcher(Allergy, ("substance",)), create=create_allergy,
)


# --- MedicationStatement (US Core 6.1.0 has no MedicationStatement profile: base R4) -------------
MEDICATION_STATUS = {RecordStatus.ACTIVE: "active", RecordStatus.INACTIVE: "stopped", ERROR: "entered-in-error"}


def medication(m: Medication) -> dict:
    resource = {
        "resourceType": "MedicationStatement",
        "id": str(m.public_id),
        "meta": meta(m),
        "status": MEDICATION_STATUS[m.status],
        "medicationCodeableConcept": {"text": m.name},
        "subject": patient_ref(m.patient),
        "dateAsserted": iso(m.recorded_at),
    }
    if m.started_on:
        resource["effectivePeriod"] = {"start": m.started_on.isoformat()}
    if m.dose:
        resource["dosage"] = [{"text": m.dose}]
    return resource


def create_medication(ctx, resource, refs):
    patient = patient_of(refs, resource, "subject")
    concept = resource.get("medicationCodeableConcept") or {}
    name = concept.get("text") or next((c.get("display") for c in concept.get("coding", []) if c.get("display")), "")
    if not name:
        raise FhirError(422, "MedicationStatement.medicationCodeableConcept needs a text or a coding with a display.", "required", ["MedicationStatement.medicationCodeableConcept"])
    period = resource.get("effectivePeriod") or {}
    started = (period.get("start") or resource.get("effectiveDateTime") or "")[:10]
    dose = " ".join(d.get("text", "") for d in resource.get("dosage", [])).strip()
    return patient_services.add_subrecord(ctx, patient, "medication", {"name": name, "dose": dose, "started_on": started, "drug_class": ""})


MEDICATION = ResourceType(
    name="MedicationStatement", profiles=(),
    params=_common(SearchParam("status", "token", _status_filter(MEDICATION_STATUS), "active, stopped, entered-in-error")),
    to_fhir=medication, read=_reader(Medication, "MedicationStatement"), search=_searcher(Medication, ("name",)), create=create_medication,
)
