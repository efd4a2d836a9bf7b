"""Import of the ten real Synthea bundles in tests/fhir/data/synthea-r4, as they are: through
the services, counted, idempotent, and read back through the FHIR API."""

from pathlib import Path

import pytest

from ketamine_clinic.cli import main
from ketamine_clinic.fhir.importer import import_path
from ketamine_clinic.patients.models import BodyMeasurement, Patient
from tests.support.people import ctx_for

from .support import fhir, ok, resources

pytestmark = pytest.mark.django_db


# A copy of ../shared/fhir-samples (Synthea, Apache-2.0: see data/LICENSE) kept in the repository, so
# the tests run the same on a fresh clone wherever CI puts it.
SAMPLES = Path(__file__).resolve().parent / "data" / "synthea-r4"
ALBERTO = "Alberto_Atencio_fc712d1f-5a2e-4407-9c55-a2a2bad623c2.json"


def test_all_ten_bundles_import_and_rerunning_adds_nothing(prescriber, org):
    report = import_path(ctx_for(prescriber), SAMPLES)
    assert report.seen["Patient"] == 10 and report.imported["Patient"] == 10
    assert Patient.objects.filter(organization=org).count() == 10
    # every resource is accounted for: imported, unmapped, or refused with a reason
    for rtype, seen in report.seen.items():
        refused = sum(1 for _, t, _ in report.refused if t == rtype)
        assert report.imported[rtype] + report.unmapped[rtype] + refused == seen, rtype
    assert report.unmapped["Claim"] == report.seen["Claim"] and report.unmapped["Organization"] == report.seen["Organization"]
    assert report.imported["Observation"] > 0 and BodyMeasurement.objects.filter(patient__organization=org).exists()

    again = import_path(ctx_for(prescriber), SAMPLES)
    assert again.imported == {} and len(again.skipped_patients) == 10
    assert Patient.objects.filter(organization=org).count() == 10


def test_round_trip_through_the_fhir_api(prescriber):
    import_path(ctx_for(prescriber), SAMPLES / ALBERTO)
    patient = Patient.objects.get(family_name="Atencio")
    body = ok(fhir(prescriber, "get", "/Patient?identifier=fc712d1f5a2e44079c55a2a2bad623c2"))
    read = resources(body)[0]
    assert (read["name"][0]["family"], read["name"][0]["given"], read["birthDate"], read["gender"]) == ("Atencio", ["Alberto"], "1993-06-07", "male")
    assert read["telecom"][0]["value"] == "555-961-9901"
    weights = resources(ok(fhir(prescriber, "get", f"/Observation?patient={patient.public_id}&code=29463-7&_count=100")))
    assert len(weights) == patient.measurements.count() > 0


def test_cli_import_prints_the_counts(prescriber, capsys, settings):
    assert main(["fhir", "import", str(SAMPLES / ALBERTO), "--user", prescriber.username]) == 0
    out = capsys.readouterr().out
    assert "Patient: 1 seen, 1 imported" in out and "Claim:" in out
    assert main(["fhir", "import", "/no/such/path", "--user", prescriber.username]) == 2
    assert main(["fhir", "import", str(SAMPLES / ALBERTO), "--user", "nobody"]) == 2
