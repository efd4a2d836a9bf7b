from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "ketamine_clinic.fhir"
    label = "fhir"
    verbose_name = "HL7 FHIR R4 API"
