"""The resource types the facade serves, by FHIR name. The CapabilityStatement is built from this."""

from . import administration, chart, directory, encounter, observation, patient, questionnaire
from . import appointment, consent, documents, responses, roles

REGISTRY = {t.name: t for t in (
    patient.TYPE, chart.CONDITION, chart.ALLERGY, chart.MEDICATION, observation.TYPE, questionnaire.TYPE,
    encounter.TYPE, administration.TYPE, directory.PRACTITIONER, directory.ORGANIZATION, directory.LOCATION,
    roles.TYPE, appointment.TYPE, consent.TYPE,
    responses.TYPE, documents.TYPE,
)}
