"""The staff upload page for Synthea bundles: the same importer, a per-type report, and a bad file
refused with a clear message and nothing written."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.fhir import upload as upload_module
from ketamine_clinic.patients.models import Patient

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parent / "data" / "synthea-r4"
ALBERTO = "Alberto_Atencio_fc712d1f-5a2e-4407-9c55-a2a2bad623c2.json"
INFRA = ("hospitalInformation1559319163815.json", "practitionerInformation1559319163815.json")


def files(*names):
    return [SimpleUploadedFile(n, (SAMPLES / n).read_bytes(), content_type="application/json") for n in names]


def test_uploading_bundles_imports_them_and_shows_the_report(client_for, prescriber, org):
    client = client_for(prescriber)
    response = client.post("/fhir/import/", {"files": files(ALBERTO, *INFRA)})
    assert response.status_code == 200, response.content
    rows = {row["type"]: row for row in response.context["rows"]}
    assert rows["Patient"]["imported"] == 1 and rows["Claim"]["unmapped"] == rows["Claim"]["seen"] > 0
    assert rows["Organization"]["unmapped"] > 0  # the infrastructure bundle was read too
    assert Patient.objects.filter(organization=org).count() == 1
    assert b"Unmapped" in response.content and AuditEvent.objects.filter(action="fhir.import_upload").exists()
    again = client.post("/fhir/import/", {"files": files(ALBERTO)})
    assert again.context["report"].skipped_patients and Patient.objects.filter(organization=org).count() == 1


@pytest.mark.parametrize("name, content", [
    ("broken.json", b"{not json"),
    ("list.json", b"[1, 2]"),
    ("patient.json", b'{"resourceType": "Patient"}'),
])
def test_a_bad_file_among_good_ones_is_named_and_nothing_is_written(client_for, prescriber, org, name, content):
    bad = SimpleUploadedFile(name, content, content_type="application/json")
    response = client_for(prescriber).post("/fhir/import/", {"files": [*files(ALBERTO), bad]})
    assert response.status_code == 400
    assert name in response.content.decode() and "Nothing was imported" in response.content.decode()
    assert not Patient.objects.filter(organization=org).exists()


def test_an_oversize_file_is_refused(client_for, prescriber, org, monkeypatch):
    monkeypatch.setattr(upload_module, "MAX_FILE_BYTES", 1000)
    response = client_for(prescriber).post("/fhir/import/", {"files": files(ALBERTO)})
    assert response.status_code == 400 and "limit per file" in response.content.decode()
    assert not Patient.objects.filter(organization=org).exists()


def test_no_file_and_roles_that_may_not_import(client_for, prescriber, front_desk, therapist):
    assert client_for(prescriber).post("/fhir/import/", {}).status_code == 400
    for user in (front_desk, therapist):
        assert client_for(user).get("/fhir/import/").status_code == 403
