"""Import of Synthea R4 transaction bundles into one clinic (PRACTICE.md §4.6), through the services.

What the clinic's chart can hold is imported; everything else is counted and reported, never guessed:
- Patient -> registration (MRN: the MR identifier; a UUID loses its hyphens to fit the 32-character
  MRN). A patient whose MRN is already in the clinic is skipped with its whole bundle: re-running
  the import creates no duplicates.
- Condition with an ICD-10-CM coding -> diagnosis. Synthea codes conditions in SNOMED CT only, and
  the clinic keeps ICD-10-CM: those are reported as unmapped (no SNOMED->ICD map is guessed).
- AllergyIntolerance -> allergy; MedicationRequest/MedicationStatement -> medication (a name the
  clinic's drug-class list does not know is refused by the service and reported).
- Observation body weight (29463-7, with the same moment's height 8302-2) -> body measurement;
  other observations (session vitals, labs, surveys) have no home outside a treatment session.
- Organization, Practitioner, Encounter, Claim, ExplanationOfBenefit, Immunization, Procedure,
  DiagnosticReport, CarePlan: no model here, counted as unmapped.
Each bundle is one database transaction.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from ketamine_clinic.core.errors import PermissionDenied, ServiceError, error_text
from ketamine_clinic.patients import services as patient_services
from ketamine_clinic.patients.models import RecordStatus

from . import codes

WEIGHT, HEIGHT = codes.BODY["wt"][0], codes.BODY["ht"][0]
STOPPED = {"stopped", "completed", "cancelled", "inactive", "resolved"}


@dataclass
class ImportReport:
    seen: Counter = field(default_factory=Counter)
    imported: Counter = field(default_factory=Counter)
    unmapped: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # resources of patients already in the clinic
    refused: list = field(default_factory=list)  # (file, type, reason)
    skipped_patients: list = field(default_factory=list)  # MRNs already in the clinic

    def lines(self) -> list[str]:
        out = [f"{t}: {self.seen[t]} seen, {self.imported[t]} imported, {self.unmapped[t]} unmapped"
               + (f", {self.skipped[t]} skipped (already imported)" if self.skipped[t] else "") for t in sorted(self.seen)]
        out += [f"already in the clinic (skipped): {mrn}" for mrn in self.skipped_patients]
        out += [f"refused {t} in {f}: {why}" for f, t, why in self.refused]
        return out


def bundle_files(path: Path) -> list[Path]:
    """The bundles of a directory, infrastructure bundles first (their ids are referred to)."""
    if path.is_file():
        return [path]
    files = sorted(path.glob("*.json"))
    first = [f for f in files if f.name.startswith(("hospitalInformation", "practitionerInformation"))]
    return first + [f for f in files if f not in first]


def import_path(ctx, path: Path, report: ImportReport | None = None) -> ImportReport:
    report = report or ImportReport()
    for file in bundle_files(Path(path)):
        try:
            bundle = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ServiceError(f"{file.name}: not a readable JSON file ({exc}).") from None
        import_bundle(ctx, bundle, report, source=file.name)
    return report


def import_bundle(ctx, bundle: dict, report: ImportReport, source: str = "bundle") -> None:
    resources = _bundle_resources(bundle, source)
    for resource in resources:
        report.seen[resource.get("resourceType", "?")] += 1
    patients = [r for r in resources if r.get("resourceType") == "Patient"]
    if len(patients) > 1:
        raise ServiceError(f"{source}: more than one Patient in a bundle.")
    with transaction.atomic():
        patient = _register_patient(ctx, patients[0], report, source) if patients else None
        if patients and patient is None:  # already imported: the whole bundle is skipped
            for resource in resources:
                report.skipped[resource.get("resourceType", "?")] += 1
            return
        _import_rest(ctx, patient, resources, report, source)


def _bundle_resources(bundle, source: str) -> list[dict]:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle" or bundle.get("type") not in ("transaction", "collection", "batch"):
        raise ServiceError(f"{source}: not a FHIR Bundle.")
    return [e.get("resource") or {} for e in bundle.get("entry") or []]


def _import_rest(ctx, patient, resources, report, source) -> None:
    """Everything but the Patient; heights are counted last, as imported only with their weight."""
    measured = set()  # effective times of the weights imported (a height rides on its weight)
    rest = [r for r in resources if r.get("resourceType") != "Patient"]
    heights = [r for r in rest if r.get("resourceType") == "Observation" and _loinc(r) == HEIGHT]
    for resource in [r for r in rest if not any(r is h for h in heights)]:
        if patient is None or not _import_clinical(ctx, patient, resource, resources, report, source, measured):
            report.unmapped[resource.get("resourceType", "?")] += 1
    _count_heights(patient, heights, measured, report)


def _count_heights(patient, heights, measured, report) -> None:
    for height in heights:
        if patient is not None and height.get("effectiveDateTime") in measured:
            report.imported["Observation"] += 1
        else:
            report.unmapped["Observation"] += 1


def _mrn(resource: dict) -> str:
    for identifier in resource.get("identifier", []):
        if any(c.get("code") == "MR" for c in (identifier.get("type") or {}).get("coding", [])):
            value = identifier.get("value", "")
            return value.replace("-", "") if len(value) == 36 else value
    return ""


def _register_patient(ctx, resource, report, source):
    mrn = _mrn(resource)
    existing = patient_services.patients_for(ctx).filter(mrn__iexact=mrn).first() if mrn else None
    if existing is not None:
        report.skipped_patients.append(mrn)
        return None
    official = next((n for n in resource.get("name", []) if n.get("use") in (None, "official")), {})
    address = (resource.get("address") or [{}])[0]
    phone = next((t.get("value", "") for t in resource.get("telecom", []) if t.get("system") == "phone"), "")
    data = {
        "given_name": " ".join(official.get("given", [])), "family_name": official.get("family", ""),
        "date_of_birth": resource.get("birthDate", ""), "mrn": mrn, "phone": phone,
        "sex_at_birth": {"male": "male", "female": "female"}.get(resource.get("gender"), "unknown"),
        "address_line": ", ".join(address.get("line", [])), "city": address.get("city", ""),
        "region": address.get("state", ""), "postal_code": address.get("postalCode", ""),
    }
    patient = patient_services.register_patient(ctx, data)  # refusal: the whole bundle stops (nothing written)
    report.imported["Patient"] += 1
    return patient


def _counted_write(report, source, rtype, write) -> bool:
    """Run one service write in a savepoint; a refusal is reported and the rest of the bundle goes on."""
    try:
        with transaction.atomic():
            write()
    except (ServiceError, PermissionDenied) as exc:
        report.refused.append((source, rtype, error_text(exc) if isinstance(exc, ServiceError) else str(exc)))
        return False
    report.imported[rtype] += 1
    return True


def _import_clinical(ctx, patient, resource, resources, report, source, measured) -> bool:
    """Import one clinical resource; False when the clinic has no place for it (counted as unmapped)."""
    importer = CLINICAL_IMPORTERS.get(resource.get("resourceType"))
    if importer is None:
        return False
    return importer(ctx, patient, resource, resources, report, source, measured)


def _import_condition(ctx, patient, resource, resources, report, source, measured) -> bool:
    coding = next((c for c in (resource.get("code") or {}).get("coding", []) if c.get("system") == codes.ICD10CM), None)
    if coding is None:
        return False
    data = {"icd10_code": coding.get("code", ""), "onset_on": (resource.get("onsetDateTime") or "")[:10]}
    _counted_write(report, source, "Condition", lambda: patient_services.add_subrecord(ctx, patient, "diagnosis", data))
    return True


def _import_allergy(ctx, patient, resource, resources, report, source, measured) -> bool:
    code = resource.get("code") or {}
    substance = code.get("text") or next((c.get("display", "") for c in code.get("coding", [])), "")
    _counted_write(report, source, "AllergyIntolerance", lambda: patient_services.add_subrecord(ctx, patient, "allergy", {"substance": substance, "severity": "unknown"}))
    return True


def _import_medication(ctx, patient, resource, resources, report, source, measured) -> bool:
    concept = resource.get("medicationCodeableConcept") or {}
    med_name = concept.get("text") or next((c.get("display", "") for c in concept.get("coding", [])), "")
    started = (resource.get("authoredOn") or (resource.get("effectivePeriod") or {}).get("start") or "")[:10]

    def write():
        med = patient_services.add_subrecord(ctx, patient, "medication", {"name": med_name, "started_on": started, "drug_class": ""})
        if resource.get("status") in STOPPED:
            patient_services.set_subrecord_status(ctx, patient, "medication", med.public_id, RecordStatus.INACTIVE, "Imported as stopped")
    _counted_write(report, source, resource["resourceType"], write)
    return True


def _import_weight(ctx, patient, resource, resources, report, source, measured) -> bool:
    """A body weight, with the height taken at the same moment; other observations have no place."""
    if _loinc(resource) != WEIGHT:
        return False
    weight = _value(resource)
    when = resource.get("effectiveDateTime", "")
    height = next((_value(r) for r in resources if r.get("resourceType") == "Observation" and _loinc(r) == HEIGHT
                   and r.get("effectiveDateTime") == when), None)
    data = {"measured_on": when[:10], "weight_kg": weight, "height_cm": height or ""}
    if _counted_write(report, source, "Observation", lambda: patient_services.add_subrecord(ctx, patient, "measurement", data)) and height:
        measured.add(when)
    return True


CLINICAL_IMPORTERS = {
    "Condition": _import_condition,
    "AllergyIntolerance": _import_allergy,
    "MedicationRequest": _import_medication,
    "MedicationStatement": _import_medication,
    "Observation": _import_weight,
}


def _loinc(resource) -> str | None:
    return next((c.get("code") for c in (resource.get("code") or {}).get("coding", []) if c.get("system") == codes.LOINC), None)


def _value(resource) -> str | None:
    """The quantity at the chart's precision (one decimal), as text for the form."""
    try:
        return str(Decimal(str((resource.get("valueQuantity") or {}).get("value"))).quantize(Decimal("0.1")))
    except (InvalidOperation, ValueError):
        return None
