"""The inventory API: the same services over JSON, with declared errors and nothing written on a refusal."""

from decimal import Decimal

import pytest

from ketamine_clinic.inventory.models import LedgerEvent

from tests.support.people import PASSWORD
from tests.support.inventory import CLINIC_DEA

pytestmark = pytest.mark.django_db


def _post(client, path, body):
    return client.post(f"/api/v1/inventory{path}", body, content_type="application/json")


def test_receive_draw_administer_and_waste_over_the_api(client_for, client, clinic_admin, nurse, prescriber, patient, location,
                                                        supplier, ketamine):
    admin = client_for(clinic_admin)
    assert _post(admin, "/registrations", {"location": str(location.public_id), "registrant_name": "Test Clinic PC",
                                           "dea_number": CLINIC_DEA}).status_code == 200
    received = _post(admin, "/receipts", {"location": str(location.public_id), "supplier": str(supplier.public_id),
                                          "product": str(ketamine.public_id), "invoice_number": "INV-7", "received_on": "2026-01-05",
                                          "lot_number": "L1", "expiry_date": "2030-01-01", "container_count": 1})
    assert received.status_code == 201, received.content
    label = received.json()["containers"][0]["label"]
    assert received.json()["containers"][0]["balance"] == {"mg": "500.0000", "ml": "10.000"}

    nurse_client = client_for(nurse)
    drawn = _post(nurse_client, "/draws", {"container": label, "patient": str(patient.public_id), "quantity_ml": "0.8"})
    assert drawn.status_code == 201, drawn.content
    draw_id = drawn.json()["id"]
    given = _post(nurse_client, f"/draws/{draw_id}/administer", {"quantity_mg": "35"})
    assert given.status_code == 201 and given.json()["patient_name"] == "Jordan Avery"
    refused = _post(nurse_client, f"/draws/{draw_id}/waste", {"quantity_mg": "5", "witness": nurse.username, "witness_secret": PASSWORD})
    assert refused.status_code == 422 and "different clinician" in refused.json()["errors"]["witness"][0]
    wasted = _post(nurse_client, f"/draws/{draw_id}/waste", {"quantity_mg": "5", "witness": prescriber.username,
                                                             "witness_secret": PASSWORD})
    assert wasted.status_code == 201 and wasted.json()["witness"] == prescriber.name
    assert nurse_client.get(f"/api/v1/inventory/draws/{draw_id}").json()["open"] == {"mg": "0.0000", "ml": "0.0000"}

    detail = nurse_client.get(f"/api/v1/inventory/containers/{received.json()['containers'][0]['id']}").json()
    assert [e["event_type"] for e in detail["history"]] == ["receive", "draw", "administer", "waste"]
    assert detail["balance"]["mg"] == "460.0000"
    stock = nurse_client.get("/api/v1/inventory/stock").json()
    assert stock == [{"location": "Main", "product": "Ketamine HCl", "ndc": "00409-2051-05", "containers": 1,
                      "balance": {"mg": "460.0000", "ml": "9.2000"}}]


@pytest.mark.parametrize("body, field", [
    ({"quantity_mg": "-1"}, "quantity_mg"),
    ({"quantity_mg": "1.00001"}, "quantity_mg"),
    ({"quantity_mg": "abc"}, "quantity_mg"),
    ({"quantity_mg": "600"}, "quantity_mg"),
    ({}, "quantity_mg"),
])
def test_bad_draw_quantities_are_422_with_the_field_and_write_nothing(client_for, nurse, patient, vials, body, field):
    before = LedgerEvent.objects.count()
    response = _post(client_for(nurse), "/draws", {"container": vials[0].label, "patient": str(patient.public_id), **body})
    assert response.status_code == 422 and field in response.json()["errors"], response.content
    assert LedgerEvent.objects.count() == before


@pytest.mark.parametrize("role", ["front_desk", "therapist"])
def test_front_desk_and_therapists_see_nothing(request, client_for, role, vials):
    client = client_for(request.getfixturevalue(role))
    for path in ("/stock", "/containers", f"/containers/{vials[0].public_id}", "/products", "/deadlines"):
        assert client.get(f"/api/v1/inventory{path}").status_code == 403


def test_the_outsider_gets_404_for_our_container_and_a_field_error_for_our_location(client_for, outsider, vials, location):
    client = client_for(outsider)
    assert client.get(f"/api/v1/inventory/containers/{vials[0].public_id}").status_code == 404
    assert client.get("/api/v1/inventory/containers").json() == []
    response = _post(client, "/transfers", {"container": vials[0].label, "to_location": str(location.public_id)})
    assert response.status_code == 422
    assert LedgerEvent.objects.filter(event_type="transfer_in").count() == 0


def test_count_and_resolve_over_the_api(client_for, clinic_admin, location, vials):
    admin = client_for(clinic_admin)
    lines = {vials[0].label: {"counted_ml": "9.5"}, str(vials[1].public_id): {"counted_ml": "10", "estimated": True}}
    counted = _post(admin, "/counts", {"location": str(location.public_id), "timing": "opening", "lines": lines})
    assert counted.status_code == 201 and counted.json()["discrepancies"] == 1
    case = admin.get("/api/v1/inventory/discrepancies").json()[0]
    assert case["difference"] == {"mg": "-25.0000", "ml": "-0.5000"}
    resolved = _post(admin, f"/discrepancies/{case['id']}/resolve", {"explanation": "Unexplained", "judged_significant": True})
    assert resolved.status_code == 200 and resolved.json()["must_report"]
    deadlines = admin.get("/api/v1/inventory/deadlines").json()
    assert sorted(d["kind"] for d in deadlines) == ["form_106", "written_notice"]
    done = _post(admin, f"/deadlines/{deadlines[0]['id']}/done", {"note": "Faxed"})
    assert done.status_code == 200 and done.json()["done_at"]


def test_reports_are_for_clinic_admins_as_csv(client_for, clinic_admin, nurse, location, vials):
    params = f"location={location.public_id}&start=2026-01-01&end=2027-12-31&format=csv"
    assert client_for(nurse).get(f"/api/v1/inventory/reports/log?{params}").status_code == 403
    response = client_for(clinic_admin).get(f"/api/v1/inventory/reports/log?{params}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert vials[0].label in response.content.decode()
    assert client_for(clinic_admin).get(f"/api/v1/inventory/reports/nope?{params}").status_code == 404
    bad = client_for(clinic_admin).get(f"/api/v1/inventory/reports/log?{params.replace('csv', 'docx')}")
    assert bad.status_code == 422 and "format" in bad.json()["errors"]
    assert Decimal("1")  # quantities stay Decimal end to end (see test_services)
