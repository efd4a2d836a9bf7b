"""Condition, AllergyIntolerance and MedicationStatement over the chart's diagnoses, allergies and
medications (``patients`` models), written through ``patients.services.add_subrecord``."""

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.core.errors import NotFound, ValidationFailed
from ketamine_clinic.patients import services as patient_services
from ketamine_clinic.patients.models import Allergy, Diagnosis, Medication, RecordStatus

from .. import codes
from ..errors import FhirError
from ..search import SearchParam, token
from .base import (ID_PARAM, PATIENT_PARAM, ResourceType, audited_read, by_uuid, iso, meta, patient_of, patient_ref, searched,
                   status_filter)

ERROR = RecordStatus.ENTERED_IN_ERROR


def _rows(model, organization_id):
    """The served rows of one clinic, unpermissioned: ``_scoped`` checks the actor first."""
    return model.objects.filter(patient__organization_id=organization_id).select_related("patient")


def _scoped(ctx, model):
    require(ctx.user, "patient.view")
    return _rows(model, ctx.user.organization_id)


def _of_patient(model, order):
    """The patient's own rows, as the staff search serves and orders them (entries made in error included, marked)."""
    return lambda patient: _rows(model, patient.organization_id).filter(patient=patient).order_by(*order, "id")


def _reader(model, label):
    return lambda ctx, resource_id: audited_read(ctx, _scoped(ctx, model), resource_id, label)


def _searcher(model, order):
    def search(ctx, pairs):
        return searched(_scoped(ctx, model).order_by(*order, "id"), pairs, ctx), None
    return search


def _common(*params):
    return {p.name: p for p in (
        ID_PARAM,
        PATIENT_PARAM,
        *params,
    )}


def _verification(record, system: str) -> dict:
    """verificationStatus: confirmed, or entered-in-error for a record marked so."""
    return {"coding": [{"system": system, "code": "entered-in-error" if record.status == ERROR else "confirmed"}]}


def _add_clinical_status(resource: dict, record, system: str, mapping: dict) -> None:
    """clinicalStatus from the record's status; none for a status outside ``mapping`` (an entry made in error)."""
    if record.status in mapping:
        resource["clinicalStatus"] = {"coding": [{"system": system, "code": mapping[record.status]}]}


# --- updates (PUT): a correction of the entry's values and, when the status changed, a status change --
UPDATE_REASON = "Updated through the FHIR API"
CLINICAL_ACTIVE = {"active", "recurrence", "relapse"}
CLINICAL_ENDED = {"inactive", "resolved", "remission"}


def expected_version(resource) -> int | None:
    """``meta.versionId`` as the version the client last read (a stale one is refused with 409)."""
    version = (resource.get("meta") or {}).get("versionId")
    return int(version) if version and str(version).isdigit() else None


def _status_from(clinical_field, active_codes, ended_codes, verification_field):
    """The record status a Condition/AllergyIntolerance asks for, from its clinical and verification status."""
    def status(resource):
        codes_of = lambda field: {c.get("code") for c in (resource.get(field) or {}).get("coding", [])}  # noqa: E731
        if "entered-in-error" in codes_of(verification_field):
            return ERROR
        clinical = codes_of(clinical_field)
        if clinical & ended_codes:
            return RecordStatus.INACTIVE
        return RecordStatus.ACTIVE if clinical & active_codes else None  # none given: the status stays
    return status


def update_entry(ctx, obj, kind: str, data: dict, status, version: int | None):
    """Correct the entry (a new version; nothing when the values are already recorded), then move its
    status if the resource asks for another one. One transaction: the caller's."""
    try:  # the version is checked here, before "nothing to correct"
        obj = patient_services.correct_subrecord(ctx, obj.patient, kind, obj.public_id, data, UPDATE_REASON, expected_version=version)
    except ValidationFailed as exc:
        if set(exc.errors) != {"data"}:  # anything but "nothing to correct"
            raise
    if status is None or status == obj.status:
        return obj
    if status == RecordStatus.ACTIVE:
        raise FhirError(422, "An ended entry cannot be made active again; record a new one.", "business-rule")
    return patient_services.set_subrecord_status(ctx, obj.patient, kind, obj.public_id, status, UPDATE_REASON)


def _updater(model, kind: str, patient_field: str, data_of, status_of):
    def update(ctx, resource_id, resource, refs):
        obj = by_uuid(_scoped(ctx, model), resource_id)
        if obj is None:
            raise NotFound(f"No such {resource['resourceType']} in this clinic.")
        if patient_of(refs, resource, patient_field) != obj.patient:
            raise FhirError(422, f"{resource['resourceType']}.{patient_field} cannot change: an entry stays on its patient's chart.",
                            "business-rule", [f"{resource['resourceType']}.{patient_field}"])
        return update_entry(ctx, obj, kind, data_of(resource), status_of(resource), expected_version(resource))
    return update


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


