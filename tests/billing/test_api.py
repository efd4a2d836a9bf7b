"""The billing REST API: a completed session coded, finalized, invoiced and paid; bad input is a
field error with nothing written; other roles and the outsider clinic are refused."""

import pytest

from ketamine_clinic.billing.models import BillableVisit, FeeSchedule, LedgerEntry

from tests.support.billing import FEES

pytestmark = pytest.mark.django_db


def fee_items():
    items = []
    for line in FEES.split("\n"):
        if line.strip():
            parts = line.split()
            code, _, mod = parts[0].partition("-")
            items.append({"code": code, "modifier": mod, "price_usd": parts[1], "ndc": parts[2] if len(parts) > 2 else ""})
    return items


def test_session_to_paid_invoice_through_the_api(api, biller, front_desk, prescriber, session_done, diagnosed):
    r = api(biller, "post", "/billing/practice", {"legal_name": "Test Clinic PLLC", "tin": "123456789",
                                                  "address": "1 Main St", "phone": "555"})
    assert r.status_code == 201
    r = api(biller, "post", f"/billing/providers/{prescriber.public_id}/numbers",
            {"npi": "1588667638", "license_number": "MD-1", "license_state": "NY"})
    assert r.status_code == 201
    r = api(biller, "post", "/billing/fee-schedules", {"effective_from": "2020-01-01", "reason": "Prices", "items": fee_items()})
    assert r.status_code == 201 and r.json()["version"] == 1
    r = api(front_desk, "post", f"/patients/{diagnosed.public_id}/coverage", {"kind": "self_pay", "effective_from": "2020-01-01"})
    assert r.status_code == 201
    session = session_done("iv", minutes=105)
    r = api(biller, "post", f"/billing/sessions/{session.public_id}/visit", {})
    assert r.status_code == 200, r.json()
    visit = r.json()
    assert [ln["code"] for ln in visit["lines"]] == ["96365", "96366", "J3490"] and visit["total_usd"] == "670.00"
    line = visit["lines"][1]
    r = api(biller, "post", f"/billing/lines/{line['id']}/edit", {"version": visit["version"], "code": "96366", "units": "1.5",
                                                                   "diagnosis_pointers": "Z", "reason": ""})
    assert r.status_code == 422 and set(r.json()["errors"]) == {"units", "diagnosis_pointers", "reason"}
    r = api(biller, "post", f"/billing/visits/{visit['id']}/finalize", {"version": visit["version"]})
    assert r.status_code == 200 and r.json()["status"] == "finalized"
    r = api(front_desk, "post", f"/billing/visits/{visit['id']}/invoice", {})
    assert r.status_code == 201
    invoice = r.json()
    r = api(front_desk, "post", f"/billing/invoices/{invoice['id']}/payments", {"method": "cash", "amount_usd": 12.345})
    assert r.status_code == 422 and "2 decimal" in r.json()["errors"]["amount_usd"][0]
    r = api(front_desk, "post", f"/billing/invoices/{invoice['id']}/payments", {"method": "cash", "amount_usd": "700.00"})
    assert r.status_code == 422 and "More than the balance" in r.json()["errors"]["amount_usd"][0]
    assert LedgerEntry.objects.count() == 0
    r = api(front_desk, "post", f"/billing/invoices/{invoice['id']}/payments", {"method": "cash", "amount_usd": "670.00"})
    assert r.status_code == 201 and r.json()["receipt_number"]
    r = api(front_desk, "get", f"/patients/{diagnosed.public_id}/balance")
    assert r.json()["balance_usd"] == "0.00" and r.json()["invoices"][0]["paid_usd"] == "670.00"


def test_negative_price_is_a_field_error(api, biller):
    r = api(biller, "post", "/billing/fee-schedules", {"effective_from": "2026-01-01", "reason": "x",
                                                       "items": [{"code": "96365", "price_usd": "-1"}]})
    assert r.status_code == 422 and "negative" in r.json()["errors"]["items"][0]
    assert FeeSchedule.objects.count() == 0


def test_roles_and_the_outsider(api, nurse, front_desk, outsider, session_done, billing_setup):
    session = session_done("iv")
    assert api(nurse, "post", f"/billing/sessions/{session.public_id}/visit", {}).status_code == 403
    assert api(front_desk, "post", f"/billing/sessions/{session.public_id}/visit", {}).status_code == 403
    assert api(outsider, "post", f"/billing/sessions/{session.public_id}/visit", {}).status_code == 404
    assert api(nurse, "get", "/billing/codes").status_code == 200  # clinical roles see codes
    assert BillableVisit.objects.count() == 0


def test_codes_carry_rules_sources_and_verify_marks(api, biller):
    codes = {c["code"]: c for c in api(biller, "get", "/billing/codes").json()}
    assert codes["96366"]["rule"].startswith("Only when more than 30 min") and codes["0820T"]["verify"] is True
    assert codes["99417"]["max_units"] == 4
