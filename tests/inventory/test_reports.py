"""Reports from a real ledger, as CSV and as PDF read back (every string the PDF draws)."""

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.core.errors import NotFound, ValidationFailed
from ketamine_clinic.inventory import reports, services

from tests.support.people import ctx_for
from tests.support.inventory import witness_data

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    """The text an uncompressed PDF draws with Tj, in order, one space between strings (so a cell
    wrapped over two lines reads as one)."""
    assert data.startswith(b"%PDF")
    out = []
    for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", data):
        text = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), raw)
        out.append(re.sub(rb"\\(.)", rb"\1", text).decode("cp1252"))
    return " ".join(out)


@pytest.fixture
def history(clinic_admin, nurse, prescriber, patient, vials, devices):
    patient.address_line, patient.city, patient.region, patient.postal_code = "9 Elm St", "Albany", "NY", "12207"
    patient.save()
    drawn = services.draw(ctx_for(nurse), {"container": vials[0].label, "patient": patient.public_id, "quantity_mg": "40"})
    services.administer(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "35"})
    services.waste(ctx_for(nurse), {"draw": drawn.public_id, "quantity_mg": "5", **witness_data(prescriber)})
    services.destroy(ctx_for(clinic_admin), {"container": devices[2].label, "method": "Rx Destroyer", "reason": "Damaged device",
                                             **witness_data(nurse)})
    services.record_loss(ctx_for(clinic_admin), {"container": vials[1].label, "quantity_ml": "1", "explanation": "Vial cracked, unseen"})
    return drawn


def _build(user, key, location):
    today = timezone.localdate()
    return reports.build_for(user, key, location_id=location.public_id, start=today - dt.timedelta(days=1), end=today)


def test_the_log_has_the_1304_22c_fields(clinic_admin, location, history, supplier, nurse, prescriber):
    report = _build(clinic_admin, "log", location)
    rows = list(csv.DictReader(io.StringIO(reports.to_csv(report).decode())))
    given = next(r for r in rows if r["Event"] == "Administered")
    assert (given["Patient"], given["Patient address"], given["Quantity mg"], given["Quantity mL"]) == \
           ("Jordan Avery", "9 Elm St, Albany, NY, 12207", "35", "0.7")
    assert given["By"] == nurse.name and "50 mg/mL, 10 mL" in given["Substance, form, units per container"]
    wasted = next(r for r in rows if r["Event"] == "Wasted")
    assert wasted["Witness"] == prescriber.name and wasted["Manner / reason"]
    received = next(r for r in rows if r["Event"] == "Received")
    assert received["Supplier (name, address, DEA)"] == f"{supplier.name}, {supplier.address}, {supplier.dea_number}"
    text = pdf_text(reports.to_pdf(report))
    assert "Dispensing and administration log" in text and "AB1234563" in text and "Jordan Avery" in text


def test_form41_and_form106_worksheets(clinic_admin, location, history, devices, nurse):
    form41 = _build(clinic_admin, "form41", location)
    assert [(r[1], r[9], r[10], r[12]) for r in form41.rows] == [("50458-0028-02", "28", "Rx Destroyer", nurse.name)]
    assert "18 U.S.C. 1001" in pdf_text(reports.to_pdf(form41))
    form106 = _build(clinic_admin, "form106", location)
    assert [(r[2], r[6], r[9]) for r in form106.rows] == [("00409-2051-05", "50", "1.25")]  # 1 mL of a 12.50 USD 10 mL vial
    assert "Total purchase value: 1.25 USD" in pdf_text(reports.to_pdf(form106))


def test_inventory_sheet_needs_a_count_and_shows_opening_or_close(clinic_admin, location, vials, devices):
    with pytest.raises(ValidationFailed):
        _build(clinic_admin, "inventory", location)
    lines = {c.label: "10" for c in vials} | {c.label: "0.2" for c in devices}
    services.record_count(ctx_for(clinic_admin), {"location": location.public_id, "timing": "opening", "kind": "biennial", "lines": lines})
    text = pdf_text(reports.to_pdf(_build(clinic_admin, "inventory", location)))
    assert "Biennial inventory taken" in text and "opening of business" in text and vials[0].label in text and "Signature" in text


def test_running_balances(clinic_admin, location, history, vials):
    containers = _build(clinic_admin, "containers", location)
    first = [r for r in containers.rows if r[0] == vials[0].label]
    assert [(r[4], r[7]) for r in first] == [("Received", "500"), ("Drawn", "460"), ("Administered", "460"),
                                              ("Wasted", "460")]
    balances = _build(clinic_admin, "balances", location)
    ketamine = [r for r in balances.rows if r[1] == "00409-2051-05"]
    assert ketamine[-1][7] == "910"  # 1000 received, 40 drawn, 50 lost


def test_reports_are_for_clinic_admins_of_the_location(nurse, outsider, location, vials):
    with pytest.raises(PermissionDenied):
        _build(nurse, "log", location)
    with pytest.raises(NotFound):
        _build(outsider, "log", location)


def test_a_formula_in_a_cell_is_not_run_by_a_spreadsheet(clinic_admin, location, vials):
    services.record_loss(ctx_for(clinic_admin), {"container": vials[0].label, "quantity_ml": "1", "explanation": "=HYPERLINK(\"x\")"})
    body = reports.to_csv(_build(clinic_admin, "form106", location)).decode()
    assert "'=HYPERLINK" in body
