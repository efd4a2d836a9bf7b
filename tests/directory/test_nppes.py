"""NPPES import from a file (the dissemination CSV's 330-column header, or the Registry API JSON):
records parsed, profiles cross-checked and pre-filled, mismatches shown, bad files refused."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.accounts.services import create_token
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.directory import services
from ketamine_clinic.directory.models import ProviderProfile
from ketamine_clinic.directory.rules import nppes

from tests.support.api import assert_error
from tests.support.people import ctx_for

DATA = Path(__file__).parent / "data"
CSV = (DATA / "npidata_pfile_sample.csv").read_bytes()
JSON = (DATA / "npi_registry_sample.json").read_bytes()


def test_the_sample_dissemination_file_has_the_published_330_columns_and_parses():
    header = CSV.decode().splitlines()[0]
    assert header.count('","') + 1 == 330
    records = nppes.parse(CSV.decode())
    assert [(r.npi, r.entity_type) for r in records] == [("1234567893", "NPI-1"), ("1245319599", "NPI-1"), ("1659325884", "NPI-2")]
    raman = records[0]
    assert (raman.last_name, raman.first_name, raman.city, raman.postal_code) == ("RAMAN", "PRIYA", "ALBANY", "122071234")
    assert raman.primary_taxonomy == "2084P0800X" and [t.license for t in raman.taxonomies] == ["MD284113", "MD284113"]


def test_the_registry_json_parses_with_the_location_address():
    [rec] = nppes.parse(JSON.decode())
    assert (rec.npi, rec.last_name, rec.city, rec.primary_taxonomy) == ("1234567893", "RAMAN-SHAH", "TROY", "207L00000X")


@pytest.mark.parametrize("text, message", [
    ("NPI,Name\n1,2\n", "missing"),
    ('{"results": 3}', "results"),
    ('{"Errors": [{"description": "No valid search criteria"}]}', "No valid search criteria"),
    ("{not json", "Not valid JSON"),
])
def test_a_file_in_neither_shape_is_refused_with_why(text, message):
    with pytest.raises(nppes.NppesFormatError) as exc:
        nppes.parse(text)
    assert message in str(exc.value)


@pytest.fixture
def raman(prescriber, clinic_admin, location):
    User.objects.filter(pk=prescriber.pk).update(first_name="Priya", last_name="Raman")
    location.postal_code = "12207"
    location.save()
    services.save_profile(ctx_for(prescriber), prescriber.public_id, {"npi": "1234567893"})
    services.save_licence(ctx_for(prescriber), prescriber.public_id, {"state": "NY", "number": "MD-284113", "expires_on": "2031-01-01"})
    return prescriber


def test_importing_the_csv_prefills_the_taxonomy_and_finds_no_mismatch(raman, clinic_admin):
    result = services.import_nppes(ctx_for(clinic_admin), CSV)
    assert (result["records"], result["matched"], result["prefilled"], result["not_in_clinic"]) == (3, 1, 1, 1)
    profile = ProviderProfile.objects.get(user=raman)
    assert profile.taxonomy_codes == ["2084P0800X", "207L00000X"] and profile.primary_taxonomy == "2084P0800X"
    assert services.nppes_mismatches(profile) == []
    assert AuditEvent.objects.get(action="directory.nppes_import").detail["matched"] == 1


def test_the_registry_json_shows_name_taxonomy_and_address_mismatches(raman, clinic_admin, client_for):
    services.save_profile(ctx_for(raman), raman.public_id, {
        "npi": "1234567893", "taxonomy_codes": ["2084P0800X", "363LP0808X"], "primary_taxonomy": "2084P0800X"})
    services.import_nppes(ctx_for(clinic_admin), JSON)
    found = services.nppes_mismatches(ProviderProfile.objects.get(user=raman))
    assert any(m.startswith("Name: NPPES has last name RAMAN-SHAH") for m in found)
    assert "Taxonomy: NPPES primary is 207L00000X, the profile's 2084P0800X." in found
    assert "Taxonomy: not in NPPES: 363LP0808X." in found
    assert any(m.startswith("Address: NPPES practice location 9 RIVER ROAD, TROY NY 12180") for m in found)
    page = client_for(raman).get(f"/directory/providers/{raman.public_id}/").content.decode()
    assert "NPPES has last name RAMAN-SHAH" in page and "not one of the clinic" in page


def test_only_the_admin_imports_and_only_into_their_own_clinic(raman, outsider, client_for):
    with pytest.raises(PermissionDenied):
        services.import_nppes(ctx_for(raman), CSV)
    result = services.import_nppes(ctx_for(outsider), CSV)
    assert result["matched"] == 0 and ProviderProfile.objects.get(user=raman).nppes_snapshot is None


def test_bad_uploads_are_a_422_and_nothing_is_written(raman, clinic_admin, api, client_for):
    with pytest.raises(ValidationFailed) as exc:
        services.import_nppes(ctx_for(clinic_admin), b"\xff\xfe\x00bad")
    assert "file" in exc.value.errors
    big = b"NPI\n" + b"1" * (services.nppes.MAX_UPLOAD_BYTES + 1)
    with pytest.raises(ValidationFailed):
        services.import_nppes(ctx_for(clinic_admin), big)
    response = client_for(clinic_admin).post("/directory/providers/nppes", {"file": _upload(b"NPI,Name\n1,x\n")})
    assert response.status_code == 422 and "missing" in response.content.decode()
    assert not AuditEvent.objects.filter(action="directory.nppes_import").exists()


def _upload(content: bytes, name="nppes.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_the_api_imports_a_file(raman, clinic_admin, client):
    token = create_token(None, clinic_admin)
    response = client.post("/api/v1/providers/nppes-import", {"file": _upload(JSON, "r.json")},
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and response.json()["matched"] == 1
    token = create_token(None, raman)
    assert_error(client.post("/api/v1/providers/nppes-import", {"file": _upload(JSON)}, HTTP_AUTHORIZATION=f"Bearer {token}"), 403)
    token = create_token(None, clinic_admin)
    assert_error(client.post("/api/v1/providers/nppes-import", {"file": _upload(b"garbage")}, HTTP_AUTHORIZATION=f"Bearer {token}"), 422, "file")
