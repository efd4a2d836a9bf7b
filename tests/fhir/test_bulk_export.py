"""Bulk Data $export (async pattern): kick-off, status while queued, the real background task (the
worker's claim path), the manifest, NDJSON files validated with fhir.resources, _type/_since,
group = a location's patients, cancel, the outsider clinic, and never a psychotherapy note."""

import json

import pytest
from django.core.management import call_command

from ketamine_clinic.fhir.bulk.exporter import run
from ketamine_clinic.fhir.bulk.files import export_dir
from ketamine_clinic.fhir.models import ExportJob, ExportStatus
from ketamine_clinic.notes.services.psychotherapy import write_psychotherapy_note
from ketamine_clinic.patients import services as patient_services
from ketamine_clinic.patients.models import Patient
from tests.support.factories import LocationFactory, PatientFactory
from tests.support.people import ctx_for

from .support import fhir, refused, valid

# The worker commits for real (as in tests/plans/test_reminders.py): transactional tests.
pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Words said in a psychotherapy session, kept apart from the record"
ASYNC = {"HTTP_PREFER": "respond-async", "HTTP_ACCEPT": "application/fhir+json"}


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.FHIR_EXPORT_DIR = str(tmp_path / "exports")
    return tmp_path / "exports"


@pytest.fixture
def chart(patient, nurse, therapist):
    ctx = ctx_for(nurse)
    patient_services.add_subrecord(ctx, patient, "diagnosis", {"icd10_code": "F33.2"})
    patient_services.add_subrecord(ctx, patient, "allergy", {"substance": "Penicillin", "severity": "moderate"})
    write_psychotherapy_note(ctx_for(therapist), patient, SECRET)
    return patient


def run_worker():
    call_command("db_worker", batch=True, queue_name="*", no_startup_delay=True)


def kick_off(user, path="/$export", **headers):
    response = fhir(user, "get", path, **{**ASYNC, **headers})
    assert response.status_code == 202, response.content
    return response["Content-Location"].split("/fhir/r4", 1)[1]


def manifest(user, status_path):
    response = fhir(user, "get", status_path)
    assert response.status_code == 200, response.content
    return response.json()


def download(user, url) -> list[dict]:
    response = fhir(user, "get", url.split("/fhir/r4", 1)[1])
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+ndjson"
    return [valid(json.loads(line)) for line in b"".join(response.streaming_content).decode().splitlines()]


def test_system_export_runs_in_the_worker_and_serves_a_manifest_and_files(clinic_admin, chart):
    status_path = kick_off(clinic_admin)
    waiting = fhir(clinic_admin, "get", status_path)
    assert waiting.status_code == 202 and waiting["X-Progress"] == "queued"
    run_worker()
    body = manifest(clinic_admin, status_path)
    assert body["requiresAccessToken"] is True and body["request"].endswith("/fhir/r4/$export")
    assert body["transactionTime"]
    by_type = {o["type"]: o for o in body["output"]}
    assert {"Patient", "Condition", "AllergyIntolerance", "Practitioner", "Organization", "Location"} <= set(by_type)
    for entry in body["output"]:
        rows = download(clinic_admin, entry["url"])
        assert len(rows) == entry["count"] and {r["resourceType"] for r in rows} == {entry["type"]}
    patients = download(clinic_admin, by_type["Patient"]["url"])
    assert [p["id"] for p in patients] == [str(chart.public_id)]
    every_byte = b"".join(p.read_bytes() for p in export_dir(ExportJob.objects.get()).iterdir())
    assert SECRET.encode() not in every_byte


def test_the_task_is_idempotent_a_second_run_changes_nothing(clinic_admin, chart):
    kick_off(clinic_admin)
    run_worker()
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE
    before = {p.name: p.read_bytes() for p in export_dir(job).iterdir()}
    assert run(str(job.public_id)) == "skipped: not queued"
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and {p.name: p.read_bytes() for p in export_dir(job).iterdir()} == before


