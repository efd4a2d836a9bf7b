"""Correcting a chart entry from the chart: the Correct link, the form, and what a correction leaves behind."""

import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.patients import services
from ketamine_clinic.patients.models import Medication, Revision

from tests.support.factories import AllergyFactory
from tests.support.people import ctx_for

SERTRALINE = {"name": "Sertraline", "drug_class": "ssri", "dose": "50 mg daily", "started_on": "2024-01-10"}


@pytest.fixture
def med(nurse, patient):
    return services.add_subrecord(ctx_for(nurse), patient, "medication", SERTRALINE)


def correct_url(patient, kind, entry):
    return f"/patients/{patient.public_id}/{kind}/{entry.public_id}/correct/"


def posted(**changes):
    return {**SERTRALINE, "reason": "Dose was misread", "expected_version": "1", **changes}


def test_chart_shows_correct_link_to_clinical_staff_only(client_for, nurse, front_desk, therapist, patient, med):
    link = correct_url(patient, "medication", med)
    assert link in client_for(nurse).get(f"/patients/{patient.public_id}/").content.decode()
    for user in (front_desk, therapist):
        assert link not in client_for(user).get(f"/patients/{patient.public_id}/").content.decode()


def test_chart_offers_correct_for_the_current_measurement_and_each_allergy(client_for, prescriber, patient):
    allergy = AllergyFactory(patient=patient, recorded_by=prescriber)
    body = client_for(prescriber).get(f"/patients/{patient.public_id}/").content.decode()
    assert correct_url(patient, "measurement", services.current_measurement(patient)) in body
    assert correct_url(patient, "allergy", allergy) in body


def test_correct_form_is_prefilled_with_the_recorded_values_and_version(client_for, nurse, patient, med):
    response = client_for(nurse).get(correct_url(patient, "medication", med))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Sertraline"' in body and 'value="50 mg daily"' in body and 'value="2024-01-10"' in body
    assert 'name="expected_version" value="1"' in body and "Reason for correction" in body


def test_nurse_corrects_a_medication_and_the_chart_and_history_show_it(client_for, nurse, patient, med):
    client = client_for(nurse)
    response = client.post(correct_url(patient, "medication", med), posted(dose="25 mg daily"))
    assert response.status_code == 302 and response["Location"] == f"/patients/{patient.public_id}/"
    med.refresh_from_db()
    assert med.dose == "25 mg daily" and med.version == 2
    old, new = Revision.objects.filter(record_id=med.public_id).order_by("version")
    assert old.data["dose"] == "50 mg daily" and new.data["dose"] == "25 mg daily"
    assert new.data["recorded_by"] == med.recorded_by.name  # who recorded it, by name, not a row number
    assert new.changed_fields == ["dose"] and new.reason == "Dose was misread" and new.changed_by == nurse
    event = AuditEvent.objects.get(action="patient.medication.update")
    assert event.actor == nurse and event.object_id == str(med.public_id) and event.detail["fields"] == ["dose"]
    assert "corrected" in client.get(f"/patients/{patient.public_id}/").content.decode()
    history = client.get(f"/patients/{patient.public_id}/history/").content.decode()
    assert "<del>50 mg daily</del> → <ins>25 mg daily</ins>" in history and "Dose was misread" in history


