"""Spravato REMS Patient Monitoring Form: a versioned field schema and the values for one session.

The form is due within 7 days of every esketamine session (spravato-rems). Its fields change between
REMS revisions, so the schema is versioned; the version names here are this application's own labels,
not the REMS program's revision numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from .common import SessionInputError, require_aware, to_whole
from .discharge import minimum_observation_min
from .vitals import VitalSigns
from ..routes import Route


class RemsFormInputError(SessionInputError):
    """Session facts of the wrong type for the REMS form."""


REMS_FORM_DUE_DAYS = 7  # form due within 7 days of the session (spravato-rems)
REMS_MIN_MONITORING_MIN = 120  # monitoring at least 2 h from the first device (spravato-pi, spravato-rems)


class FieldType(StrEnum):
    TEXT = "text"
    DATE = "date"  # ISO 8601 yyyy-mm-dd
    YES_NO = "yes_no"  # "yes" / "no"
    CHOICE = "choice"
    INTEGER = "integer"
    BLOOD_PRESSURE = "blood_pressure"  # "systolic/diastolic" in mmHg
    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True)
class RemsField:
    key: str
    label: str
    type: FieldType
    required: bool = True
    allowed_values: tuple[str, ...] = ()
    required_if: tuple[str, str] | None = None  # (other field key, value) that makes this field required


@dataclass(frozen=True)
class RemsFormSchema:
    version: str
    fields: tuple[RemsField, ...]
    source: str = "spravato-rems"

    def field(self, key: str) -> RemsField:
        return next(f for f in self.fields if f.key == key)


YES_NO = ("yes", "no")
CONCOMITANT_CLASSES_V1 = (
    ("benzodiazepines", "Benzodiazepines"),
    ("non_benzodiazepine_sedative_hypnotics", "Non-benzodiazepine sedative hypnotics"),
    ("psychostimulants", "Psychostimulants"),
    ("maois", "Monoamine oxidase inhibitors (MAOIs)"),
)
CONCOMITANT_CLASSES_V2 = CONCOMITANT_CLASSES_V1 + (("opioids", "Opioids"),)


def _fields(concomitant) -> tuple[RemsField, ...]:
    f = RemsField
    return (
        f("patient_name", "Patient name", FieldType.TEXT),
        f("patient_dob", "Patient date of birth", FieldType.DATE),
        f("patient_sex", "Patient sex", FieldType.CHOICE, allowed_values=("female", "male")),
        f("first_treatment", "Is this the patient's first treatment?", FieldType.YES_NO, allowed_values=YES_NO),
        f("patient_enrolled", "Is the patient enrolled in the REMS?", FieldType.YES_NO, allowed_values=YES_NO),
        *(f(f"concomitant_{key}", f"Concomitant {label[0].lower()}{label[1:]}", FieldType.YES_NO, allowed_values=YES_NO)
          for key, label in concomitant),
        f("clinician_name", "Monitoring healthcare provider name", FieldType.TEXT),
        f("clinician_phone", "Monitoring healthcare provider phone", FieldType.PHONE),
        f("clinician_email", "Monitoring healthcare provider email", FieldType.EMAIL),
        f("setting_name", "Healthcare setting name", FieldType.TEXT),
        f("setting_address", "Healthcare setting address", FieldType.TEXT),
        f("treatment_date", "Treatment date", FieldType.DATE),
        f("dose", "Dose", FieldType.CHOICE, allowed_values=("56", "84", "other")),
        f("dose_other_mg", "Other dose (mg)", FieldType.INTEGER, required=False, required_if=("dose", "other")),
        f("lot_numbers", "Lot number(s)", FieldType.TEXT),
        f("total_monitoring_min", "Total minutes from first device to end of monitoring", FieldType.INTEGER),
        f("ready_without_minimum_min",
          "Without the 2-hour minimum, when would the patient have been ready to leave? (minutes)",
          FieldType.INTEGER),
        f("vitals_acceptable_before_dosing", "Vital signs acceptable before dosing?", FieldType.YES_NO,
          allowed_values=YES_NO),
        f("vitals_acceptable_before_completion", "Vital signs acceptable before completion of monitoring?",
          FieldType.YES_NO, allowed_values=YES_NO),
        f("bp_before_dosing", "Blood pressure before dosing", FieldType.BLOOD_PRESSURE),
        f("bp_at_40_min", "Blood pressure about 40 minutes after dosing", FieldType.BLOOD_PRESSURE),
        f("bp_before_completion", "Blood pressure before completion of monitoring", FieldType.BLOOD_PRESSURE),
        f("sedation", "Sedation observed?", FieldType.YES_NO, allowed_values=YES_NO),
        f("dissociation", "Dissociation observed?", FieldType.YES_NO, allowed_values=YES_NO),
        f("respiratory_depression", "Respiratory depression / decreased pulse oximetry observed?", FieldType.YES_NO,
          allowed_values=YES_NO),
        f("lowest_spo2_percent", "Lowest SpO2 during monitoring (%)", FieldType.INTEGER, required=False),
        f("serious_adverse_events", "Serious adverse events?", FieldType.YES_NO, allowed_values=YES_NO),
        f("serious_adverse_event_description", "Describe the serious adverse event(s)", FieldType.TEXT,
          required=False, required_if=("serious_adverse_events", "yes")),
    )


SCHEMA_V1 = RemsFormSchema("pmf_v1", _fields(CONCOMITANT_CLASSES_V1))
SCHEMA_V2 = RemsFormSchema("pmf_v2", _fields(CONCOMITANT_CLASSES_V2))  # adds concomitant opioids
SCHEMAS = {s.version: s for s in (SCHEMA_V1, SCHEMA_V2)}
CURRENT_SCHEMA = SCHEMA_V2


@dataclass(frozen=True)
class RemsSessionFacts:
    """What the session recorded. ``None`` = not recorded (a required field then shows as missing)."""

    patient_name: str | None = None
    patient_dob: date | None = None
    patient_sex: str | None = None
    first_treatment: bool | None = None
    patient_enrolled: bool | None = None
    concomitant: Mapping[str, bool] = field(default_factory=dict)  # class key -> taking it
    clinician_name: str | None = None
    clinician_phone: str | None = None
    clinician_email: str | None = None
    setting_name: str | None = None
    setting_address: str | None = None
    treatment_date: date | None = None
    dose_mg: int | None = None  # device count x 28 mg (spravato-pi)
    lot_numbers: tuple[str, ...] = ()
    first_device_at: datetime | None = None
    monitoring_end_at: datetime | None = None
    ready_without_minimum_min: int | None = None
    vitals_acceptable_before_dosing: bool | None = None
    vitals_acceptable_before_completion: bool | None = None
    bp_before_dosing: VitalSigns | None = None
    bp_at_40_min: VitalSigns | None = None
    bp_before_completion: VitalSigns | None = None
    sedation: bool | None = None
    dissociation: bool | None = None
    respiratory_depression: bool | None = None
    lowest_spo2_percent: int | None = None
    serious_adverse_events: bool | None = None
    serious_adverse_event_description: str | None = None


@dataclass(frozen=True)
class RemsFormDraft:
    schema_version: str
    values: dict[str, str | int]
    missing_required: list[str]  # field keys
    problems: list[str]  # values present but not what the REMS expects (e.g. monitoring under 120 min)
    due_date: date | None  # treatment date + 7 days (spravato-rems)

    @property
    def complete(self) -> bool:
        return not self.missing_required


def rems_form_due_date(treatment_date: date) -> date:
    """The Patient Monitoring Form is due within 7 days of the session (spravato-rems)."""
    if not isinstance(treatment_date, date) or isinstance(treatment_date, datetime):
        raise RemsFormInputError("treatment_date", "must be a date")
    return treatment_date + timedelta(days=REMS_FORM_DUE_DAYS)


def _yes_no(value, key):
    if value is None:
        return None
    if not isinstance(value, bool):
        raise RemsFormInputError(key, "must be true or false")
    return "yes" if value else "no"


def _text(value, key):
    if value is None:
        return None
    if not isinstance(value, str):
        raise RemsFormInputError(key, "must be text")
    return value.strip() or None


def _date(value, key):
    if value is None:
        return None
    if not isinstance(value, date) or isinstance(value, datetime):
        raise RemsFormInputError(key, "must be a date")
    return value.isoformat()


def _bp(value, key):
    if value is None:
        return None
    if not isinstance(value, VitalSigns):
        raise RemsFormInputError(key, "must be a VitalSigns reading")
    return value.blood_pressure


def build_rems_form(facts: RemsSessionFacts, schema: RemsFormSchema = CURRENT_SCHEMA) -> RemsFormDraft:
    """Fill the form's fields from the session; list required fields still missing."""
    if not isinstance(facts, RemsSessionFacts):
        raise RemsFormInputError("facts", "must be RemsSessionFacts")
    if not isinstance(schema, RemsFormSchema):
        raise RemsFormInputError("schema", "must be a RemsFormSchema")
    problems: list[str] = []
    v = _session_values(facts)
    v.update(_concomitant_values(facts.concomitant, schema))
    if facts.dose_mg is not None:
        v.update(_dose_values(facts.dose_mg))
    if facts.first_device_at is not None and facts.monitoring_end_at is not None:
        v["total_monitoring_min"] = _monitoring_min(facts.first_device_at, facts.monitoring_end_at, problems)
    if facts.ready_without_minimum_min is not None:
        ready = to_whole(facts.ready_without_minimum_min, "ready_without_minimum_min", error=RemsFormInputError)
        if ready < 0:
            raise RemsFormInputError("ready_without_minimum_min", "must not be negative")
        v["ready_without_minimum_min"] = ready
    if facts.lowest_spo2_percent is not None:
        v["lowest_spo2_percent"] = VitalSigns(spo2_percent=facts.lowest_spo2_percent).spo2_percent
    values, missing = _fill_schema(schema, v, problems)
    due = rems_form_due_date(facts.treatment_date) if facts.treatment_date is not None else None
    return RemsFormDraft(schema.version, values, missing, problems, due)


