"""Accepting a referral: a new chart with the referral's data carried in and marked as reported, or
an existing patient chosen after the duplicate check; nothing half-written when an entry is refused."""

import pytest
from django.urls import reverse

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.referrals import services
from ketamine_clinic.referrals.models import Referral

from tests.support.people import PATIENT_DATA, ctx_for
from tests.support.referrals import CLINICIAN_REFERRAL, public_ctx

REPORTED = "Reported by the referrer: Dr Amara Lee (NPI 1234567893)"


def test_front_desk_accepts_into_a_new_chart_with_the_referrals_data_marked_reported(front_desk, referral):
    patient = services.accept(ctx_for(front_desk), referral, {"sex_at_birth": "male", "version": 1})
    assert (patient.family_name, patient.date_of_birth.isoformat(), patient.referring_provider_npi) == ("Whitfield", "1984-03-12", "1234567893")
    assert [(d.icd10_code, d.reported_by) for d in patient.diagnoses.all()] == [("F33.2", REPORTED), ("F41.1", REPORTED)]
    meds = {m.name: (m.drug_class, m.dose) for m in patient.medications.all()}
    assert meds["sertraline"] == ("ssri", "150 mg daily") and all(m.reported_by == REPORTED for m in patient.medications.all())
    trials = sorted((t.drug, t.weeks, t.outcome, t.adequate) for t in patient.trials.all())
    assert trials == [("escitalopram", 8, "no_response", False), ("sertraline", 10, "partial", False)]
    r = Referral.objects.get()
    assert (r.status, r.patient, r.version) == ("registered", patient, 2)
    event = AuditEvent.objects.get(action="referral.accept")
    assert event.actor == front_desk and event.patient_id == str(patient.public_id) and event.detail["entries_carried"] == 6


def test_a_new_chart_needs_the_sex_at_birth(front_desk, referral):
    with pytest.raises(ValidationFailed) as exc:
        services.accept(ctx_for(front_desk), referral, {"version": 1})
    assert "sex_at_birth" in exc.value.errors and not Patient.objects.exists()


@pytest.fixture
def jordan_referred(patient, listing_id):
    """A referral for the existing patient Jordan Avery (same name, date of birth and phone)."""
    return services.submit(public_ctx(), listing_id, "clinician", {
        **CLINICIAN_REFERRAL, "patient_given_name": "jordan", "patient_family_name": "AVERY",
        "patient_date_of_birth": PATIENT_DATA["date_of_birth"], "patient_phone": "555-123-4567"})


def test_the_duplicate_check_shows_candidates_and_staff_choose(front_desk, patient, jordan_referred, client_for):
    assert list(services.candidates(ctx_for(front_desk), jordan_referred)) == [patient]
    page = client_for(front_desk).get(reverse("referrals:detail", args=[jordan_referred.public_id]))
    assert str(patient.public_id).encode() in page.content and patient.mrn.encode() in page.content
    with pytest.raises(Conflict):  # a new chart while a candidate is not ruled out
        services.accept(ctx_for(front_desk), jordan_referred, {"sex_at_birth": "female", "version": 1})
    linked = services.accept(ctx_for(front_desk), jordan_referred, {"patient": str(patient.public_id), "version": 1})
    assert linked == patient and Patient.objects.count() == 1
    assert patient.diagnoses.filter(reported_by=REPORTED).count() == 2


def test_confirming_none_of_the_candidates_registers_a_new_chart(front_desk, patient, jordan_referred):
    new = services.accept(ctx_for(front_desk), jordan_referred, {"sex_at_birth": "female", "confirm_new": "on", "version": 1})
    assert new != patient and Patient.objects.count() == 2


def test_only_a_candidate_can_be_linked(front_desk, outsider_patient, referral):
    with pytest.raises(ValidationFailed) as exc:
        services.accept(ctx_for(front_desk), referral, {"patient": str(outsider_patient.public_id), "version": 1})
    assert "patient" in exc.value.errors


def test_nothing_is_half_written_when_an_entry_is_refused(front_desk, referral):
    Referral.objects.filter(pk=referral.pk).update(trials=referral.trials + [
        {"drug": "x", "dose_mg_per_day": "20", "weeks": 9999, "outcome": "partial"}])  # stored before a rule changed
    referral.refresh_from_db()
    with pytest.raises(ValidationFailed):
        services.accept(ctx_for(front_desk), referral, {"sex_at_birth": "male", "version": 1})
    assert not Patient.objects.exists()
    assert Referral.objects.get().status == "new"


def test_an_accepted_referral_cannot_be_accepted_twice(front_desk, referral):
    services.accept(ctx_for(front_desk), referral, {"sex_at_birth": "male", "version": 1})
    referral.refresh_from_db()
    with pytest.raises(Conflict):
        services.accept(ctx_for(front_desk), referral, {"sex_at_birth": "male", "version": referral.version})


def test_accept_on_the_page_then_the_chart_shows_the_patient(front_desk, referral, client_for):
    client = client_for(front_desk)
    response = client.post(reverse("referrals:accept", args=[referral.public_id]), {"sex_at_birth": "male", "version": 1})
    patient = Patient.objects.get()
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"Registered" in page.content and patient.mrn.encode() in page.content
    chart = client.get(reverse("patients:chart", args=[patient.public_id])).content.decode()
    assert chart.count('<small class="muted">Reported by the referrer: Dr Amara Lee') == 6  # 2 diagnoses, 2 medications, 2 trials
