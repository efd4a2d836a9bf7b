import datetime as dt

import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ketamine_clinic.patients import services
from ketamine_clinic.patients.models import Patient, Revision

from tests.support.factories import AllergyFactory
from tests.support.people import PATIENT_DATA, ctx_for


def test_registration_generates_an_mrn_and_records_weight(patient):
    assert patient.mrn == "TC100001"
    m = services.current_measurement(patient)
    assert m.weight_kg == 70 and float(m.bmi_kg_per_m2) == 24.2


def test_generated_mrns_are_sequential_per_organization(front_desk, patient):
    second = services.register_patient(ctx_for(front_desk), dict(PATIENT_DATA, given_name="Sam"))
    assert second.mrn == "TC100002"


def test_mrn_is_unique_per_organization_but_may_repeat_across_clinics(front_desk, outsider, patient):
    with pytest.raises(Conflict) as exc:
        services.register_patient(ctx_for(front_desk), dict(PATIENT_DATA, mrn=patient.mrn.lower()))
    assert "mrn" in exc.value.errors
    other = services.register_patient(ctx_for(outsider), dict(PATIENT_DATA, mrn=patient.mrn))
    assert other.mrn == patient.mrn


@pytest.mark.parametrize(
    "field,value,message_part",
    [
        ("date_of_birth", "2024-02-30", "valid date"),
        ("date_of_birth", (dt.date.today() + dt.timedelta(days=1)).isoformat(), "future"),
        ("date_of_birth", "1850-01-01", "120 years"),
        ("weight_kg", "0", "greater than or equal"),
        ("weight_kg", "700", "less than or equal"),
        ("given_name", "x" * 101, "at most 100"),
        ("sex_at_birth", "robot", "valid choice"),
        ("phone", "call me maybe", "phone"),
        ("referring_provider_npi", "12345", "10 digits"),
        ("mrn", "bad mrn!", "MRN"),
        ("given_name", "", "required"),
    ],
)
def test_bad_registration_input_names_the_field_and_writes_nothing(front_desk, field, value, message_part):
    before = (Patient.objects.count(), AuditEvent.objects.count(), Revision.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        services.register_patient(ctx_for(front_desk), dict(PATIENT_DATA, **{field: value}))
    assert field in exc.value.errors
    assert message_part.lower() in " ".join(exc.value.errors[field]).lower()
    assert (Patient.objects.count(), AuditEvent.objects.count(), Revision.objects.count()) == before


def test_therapist_cannot_register(therapist):
    with pytest.raises(PermissionDenied):
        services.register_patient(ctx_for(therapist), PATIENT_DATA)


def test_outsider_cannot_open_our_patient(outsider, patient):
    with pytest.raises(NotFound):
        services.get_patient_for(ctx_for(outsider), patient.public_id)


def test_search_never_returns_another_clinics_patients(outsider, patient, outsider_patient):
    found = list(services.search_patients(ctx_for(outsider), "Avery"))
    assert patient not in found
    assert list(services.search_patients(ctx_for(outsider), "Other")) == [outsider_patient]


@pytest.mark.parametrize("query", ["avery", "Jordan Avery", "Avery, Jordan", "1984-05-17", "05/17/1984", "TC100001", "123-4567", "5551234567"])
def test_search_finds_by_name_birth_date_mrn_or_phone(nurse, patient, query):
    assert list(services.search_patients(ctx_for(nurse), query)) == [patient]


def test_search_does_not_match_unrelated_text(nurse, patient):
    assert list(services.search_patients(ctx_for(nurse), "Zimmerman")) == []


def test_edit_keeps_the_previous_version_in_history(front_desk, patient):
    updated = services.update_patient(ctx_for(front_desk), patient, {"phone": "(555) 999-0000"}, expected_version=1, reason="New number")
    assert updated.version == 2 and updated.phone_digits == "5559990000"
    versions = Revision.objects.filter(record_type="patient", record_id=patient.public_id).order_by("version")
    assert [r.version for r in versions] == [1, 2]
    assert versions[0].data["phone"] == "(555) 123-4567"
    assert versions[1].data["phone"] == "(555) 999-0000" and versions[1].changed_fields == ["phone"]
    assert AuditEvent.objects.filter(action="patient.update", object_id=str(patient.public_id)).exists()


def test_stale_edit_is_refused_so_nobody_overwrites_a_colleague(front_desk, nurse, patient):
    services.update_patient(ctx_for(nurse), patient, {"email": "a@example.org"}, expected_version=1)
    with pytest.raises(Conflict):
        services.update_patient(ctx_for(front_desk), patient, {"email": "b@example.org"}, expected_version=1)
    patient.refresh_from_db()
    assert patient.email == "a@example.org"


def test_subrecord_entered_in_error_is_kept_not_deleted(nurse, patient):
    ctx = ctx_for(nurse)
    med = services.add_subrecord(ctx, patient, "medication", {"name": "Phenelzine", "drug_class": "maoi", "dose": "45 mg"})
    services.set_subrecord_status(ctx, patient, "medication", med.public_id, "entered-in-error", "Wrong patient")
    med.refresh_from_db()
    assert med.status == "entered-in-error" and med.version == 2
    assert patient.medications.count() == 1
    assert Revision.objects.filter(record_id=med.public_id).count() == 2
    with pytest.raises(Conflict):
        services.correct_subrecord(ctx, patient, "medication", med.public_id, {"name": "X", "drug_class": "ssri"}, "again")


def test_withdrawing_needs_a_reason(nurse, patient):
    allergy = AllergyFactory(patient=patient, recorded_by=nurse)
    with pytest.raises(ValidationFailed):
        services.set_subrecord_status(ctx_for(nurse), patient, "allergy", allergy.public_id, "entered-in-error", " ")


def test_correction_bumps_version_and_keeps_old_values(prescriber, patient):
    ctx = ctx_for(prescriber)
    trial = services.add_subrecord(ctx, patient, "trial", {"drug": "Sertraline", "dose_mg_per_day": "150", "weeks": 8, "adequate": "true", "outcome": "no_response", "current_episode": "true"})
    services.correct_subrecord(ctx, patient, "trial", trial.public_id, {"drug": "Sertraline", "dose_mg_per_day": "200", "weeks": 8, "adequate": "true", "outcome": "no_response", "current_episode": "true"}, "Dose was 200")
    old, new = Revision.objects.filter(record_id=trial.public_id).order_by("version")
    assert old.data["dose_mg_per_day"] == "150.00" and new.data["dose_mg_per_day"] == "200.00"
    assert new.reason == "Dose was 200"


@pytest.mark.parametrize("code,ok", [("F33.1", True), ("f331", True), ("F32.A", True), ("R45.851", True), ("G89.29", True), ("33.1", False), ("F3", False), ("F33.12345", False), ("F33-1", False)])
def test_diagnosis_accepts_only_icd10cm_shaped_codes(prescriber, patient, code, ok):
    data = {"icd10_code": code, "display": "Something"}
    if ok:
        dx = services.add_subrecord(ctx_for(prescriber), patient, "diagnosis", data)
        assert dx.icd10_code[0] in "FRG"
    else:
        with pytest.raises(ValidationFailed) as exc:
            services.add_subrecord(ctx_for(prescriber), patient, "diagnosis", data)
        assert "icd10_code" in exc.value.errors


def test_known_diagnosis_code_fills_its_display(prescriber, patient):
    dx = services.add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": "F33.2"})
    assert dx.display.startswith("Major depressive disorder, recurrent severe")


def test_front_desk_cannot_record_medications(front_desk, patient):
    with pytest.raises(PermissionDenied):
        services.add_subrecord(ctx_for(front_desk), patient, "medication", {"name": "X", "drug_class": "ssri"})