def test_type_and_since_narrow_the_export(clinic_admin, chart):
    status_path = kick_off(clinic_admin, "/Patient/$export?_type=Patient,Condition")
    far_future = kick_off(clinic_admin, "/Patient/$export?_since=2999-01-01T00:00:00Z")
    run_worker()
    assert {o["type"] for o in manifest(clinic_admin, status_path)["output"]} == {"Patient", "Condition"}
    later = manifest(clinic_admin, far_future)["output"]
    assert "Patient" not in {o["type"] for o in later} and "Condition" not in {o["type"] for o in later}
    # a resource with no meta.lastUpdated (e.g. a derived Observation) cannot be dated: always sent, never missed
    assert all("lastUpdated" not in r.get("meta", {}) for o in later for r in download(clinic_admin, o["url"]))


def test_group_export_holds_only_the_locations_patients(clinic_admin, chart, org, front_desk):
    annex = LocationFactory(organization=org, name="Annex")
    PatientFactory(registered_by=front_desk, given_name="Homed", family_name="Here", mrn="TC-HOME")
    homed = Patient.objects.get(mrn="TC-HOME")
    Patient.objects.filter(pk=homed.pk).update(home_location=annex)
    status_path = kick_off(clinic_admin, f"/Group/{annex.public_id}/$export?_type=Patient")
    run_worker()
    (patients,) = manifest(clinic_admin, status_path)["output"]
    assert [p["id"] for p in download(clinic_admin, patients["url"])] == [str(homed.public_id)]


@pytest.mark.parametrize("path, headers", [
    ("/$export", {"HTTP_PREFER": ""}),
    ("/$export?_typeFilter=Patient%3Factive%3Dtrue", {}),
    ("/$export?_type=Claim", {}),
    ("/Patient/$export?_type=Practitioner", {}),
    ("/$export?_since=yesterday", {}),
    ("/$export?_since=2024-01-01T00:00:00", {}),
    ("/$export?_outputFormat=text/csv", {}),
    ("/Group/not-a-location/$export", {}),
])
def test_bad_kick_offs_are_refused_and_queue_nothing(clinic_admin, path, headers):
    response = fhir(clinic_admin, "get", path, **{**ASYNC, **headers})
    assert response.status_code in (400, 404), response.content
    refused(response, response.status_code)
    assert not ExportJob.objects.exists()


def test_delete_cancels_a_queued_export_and_the_task_then_writes_nothing(clinic_admin, chart):
    status_path = kick_off(clinic_admin)
    assert fhir(clinic_admin, "delete", status_path).status_code == 202
    run_worker()
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.CANCELLED and not export_dir(job).exists()
    refused(fhir(clinic_admin, "get", status_path), 404)


def test_delete_after_completion_removes_the_files(clinic_admin, chart):
    status_path = kick_off(clinic_admin)
    run_worker()
    url = manifest(clinic_admin, status_path)["output"][0]["url"]
    assert fhir(clinic_admin, "delete", status_path).status_code == 202
    refused(fhir(clinic_admin, "get", url.split("/fhir/r4", 1)[1]), 404)
    assert not export_dir(ExportJob.objects.get()).exists()


def test_the_outsider_clinic_sees_no_job_no_file_and_no_group(clinic_admin, outsider, chart, location):
    status_path = kick_off(clinic_admin)
    run_worker()
    url = manifest(clinic_admin, status_path)["output"][0]["url"].split("/fhir/r4", 1)[1]
    refused(fhir(outsider, "get", status_path), 404)
    refused(fhir(outsider, "delete", status_path), 404)
    refused(fhir(outsider, "get", url), 404)
    refused(fhir(outsider, "get", f"/Group/{location.public_id}/$export", **ASYNC), 404)
    outsider_status = kick_off(outsider)
    run_worker()
    for entry in manifest(outsider, outsider_status)["output"]:
        assert str(chart.public_id) not in json.dumps(download(outsider, entry["url"]))


def test_roles_without_bulk_export_are_refused(nurse, front_desk):
    for user in (nurse, front_desk):
        refused(fhir(user, "get", "/$export", **ASYNC), 403)
    refused(fhir(None, "get", "/$export", **ASYNC), 401)
    assert not ExportJob.objects.exists()
