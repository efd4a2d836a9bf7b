"""Observation over three sources, each under its own permission:

- body measurements (chart, ``patient.view``): weight, height, BMI (US Core body-weight/-height/bmi);
- session vital signs (``session.view``): BP panel, heart rate, respiratory rate, SpO2, temperature;
- questionnaire totals (``assessment.view``): e.g. PHQ-9 44261-6, category ``survey``, US Core
  Observation Screening Assessment, ``derivedFrom`` the QuestionnaireResponse.

An Observation id is ``<kind>-<source public id>`` (``bp-…``, ``wt-…``, ``score-…``). A search needs
``patient`` (the sources are merged in memory per patient); category, code and date narrow it.
"""

import datetime as dt

from django.utils import timezone

from ketamine_clinic.accounts.permissions import has_permission, require
from ketamine_clinic.assessments.models import QuestionnaireResponse, ResponseStatus
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import record
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.core.errors import NotFound
from ketamine_clinic.patients import services as patient_services
from ketamine_clinic.patients.models import BodyMeasurement, RecordStatus
from ketamine_clinic.treatments.models import EntryStatus, VitalsReading

from .. import codes
from ..errors import FhirError
from ..search import SearchParam, date_matches, reference_id, token
from .base import ResourceType, by_uuid, patient_of, patient_ref
from .chart import expected_version, update_entry