def _condition_data(resource) -> dict:
    coding = next((c for c in (resource.get("code") or {}).get("coding", []) if c.get("system") == codes.ICD10CM), None)
    if coding is None or not coding.get("code"):
        raise FhirError(422, f"Condition.code needs an ICD-10-CM coding ({codes.ICD10CM}).", "required", ["Condition.code"])
    return {"icd10_code": coding["code"], "display": coding.get("display") or (resource.get("code") or {}).get("text", ""),
            "onset_on": (resource.get("onsetDateTime") or "")[:10]}


def create_condition(ctx, resource, refs):
    patient = patient_of(refs, resource, "subject")
    return patient_services.add_subrecord(ctx, patient, "diagnosis", _condition_data(resource))


CONDITION = ResourceType(
    name="Condition", profiles=(CONDITION_PROFILE,),
    params=_common(
        SearchParam("code", "token", _condition_code, f"ICD-10-CM code ({codes.ICD10CM}|F33.2 or F33.2)"),
        SearchParam("clinical-status", "token", status_filter(CONDITION_CLINICAL), "active or resolved"),
    ),
    to_fhir=condition, read=_reader(Diagnosis, "Condition"), search=_searcher(Diagnosis, ("icd10_code",)),
    of_patient=_of_patient(Diagnosis, ("icd10_code",)), create=create_condition,
    update=_updater(Diagnosis, "diagnosis", "subject", _condition_data,
                    _status_from("clinicalStatus", CLINICAL_ACTIVE, CLINICAL_ENDED, "verificationStatus")),
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


def _allergy_data(resource) -> dict:
    code = resource.get("code") or {}
    substance = code.get("text") or next((c.get("display") for c in code.get("coding", []) if c.get("display")), "")
    reaction = (resource.get("reaction") or [{}])[0]
    manifestation = " ".join(m.get("text") or next((c.get("display", "") for c in m.get("coding", [])), "") for m in reaction.get("manifestation", []))
    return {"substance": substance, "reaction": manifestation.strip(), "severity": reaction.get("severity") or Allergy.Severity.UNKNOWN}


def create_allergy(ctx, resource, refs):
    patient = patient_of(refs, resource, "patient")
    return patient_services.add_subrecord(ctx, patient, "allergy", _allergy_data(resource))


ALLERGY = ResourceType(
    name="AllergyIntolerance", profiles=(ALLERGY_PROFILE,),
    params=_common(SearchParam("clinical-status", "token", status_filter(ALLERGY_CLINICAL), "active or inactive")),
    to_fhir=allergy, read=_reader(Allergy, "AllergyIntolerance"), search=_searcher(Allergy, ("substance",)),
    of_patient=_of_patient(Allergy, ("substance",)), create=create_allergy,
    update=_updater(Allergy, "allergy", "patient", _allergy_data,
                    _status_from("clinicalStatus", CLINICAL_ACTIVE, CLINICAL_ENDED, "verificationStatus")),
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


def _medication_data(resource) -> dict:
    concept = resource.get("medicationCodeableConcept") or {}
    name = concept.get("text") or next((c.get("display") for c in concept.get("coding", []) if c.get("display")), "")
    if not name:
        raise FhirError(422, "MedicationStatement.medicationCodeableConcept needs a text or a coding with a display.", "required", ["MedicationStatement.medicationCodeableConcept"])
    period = resource.get("effectivePeriod") or {}
    started = (period.get("start") or resource.get("effectiveDateTime") or "")[:10]
    dose = " ".join(d.get("text", "") for d in resource.get("dosage", [])).strip()
    return {"name": name, "dose": dose, "started_on": started}


def create_medication(ctx, resource, refs):
    patient = patient_of(refs, resource, "subject")
    return patient_services.add_subrecord(ctx, patient, "medication", {**_medication_data(resource), "drug_class": ""})


def _medication_status(resource) -> str:
    status = resource.get("status")
    if status == "entered-in-error":
        return ERROR
    if status in ("stopped", "completed"):
        return RecordStatus.INACTIVE
    return RecordStatus.ACTIVE if status == "active" else None  # intended, on-hold, …: the status stays


MEDICATION = ResourceType(
    name="MedicationStatement", profiles=(),
    params=_common(SearchParam("status", "token", status_filter(MEDICATION_STATUS), "active, stopped, entered-in-error")),
    to_fhir=medication, read=_reader(Medication, "MedicationStatement"), search=_searcher(Medication, ("name",)),
    of_patient=_of_patient(Medication, ("name",)), create=create_medication,
    update=_updater(Medication, "medication", "subject", _medication_data, _medication_status),
)