def _session_values(facts: RemsSessionFacts) -> dict[str, str | int | None]:
    """The fields copied from the facts, each checked for its type."""
    return {
        "patient_name": _text(facts.patient_name, "patient_name"),
        "patient_dob": _date(facts.patient_dob, "patient_dob"),
        "patient_sex": _text(facts.patient_sex, "patient_sex"),
        "first_treatment": _yes_no(facts.first_treatment, "first_treatment"),
        "patient_enrolled": _yes_no(facts.patient_enrolled, "patient_enrolled"),
        "clinician_name": _text(facts.clinician_name, "clinician_name"),
        "clinician_phone": _text(facts.clinician_phone, "clinician_phone"),
        "clinician_email": _text(facts.clinician_email, "clinician_email"),
        "setting_name": _text(facts.setting_name, "setting_name"),
        "setting_address": _text(facts.setting_address, "setting_address"),
        "treatment_date": _date(facts.treatment_date, "treatment_date"),
        "lot_numbers": ", ".join(_text(n, "lot_numbers") or "" for n in facts.lot_numbers).strip(", ") or None,
        "vitals_acceptable_before_dosing": _yes_no(facts.vitals_acceptable_before_dosing,
                                                   "vitals_acceptable_before_dosing"),
        "vitals_acceptable_before_completion": _yes_no(facts.vitals_acceptable_before_completion,
                                                       "vitals_acceptable_before_completion"),
        "bp_before_dosing": _bp(facts.bp_before_dosing, "bp_before_dosing"),
        "bp_at_40_min": _bp(facts.bp_at_40_min, "bp_at_40_min"),
        "bp_before_completion": _bp(facts.bp_before_completion, "bp_before_completion"),
        "sedation": _yes_no(facts.sedation, "sedation"),
        "dissociation": _yes_no(facts.dissociation, "dissociation"),
        "respiratory_depression": _yes_no(facts.respiratory_depression, "respiratory_depression"),
        "serious_adverse_events": _yes_no(facts.serious_adverse_events, "serious_adverse_events"),
        "serious_adverse_event_description": _text(facts.serious_adverse_event_description,
                                                   "serious_adverse_event_description"),
    }


