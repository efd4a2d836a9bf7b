"""Code systems, codes and profiles the facade emits, as data with their sources.

Vital-sign LOINC codes and UCUM units: CLINICAL.md §5 and PRACTICE.md §4.3 (US Core observation
summary, STU6–STU9). Profile URLs: US Core 6.1.0 (the ONC HTI-1 baseline, PRACTICE.md §4.1).
"""

FHIR_VERSION = "4.0.1"
US_CORE_VERSION = "6.1.0"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
US_CORE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
# The clinic's own MRN namespace (one per installation; the organization scopes the value).
MRN_SYSTEM = "urn:ketamine-clinic:mrn"
BIRTHSEX_URL = US_CORE + "us-core-birthsex"


def profile(name: str) -> str:
    """A US Core profile canonical with its version, as ``meta.profile`` and the CapabilityStatement list it."""
    return f"{US_CORE}{name}|{US_CORE_VERSION}"


# Vital signs: (key, LOINC, display, UCUM unit, US Core profile). The blood-pressure panel carries
# systolic and diastolic as components; pulse oximetry carries both of its LOINC codes.
BP_PANEL = ("85354-9", "Blood pressure panel with all children optional")
BP_SYSTOLIC = ("8480-6", "Systolic blood pressure")
BP_DIASTOLIC = ("8462-4", "Diastolic blood pressure")
MM_HG = "mm[Hg]"
VITALS = {
    "hr": ("heart_rate_per_min", "8867-4", "Heart rate", "/min", "us-core-heart-rate"),
    "rr": ("respiratory_rate_per_min", "9279-1", "Respiratory rate", "/min", "us-core-respiratory-rate"),
    "spo2": ("spo2_percent", "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%", "us-core-pulse-oximetry"),
    "temp": ("temperature_c", "8310-5", "Body temperature", "Cel", "us-core-body-temperature"),
}
SPO2_ALSO = ("2708-6", "Oxygen saturation in Arterial blood")
BODY = {
    "wt": ("29463-7", "Body weight", "kg", "us-core-body-weight"),
    "ht": ("8302-2", "Body height", "cm", "us-core-body-height"),
    "bmi": ("39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", "us-core-bmi"),
}