@pytest.mark.parametrize(
    "kind,data,change",
    [
        ("measurement", None, {"weight_kg": "71.5"}),
        ("allergy", {"substance": "Latex", "severity": "mild"}, {"severity": "severe"}),
        ("medication", SERTRALINE, {"dose": "100 mg daily"}),
        ("trial", {"drug": "Sertraline", "dose_mg_per_day": "150", "weeks": 8, "adequate": "true", "outcome": "no_response", "current_episode": "false"}, {"adequate": "false"}),
        ("diagnosis", {"icd10_code": "F33.2"}, {"onset_on": "2020-03-01"}),
    ],
)
def test_each_kind_round_trips_through_its_prefilled_form(client_for, prescriber, patient, kind, data, change):
    entry = services.current_measurement(patient) if data is None else services.add_subrecord(ctx_for(prescriber), patient, kind, data)
    client = client_for(prescriber)
    form = client.get(correct_url(patient, kind, entry)).context["form"]
    submitted = {name: form[name].value() or "" for name in form.fields}
    response = client.post(correct_url(patient, kind, entry), {**submitted, **change, "reason": "Typo"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.version == 2
    assert Revision.objects.get(record_id=entry.public_id, version=2).changed_fields == sorted(change)


def test_changing_only_the_code_in_the_form_updates_the_description(client_for, prescriber, patient):
    dx = services.add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": "F33.2"})
    client = client_for(prescriber)
    form = client.get(correct_url(patient, "diagnosis", dx)).context["form"]
    submitted = {name: form[name].value() or "" for name in form.fields}
    client.post(correct_url(patient, "diagnosis", dx), {**submitted, "icd10_code": "F33.1", "reason": "Wrong code"})
    dx.refresh_from_db()
    assert (dx.icd10_code, dx.display) == ("F33.1", "Major depressive disorder, recurrent, moderate")


def test_bad_input_shows_field_errors_and_saves_nothing(client_for, nurse, patient, med):
    response = client_for(nurse).post(correct_url(patient, "medication", med), posted(name="", drug_class="aspirin", reason=""))
    body = response.content.decode()
    assert response.status_code == 422
    assert "This field is required." in body and "Select a valid choice" in body and "Say why this entry is being corrected." in body
    med.refresh_from_db()
    assert med.version == 1 and med.name == "Sertraline"
    assert Revision.objects.filter(record_id=med.public_id).count() == 1
    assert not AuditEvent.objects.filter(action="patient.medication.update").exists()


def test_saving_unchanged_values_is_refused_rather_than_recorded_as_a_correction(client_for, nurse, patient, med):
    response = client_for(nurse).post(correct_url(patient, "medication", med), posted())
    assert response.status_code == 422 and "Nothing to correct" in response.content.decode()
    assert Revision.objects.filter(record_id=med.public_id).count() == 1


def test_stale_version_is_409_and_saves_nothing(client_for, nurse, prescriber, patient, med):
    services.correct_subrecord(ctx_for(prescriber), patient, "medication", med.public_id, {"dose": "75 mg daily"}, "Titrated", expected_version=1)
    response = client_for(nurse).post(correct_url(patient, "medication", med), posted(dose="25 mg daily"))
    assert response.status_code == 409 and "changed by someone else" in response.content.decode()
    med.refresh_from_db()
    assert med.dose == "75 mg daily" and med.version == 2


def test_a_form_without_its_version_is_treated_as_stale(client_for, nurse, patient, med):
    response = client_for(nurse).post(correct_url(patient, "medication", med), posted(dose="25 mg daily", expected_version="x"))
    assert response.status_code == 409
    med.refresh_from_db()
    assert med.dose == "50 mg daily"


@pytest.mark.parametrize("role", ["front_desk", "therapist"])
def test_staff_without_clinical_edit_rights_are_refused(client_for, request, patient, med, role):
    client = client_for(request.getfixturevalue(role))
    assert client.get(correct_url(patient, "medication", med)).status_code == 403
    assert client.post(correct_url(patient, "medication", med), posted(dose="25 mg daily")).status_code == 403
    med.refresh_from_db()
    assert med.version == 1


def test_outsider_gets_404_and_changes_nothing(client_for, outsider, patient, med):
    client = client_for(outsider)
    assert client.get(correct_url(patient, "medication", med)).status_code == 404
    assert client.post(correct_url(patient, "medication", med), posted(dose="25 mg daily")).status_code == 404
    med.refresh_from_db()
    assert med.version == 1


def test_unknown_kind_or_an_entry_of_another_kind_is_404(client_for, nurse, patient, med):
    client = client_for(nurse)
    assert client.get(f"/patients/{patient.public_id}/spaceship/{med.public_id}/correct/").status_code == 404
    assert client.get(correct_url(patient, "allergy", med)).status_code == 404


def test_entered_in_error_entry_cannot_be_corrected(client_for, nurse, patient, med):
    services.set_subrecord_status(ctx_for(nurse), patient, "medication", med.public_id, "entered-in-error", "Wrong patient")
    response = client_for(nurse).post(correct_url(patient, "medication", med), posted(dose="25 mg daily", expected_version="2"))
    assert response.status_code == 302
    med.refresh_from_db()
    assert med.dose == "50 mg daily" and med.status == "entered-in-error"


def test_inactive_trial_keeps_its_correct_link(client_for, nurse, patient):
    trial = services.add_subrecord(ctx_for(nurse), patient, "trial", {"drug": "Bupropion", "dose_mg_per_day": "300", "weeks": 10, "adequate": "true", "outcome": "partial", "current_episode": "true"})
    services.set_subrecord_status(ctx_for(nurse), patient, "trial", trial.public_id, "inactive", "Stopped")
    assert correct_url(patient, "trial", trial) in client_for(nurse).get(f"/patients/{patient.public_id}/").content.decode()


# --- the service under both doors ---------------------------------------------------------------
def test_correction_may_name_only_the_fields_it_changes(nurse, patient, med):
    services.correct_subrecord(ctx_for(nurse), patient, "medication", med.public_id, {"dose": "25 mg daily"}, "Typo")
    med.refresh_from_db()
    assert (med.name, med.drug_class, med.dose, str(med.started_on)) == ("Sertraline", "ssri", "25 mg daily", "2024-01-10")


@pytest.mark.parametrize("sent", [{}, {"display": "Major depressive disorder, recurrent severe without psychotic features"}])
def test_a_corrected_diagnosis_code_takes_its_own_description(prescriber, patient, sent):
    dx = services.add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": "F33.2"})
    assert sent.get("display", dx.display) == dx.display  # the form re-sends the old code's text unchanged
    services.correct_subrecord(ctx_for(prescriber), patient, "diagnosis", dx.public_id, {"icd10_code": "F33.1", **sent}, "Wrong code")
    dx.refresh_from_db()
    assert dx.icd10_code == "F33.1" and "moderate" in dx.display


def test_a_diagnosis_description_written_by_hand_is_kept(prescriber, patient):
    dx = services.add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": "F33.2", "display": "Severe recurrent MDD, treatment resistant"})
    services.correct_subrecord(ctx_for(prescriber), patient, "diagnosis", dx.public_id, {"onset_on": "2019-05-01"}, "Onset found")
    dx.refresh_from_db()
    assert dx.display == "Severe recurrent MDD, treatment resistant"


@pytest.mark.parametrize("write", ["correct", "status", "demographics"])
def test_an_over_long_reason_is_a_field_error_not_a_database_error(nurse, patient, med, write):
    ctx = ctx_for(nurse)
    with pytest.raises(ValidationFailed) as exc:
        if write == "correct":
            services.correct_subrecord(ctx, patient, "medication", med.public_id, {"dose": "1 mg"}, "x" * 301)
        elif write == "status":
            services.set_subrecord_status(ctx, patient, "medication", med.public_id, "inactive", "x" * 301)
        else:
            services.update_patient(ctx, patient, {"city": "Troy"}, reason="x" * 301)
    assert "reason" in exc.value.errors
    assert Medication.objects.get(pk=med.pk).version == 1 and Revision.objects.filter(record_type="patient").count() == 1
