"""The billing pages: the queue, a visit, an invoice, a patient's page, setup, PDFs, CSV and the
portal. Bad input re-renders with the message (4xx) and writes nothing; roles and the outsider."""

import pytest

from ketamine_clinic.billing import services
from ketamine_clinic.billing.models import Coverage, FeeSchedule, LedgerEntry

from tests.support.billing import pdf_text
from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


def test_biller_codes_finalizes_and_front_desk_collects_through_the_pages(client_for, biller, front_desk, session_done,
                                                                         billing_setup, diagnosed):
    session = session_done("iv", minutes=40)
    c = client_for(biller)
    page = c.get("/billing/")
    assert page.status_code == 200 and diagnosed.display_name in page.content.decode()
    r = c.post(f"/billing/sessions/{session.public_id}/propose/")
    visit = session.billable_visit
    assert r.status_code == 302 and r["Location"].endswith(f"/billing/visits/{visit.public_id}/")
    body = c.get(r["Location"]).content.decode()
    assert "96365" in body and "J3490" in body and "$520.00" in body
    line = visit.active_lines().first()
    r = c.post(f"/billing/visits/{visit.public_id}/lines/{line.public_id}/edit/",
               {"version": visit.version, "code": "96365", "units": "0.5", "diagnosis_pointers": "A", "reason": "x"})
    assert r.status_code == 422 and "whole units" in r.content.decode()
    r = c.post(f"/billing/visits/{visit.public_id}/finalize/", {"version": visit.version})
    assert r.status_code == 302
    c = client_for(front_desk)
    r = c.post(f"/billing/visits/{visit.public_id}/invoice/")
    assert r.status_code == 302
    invoice = visit.invoice
    r = c.post(f"/billing/invoices/{invoice.public_id}/payment/", {"method": "cash", "amount_usd": "1000"})
    assert r.status_code == 422 and "More than the balance" in r.content.decode()
    assert LedgerEntry.objects.count() == 0
    r = c.post(f"/billing/invoices/{invoice.public_id}/payment/", {"method": "cash", "amount_usd": "520.00"})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert "$0.00" in page and "receipt R" in page
    entry = LedgerEntry.objects.get()
    assert c.get(f"/billing/invoices/{invoice.public_id}/receipts/{entry.receipt_number}/").status_code == 200
    csv = c.get("/billing/ar-ageing.csv")
    assert csv.status_code == 200 and csv.content.decode().startswith("invoice,patient")


def test_nurse_sees_codes_but_not_money(client_for, nurse, biller, finalized_visit, front_desk):
    visit = finalized_visit()
    invoice = services.issue_invoice(ctx_for(front_desk), visit)
    c = client_for(nurse)
    assert c.get(f"/billing/visits/{visit.public_id}/").status_code == 200
    page = c.get("/billing/").content.decode()
    assert "Accounts receivable" not in page
    assert c.get(f"/billing/invoices/{invoice.public_id}/").status_code == 403
    assert c.get("/billing/ar-ageing.csv").status_code == 403
    assert c.post(f"/billing/visits/{visit.public_id}/finalize/", {"version": 1}).status_code == 403


def test_outsider_gets_404_everywhere(client_for, outsider, finalized_visit, front_desk, diagnosed):
    visit = finalized_visit()
    invoice = services.issue_invoice(ctx_for(front_desk), visit)
    c = client_for(outsider)
    for url in (f"/billing/visits/{visit.public_id}/", f"/billing/invoices/{invoice.public_id}/",
                f"/billing/patients/{diagnosed.public_id}/", f"/billing/patients/{diagnosed.public_id}/superbill.pdf"):
        assert c.get(url).status_code == 404, url
    assert c.post(f"/billing/invoices/{invoice.public_id}/payment/", {"method": "cash", "amount_usd": "1"}).status_code == 404


def test_patient_page_bad_coverage_is_422_and_nothing_written(client_for, front_desk, patient):
    c = client_for(front_desk)
    r = c.post(f"/billing/patients/{patient.public_id}/coverage/", {"kind": "commercial", "effective_from": "2026-01-01"})
    assert r.status_code == 422 and "The payer is required" in r.content.decode()
    assert Coverage.objects.count() == 0
    r = c.post(f"/billing/patients/{patient.public_id}/coverage/", {"kind": "self_pay", "effective_from": "2026-01-01"})
    assert r.status_code == 302 and Coverage.objects.get().is_self_pay


def test_setup_fee_schedule_negative_price_is_a_field_error(client_for, biller, front_desk):
    c = client_for(biller)
    r = c.post("/billing/setup/fees/", {"effective_from": "2026-01-01", "reason": "Prices", "lines": "96365 -5"})
    assert r.status_code == 422 and "negative" in r.content.decode()
    assert FeeSchedule.objects.count() == 0
    assert client_for(front_desk).post("/billing/setup/fees/", {}).status_code == 403
    page = c.get("/billing/setup/").content.decode()
    assert "No prices yet" in page and "0820T" in page


def test_pdfs_and_the_portal(client_for, biller, front_desk, finalized_visit, diagnosed, portal_user, prescriber):
    visit = finalized_visit()
    services.issue_invoice(ctx_for(front_desk), visit)
    est = services.issue_estimate(ctx_for(biller), diagnosed, {"extra_items": [{"code": "96365", "quantity": 6}],
                                                               "provider": str(prescriber.public_id)})
    c = client_for(biller)
    r = c.get(f"/billing/estimates/{est.public_id}.pdf")
    assert r["Content-Type"] == "application/pdf" and "Good Faith Estimate" in pdf_text(r.content)
    r = c.get(f"/billing/patients/{diagnosed.public_id}/superbill.pdf")
    assert "Superbill" in pdf_text(r.content)
    p = client_for(portal_user)
    page = p.get("/billing/portal/").content.decode()
    assert "$520.00" in page and "Estimate version 1" in page
    assert "Good Faith Estimate" in pdf_text(p.get(f"/billing/portal/estimates/{est.public_id}.pdf").content)
    assert "96365" in pdf_text(p.get("/billing/portal/superbill.pdf").content)
    assert p.get("/billing/").status_code in (302, 403)  # a patient never reaches the staff pages
