"""The Inventory screens: each role sees what it may, forms show the services' field errors and
write nothing when refused."""

import pytest

from ketamine_clinic.inventory.models import Container, Discrepancy, Draw, LedgerEvent

from tests.support.people import PASSWORD

pytestmark = pytest.mark.django_db


def test_clinic_admin_sees_stock_and_every_action(client_for, clinic_admin, vials):
    page = client_for(clinic_admin).get("/inventory/").content.decode()
    assert vials[0].label in page and "Ketamine HCl" in page
    for text in ("Receive", "Transfer", "Count", "Reports", "Destroy, return, loss or theft"):
        assert text in page
    assert "Draw for a patient" not in page


@pytest.mark.parametrize("role", ["front_desk", "therapist"])
def test_front_desk_and_therapists_see_nothing(request, client_for, role, vials):
    client = client_for(request.getfixturevalue(role))
    for path in ("/inventory/", f"/inventory/containers/{vials[0].public_id}/", "/inventory/draw/", "/inventory/count/"):
        response = client.get(path)
        assert response.status_code == 403 and vials[0].label not in response.content.decode()
    assert "/inventory/" not in client.get("/").content.decode()  # not in the navigation either


def test_outsider_gets_404_for_our_container(client_for, outsider, vials):
    assert client_for(outsider).get(f"/inventory/containers/{vials[0].public_id}/").status_code in (403, 404)


def test_receive_form_shows_field_errors_and_writes_nothing(client_for, clinic_admin, location, registration, supplier, ketamine):
    client = client_for(clinic_admin)
    response = client.post("/inventory/receive/", {"location": location.public_id, "supplier": supplier.public_id,
                                                    "product": ketamine.public_id, "invoice_number": "I-1", "received_on": "2026-01-02",
                                                    "lot_number": "L", "expiry_date": "2025-01-01", "container_count": "2"})
    assert response.status_code == 200 and "already expired" in response.content.decode()
    assert not Container.objects.exists()
    response = client.post("/inventory/receive/", {"location": location.public_id, "supplier": supplier.public_id,
                                                    "product": ketamine.public_id, "invoice_number": "I-1", "received_on": "2026-01-02",
                                                    "lot_number": "L", "expiry_date": "2029-01-01", "container_count": "2"})
    assert response.status_code == 302 and Container.objects.count() == 2
    receipt_page = client.get(response["Location"]).content.decode()
    labels = [c.label for c in Container.objects.all()]
    assert all(label in receipt_page for label in labels)
    pdf = client.get(response["Location"] + "?pdf=1")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert all(f"({label}) Tj".encode() in pdf.content for label in labels)  # each label's id is printed


def test_nurse_draws_gives_and_wastes_through_the_pages(client_for, nurse, prescriber, patient, vials):
    client = client_for(nurse)
    response = client.post("/inventory/draw/", {"container": vials[0].label, "patient": patient.mrn, "quantity_ml": "0.8"})
    assert response.status_code == 302, response.content.decode()
    drawn = Draw.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "40 mg (0.8 mL)" in page and "Jordan Avery" in page
    client.post(response["Location"], {"action": "administer", "quantity_mg": "35"})
    refused = client.post(response["Location"], {"action": "waste", "waste-quantity_mg": "5", "waste-witness": prescriber.username,
                                                 "waste-witness_secret": "nope"})
    assert "not correct" in refused.content.decode()
    client.post(response["Location"], {"action": "waste", "waste-quantity_mg": "5", "waste-witness": prescriber.username,
                                       "waste-witness_secret": PASSWORD})
    assert [e.event_type for e in LedgerEvent.objects.filter(draw=drawn)] == ["administer", "waste"]
    log = client.get(f"/inventory/containers/{vials[0].public_id}/").content.decode()
    assert "Wasted" in log and prescriber.name in log
    assert "Beyond use after" in log and "28 days after opening: clinic policy" in log


def test_count_page_opens_a_discrepancy_and_the_admin_resolves_it(client_for, clinic_admin, location, vials):
    client = client_for(clinic_admin)
    data = {"location": location.public_id, "timing": "close", "kind": "routine", f"count-{vials[0].label}": "9.9",
            f"count-{vials[1].label}": "10"}
    assert client.post("/inventory/count/", data).status_code == 302
    case = Discrepancy.objects.get()
    assert case.container == vials[0]
    page = client.post(f"/inventory/discrepancies/{case.public_id}/", {"explanation": ""})
    assert page.status_code == 200 and "Enter the explanation" in page.content.decode()
    client.post(f"/inventory/discrepancies/{case.public_id}/", {"explanation": "Spilled while measuring", "judged_significant": "on"})
    index = client.get("/inventory/").content.decode()
    assert "DEA deadlines" in index and "Form 106" in index


def test_reports_page_downloads_a_pdf(client_for, clinic_admin, location, vials):
    client = client_for(clinic_admin)
    assert client.get("/inventory/reports/").status_code == 200
    response = client.get("/inventory/reports/", {"report": "balances", "location": location.public_id, "start": "2026-01-01",
                                                   "end": "2027-01-31", "format": "pdf"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