VITAL_SIGNS = {"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "vital-signs", "display": "Vital Signs"}]}
SURVEY = {"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
SCREENING_PROFILE = codes.profile("us-core-observation-screening-assessment")
PROFILES = tuple(codes.profile(p) for p in (
    "us-core-blood-pressure", *(v[4] for v in codes.VITALS.values()), *(b[3] for b in codes.BODY.values()),
    "us-core-observation-screening-assessment"))
MEASUREMENT_KINDS = ("wt", "ht", "bmi")
VITAL_KINDS = ("bp", *codes.VITALS)


class Item:
    """One Observation to be: its kind, source row, patient, effective date-time and codes."""

    def __init__(self, kind, source, patient, effective):
        self.kind, self.source, self.patient, self.effective = kind, source, patient, effective

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.source.public_id}"

    @property
    def day(self) -> dt.date:
        return self.effective if isinstance(self.effective, dt.date) and not isinstance(self.effective, dt.datetime) else timezone.localtime(self.effective).date()


def _quantity(value, unit) -> dict:
    number = float(value) if not isinstance(value, int) else value
    return {"value": number, "unit": unit, "system": codes.UCUM, "code": unit}


def _coding(code, display) -> dict:
    return {"system": codes.LOINC, "code": code, "display": display}


def _base(item: Item, profile: str, category: dict, status: str) -> dict:
    return {
        "resourceType": "Observation",
        "id": item.id,
        "meta": {"profile": [profile]},
        "status": status,
        "category": [category],
        "subject": patient_ref(item.patient),
        "effectiveDateTime": item.effective.isoformat(),
    }


def to_fhir(item: Item) -> dict:
    if item.kind in MEASUREMENT_KINDS:
        code, display, unit, profile = codes.BODY[item.kind]
        m = item.source
        value = {"wt": m.weight_kg, "ht": m.height_cm, "bmi": m.bmi_kg_per_m2}[item.kind]
        status = "entered-in-error" if m.status == RecordStatus.ENTERED_IN_ERROR else "final"
        resource = _base(item, codes.profile(profile), VITAL_SIGNS, status)
        resource["meta"]["versionId"] = str(m.version)  # a PUT of a body weight sends it back (stale: 409)
        resource["code"] = {"coding": [_coding(code, display)], "text": display}
        resource["valueQuantity"] = _quantity(value, unit)
        return resource
    if item.kind in VITAL_KINDS:
        reading = item.source
        status = "entered-in-error" if reading.status == EntryStatus.ENTERED_IN_ERROR else "final"
        if item.kind == "bp":
            resource = _base(item, codes.profile("us-core-blood-pressure"), VITAL_SIGNS, status)
            resource["code"] = {"coding": [_coding(*codes.BP_PANEL)], "text": "Blood pressure"}
            resource["component"] = [
                {"code": {"coding": [_coding(*codes.BP_SYSTOLIC)]}, "valueQuantity": _quantity(reading.systolic_mmhg, codes.MM_HG)},
                {"code": {"coding": [_coding(*codes.BP_DIASTOLIC)]}, "valueQuantity": _quantity(reading.diastolic_mmhg, codes.MM_HG)},
            ]
            return resource
        field, code, display, unit, profile = codes.VITALS[item.kind]
        resource = _base(item, codes.profile(profile), VITAL_SIGNS, status)
        coding = [_coding(code, display)] + ([_coding(*codes.SPO2_ALSO)] if item.kind == "spo2" else [])
        resource["code"] = {"coding": coding, "text": display}
        resource["valueQuantity"] = _quantity(getattr(reading, field), unit)
        return resource
    response = item.source  # a submitted questionnaire's total
    resource = _base(item, SCREENING_PROFILE, SURVEY, "amended" if response.amends_id else "final")
    name = f"{ci.abbreviation(response.instrument_key)} total score"
    resource["code"] = {"coding": [_coding(response.loinc_total, name)], "text": name} if response.loinc_total else {"text": name}
    resource["valueInteger"] = response.total
    resource["derivedFrom"] = [{"reference": f"QuestionnaireResponse/{response.public_id}"}]
    if response.band_label:
        resource["interpretation"] = [{"text": response.band_label}]
    return resource


# --- the sources ---------------------------------------------------------------------------------
def _measurement_items(m) -> list[Item]:
    items = [Item("wt", m, m.patient, m.measured_on)]
    if m.height_cm:
        items += [Item("ht", m, m.patient, m.measured_on), Item("bmi", m, m.patient, m.measured_on)]
    return items


def _vital_items(reading, patient) -> list[Item]:
    items = []
    if reading.systolic_mmhg is not None and reading.diastolic_mmhg is not None:
        items.append(Item("bp", reading, patient, reading.observed_at))
    items += [Item(kind, reading, patient, reading.observed_at) for kind, spec in codes.VITALS.items() if getattr(reading, spec[0]) is not None]
    return items


def _score_item(response, patient) -> Item:
    return Item("score", response, patient, response.completed_at or response.submitted_at)


def _scores(patient):
    return QuestionnaireResponse.objects.filter(patient=patient, status=ResponseStatus.SUBMITTED, superseded_by__isnull=True, total__isnull=False)


def _items(patient, *, vitals: bool, scores: bool) -> list[Item]:
    """One patient's Observations, newest first: body measurements, then the sources asked for (unpermissioned)."""
    items = [i for m in BodyMeasurement.objects.filter(patient=patient) for i in _measurement_items(m)]
    if vitals:
        items += [i for r in VitalsReading.objects.filter(session__patient=patient) for i in _vital_items(r, patient)]
    if scores:
        items += [_score_item(r, patient) for r in _scores(patient)]
    return sorted(items, key=lambda i: (i.day, i.id), reverse=True)


def items_for(ctx, patient) -> list[Item]:
    """Every Observation of one patient the actor may see, newest first."""
    return _items(patient, vitals=has_permission(ctx.user, "session.view"), scores=has_permission(ctx.user, "assessment.view"))


def of_patient(patient) -> list[Item]:
    """Every Observation of the patient, for their own record."""
    return _items(patient, vitals=True, scores=True)


def read(ctx, resource_id):
    kind, _, public_id = str(resource_id).partition("-")
    require(ctx.user, "patient.view")
    patients = patient_services.patients_for(ctx)
    item = None
    if kind in MEASUREMENT_KINDS:
        m = by_uuid(BodyMeasurement.objects.filter(patient__in=patients).select_related("patient"), public_id)
        item = next((i for i in _measurement_items(m) if i.kind == kind), None) if m else None
    elif kind in VITAL_KINDS and has_permission(ctx.user, "session.view"):
        r = by_uuid(VitalsReading.objects.filter(session__patient__in=patients).select_related("session__patient"), public_id)
        item = next((i for i in _vital_items(r, r.session.patient) if i.kind == kind), None) if r else None
    elif kind == "score" and has_permission(ctx.user, "assessment.view"):
        r = by_uuid(QuestionnaireResponse.objects.filter(patient__in=patients, status=ResponseStatus.SUBMITTED, total__isnull=False).select_related("patient"), public_id)
        item = _score_item(r, r.patient) if r else None
    if item is None:
        raise NotFound("No such Observation in this clinic.")
    record(ctx, Action.FHIR_READ, object_type="fhir.observation", object_id=item.id, patient=item.patient, organization=item.patient.organization)
    return item


def _has_code(item: Item, value: str) -> bool:
    system, code = token(value)
    resource_codes = {(c["system"], c["code"]) for c in to_fhir(item)["code"].get("coding", [])}
    return any((system in (None, "") or system == s) and code == c for s, c in resource_codes)


def _has_category(item: Item, value: str) -> bool:
    system, code = token(value)
    category = "survey" if item.kind == "score" else "vital-signs"
    return code == category and system in (None, "", codes.OBSERVATION_CATEGORY)


def _any_of(test):
    """A FHIR OR list (``code=a,b``): the item matches any of the comma-separated values."""
    return lambda items, value, ctx: [i for i in items if any(test(i, v) for v in value.split(","))]


PARAMS = {p.name: p for p in (
    SearchParam("patient", "reference", None, "Patient/<id> or <id>; required"),
    SearchParam("category", "token", _any_of(_has_category), "vital-signs or survey"),
    SearchParam("code", "token", _any_of(_has_code), "LOINC code, e.g. 85354-9, 29463-7, 44261-6"),
    SearchParam("date", "date", lambda items, v, ctx: [i for i in items if date_matches(i.day, v)], "Effective date (prefixes eq, ge, gt, le, lt)"),
)}


def search(ctx, pairs):
    patient_values = [v for p, v in pairs if p.name == "patient"]
    if len(patient_values) != 1:
        raise FhirError(400, "An Observation search needs exactly one 'patient' parameter.", "required", ["patient"])
    patient_id = reference_id(patient_values[0], "Patient")
    require(ctx.user, "patient.view")
    patient = by_uuid(patient_services.patients_for(ctx), patient_id) if patient_id else None
    if patient is None:
        return [], None
    items = items_for(ctx, patient)
    for param, value in pairs:
        if param.name != "patient":
            items = param.apply(items, value, ctx)
    return items, patient


# --- writes: a body weight (and height) is recorded as a chart measurement -----------------------
def _weight_data(resource) -> dict:
    loinc = {c.get("code") for c in (resource.get("code") or {}).get("coding", []) if c.get("system") == codes.LOINC}
    weight_code, _, weight_unit, _ = codes.BODY["wt"]
    if weight_code not in loinc:
        raise FhirError(422, f"This server records only body weight (LOINC {weight_code}) as a new Observation.", "not-supported", ["Observation.code"])
    quantity = resource.get("valueQuantity") or {}
    if quantity.get("code") != weight_unit or quantity.get("value") is None:
        raise FhirError(422, "Observation.valueQuantity must be a weight in UCUM 'kg'.", "value", ["Observation.valueQuantity"])
    effective = (resource.get("effectiveDateTime") or "")[:10]
    return {"measured_on": effective, "weight_kg": str(quantity["value"])}


def create(ctx, resource, refs):
    patient = patient_of(refs, resource, "subject")
    measurement = patient_services.add_subrecord(ctx, patient, "measurement", _weight_data(resource))
    return Item("wt", measurement, patient, measurement.measured_on)


def update(ctx, resource_id, resource, refs):
    """A body weight corrected (the height measured with it stays), or withdrawn as entered in error."""
    kind, _, public_id = str(resource_id).partition("-")
    measurement = None
    if kind == "wt":
        measurement = by_uuid(BodyMeasurement.objects.filter(patient__in=patient_services.patients_for(ctx)).select_related("patient"), public_id)
    if measurement is None:
        raise NotFound("No such body weight Observation in this clinic (only body weights, wt-…, are updated).")
    if patient_of(refs, resource, "subject") != measurement.patient:
        raise FhirError(422, "Observation.subject cannot change: a measurement stays on its patient's chart.", "business-rule", ["Observation.subject"])
    status = RecordStatus.ENTERED_IN_ERROR if resource.get("status") == "entered-in-error" else None
    measurement = update_entry(ctx, measurement, "measurement", _weight_data(resource), status, expected_version(resource))
    return Item("wt", measurement, measurement.patient, measurement.measured_on)


TYPE = ResourceType(
    name="Observation", profiles=PROFILES, params=PARAMS, to_fhir=to_fhir, read=read, search=search, create=create, update=update,
    of_patient=of_patient,
    documentation="Body measurements, session vital signs and questionnaire totals; searches need 'patient'; create and update: body weight only",
)
