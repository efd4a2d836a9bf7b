"""Minimal valid resources a client would send, for the write and CapabilityStatement tests."""


def patient_resource(mrn="EXT-1", family="Rivera", given="Sam", **extra) -> dict:
    return {
        "resourceType": "Patient",
        "identifier": [{"system": "urn:ketamine-clinic:mrn", "value": mrn}],
        "name": [{"use": "official", "family": family, "given": [given]}],
        "gender": "female",
        "birthDate": "1985-02-03",
        "telecom": [{"system": "phone", "value": "555-010-2000"}, {"system": "email", "value": "sam@example.org"}],
        "address": [{"line": ["1 Main St"], "city": "Springfield", "state": "IL", "postalCode": "62701"}],
        **extra,
    }


def condition_resource(subject, code="F33.2") -> dict:
    return {"resourceType": "Condition", "subject": {"reference": subject},
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": code}]}}


def allergy_resource(subject) -> dict:
    return {"resourceType": "AllergyIntolerance", "patient": {"reference": subject}, "code": {"text": "Latex"},
            "reaction": [{"manifestation": [{"text": "Rash"}], "severity": "mild"}]}


def medication_resource(subject) -> dict:
    return {"resourceType": "MedicationStatement", "status": "active", "subject": {"reference": subject},
            "medicationCodeableConcept": {"text": "Sertraline"}, "dosage": [{"text": "50 mg daily"}]}


def weight_resource(subject, kg=72.5, day="2024-03-01") -> dict:
    return {"resourceType": "Observation", "status": "final", "subject": {"reference": subject},
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]}, "effectiveDateTime": day,
            "valueQuantity": {"value": kg, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}}


CREATES = {
    "Patient": lambda ref: patient_resource(mrn="EXT-CAP"),
    "Condition": condition_resource,
    "AllergyIntolerance": allergy_resource,
    "MedicationStatement": medication_resource,
    "Observation": weight_resource,
}
