import pytest
from django.core.management import CommandError, call_command

from ketamine_clinic.assessments import services
from ketamine_clinic.assessments.models import PatientOutcome, QuestionnaireResponse
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.patients.models import Patient


def test_seed_large_clinic_bulk_loads_consistent_data_without_audit_rows(db, capsys):
    call_command("seed_large_clinic", "--patients", "30", "--responses", "95", "--slug", "tiny", "--batch-patients", "7")
    assert Patient.objects.filter(organization__slug="tiny").count() == 30
    assert QuestionnaireResponse.objects.filter(organization__slug="tiny").count() == 95
    assert AuditEvent.objects.count() == 0
    response = QuestionnaireResponse.objects.filter(organization__slug="tiny").order_by("?").first()
    expected = ci.score("phq9", response.answers)
    assert (response.total, response.band, response.recall_period) == (expected.total, expected.band, expected.recall_period)
    patient = Patient.objects.filter(organization__slug="tiny").first()
    seeded = PatientOutcome.objects.get(patient=patient)
    fresh = services.refresh_outcome(patient, "phq9")
    assert (seeded.baseline_total, seeded.latest_total, seeded.responded, seeded.days_to_first_response) == (
        fresh.baseline_total, fresh.latest_total, fresh.responded, fresh.days_to_first_response)
    with pytest.raises(CommandError):
        call_command("seed_large_clinic", "--patients", "1", "--responses", "1", "--slug", "tiny")