def _concomitant_values(concomitant, schema: RemsFormSchema) -> dict[str, str | None]:
    if not isinstance(concomitant, Mapping):
        raise RemsFormInputError("concomitant", "must map medication class to true/false")
    keys = {f.key for f in schema.fields}
    v = {}
    for key, taking in concomitant.items():
        if f"concomitant_{key}" not in keys:
            raise RemsFormInputError("concomitant", f"unknown medication class {key!r} for form {schema.version}")
        v[f"concomitant_{key}"] = _yes_no(taking, f"concomitant_{key}")
    return v


def _dose_values(dose_mg) -> dict[str, str | int]:
    """The form's dose boxes (the "dose" field's choices): 56 or 84 mg, else "other" with the mg."""
    dose = to_whole(dose_mg, "dose_mg", error=RemsFormInputError)
    if dose <= 0:
        raise RemsFormInputError("dose_mg", "must be greater than zero")
    if dose in (56, 84):
        return {"dose": str(dose)}
    return {"dose": "other", "dose_other_mg": dose}


def _monitoring_min(first_device_at, monitoring_end_at, problems: list[str]) -> int:
    """Whole minutes from the first device to the end of monitoring; too short a time is a problem."""
    first = require_aware(first_device_at, "first_device_at", error=RemsFormInputError)
    end = require_aware(monitoring_end_at, "monitoring_end_at", error=RemsFormInputError)
    if end < first:
        raise RemsFormInputError("monitoring_end_at", "monitoring cannot end before the first device")
    total = int((end - first).total_seconds() // 60)
    minimum = max(REMS_MIN_MONITORING_MIN, minimum_observation_min(Route.ESKETAMINE_NASAL))
    if total < minimum:
        problems.append(f"Monitoring lasted {total} min; the REMS requires at least {minimum} min")
    return total


def _fill_schema(schema: RemsFormSchema, v: dict, problems: list[str]) -> tuple[dict[str, str | int], list[str]]:
    """The values the schema has fields for, and the required fields left empty (a field may be
    required only given another field's value); values outside a field's choices are problems."""
    values: dict[str, str | int] = {}
    missing: list[str] = []
    for fld in schema.fields:
        value = v.get(fld.key)
        needed = fld.required or (fld.required_if is not None and v.get(fld.required_if[0]) == fld.required_if[1])
        if value is None:
            if needed:
                missing.append(fld.key)
            continue
        if fld.allowed_values and str(value) not in fld.allowed_values:
            problems.append(f"{fld.label}: {value!r} is not one of {', '.join(fld.allowed_values)}")
        if fld.type is FieldType.EMAIL and "@" not in str(value):
            problems.append(f"{fld.label}: {value!r} is not an email address")
        values[fld.key] = value
    return values, missing
