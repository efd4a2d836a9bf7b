"""Issue 16 in a real browser: from a finished infusion to a paid invoice. The biller proposes the
lines from the session record and finalizes them; the front desk issues the invoice and records the
payment; the balance is zero and the receipt is listed."""

import pytest
from playwright.sync_api import expect

from ketamine_clinic.patients.services import add_subrecord

from tests.support.billing import discharged_infusion
from tests.support.people import PASSWORD, ctx_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finished_session_to_paid_invoice(page, sign_in_as, dosing_ready, nurse, prescriber, biller, front_desk, patient,
                                          billing_setup):
    add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": "F33.2"})
    session = discharged_infusion(dosing_ready, nurse, started=110, stopped=70)

    sign_in_as(page, biller.username, PASSWORD)
    page.get_by_role("link", name="Billing").click()
    queue = page.get_by_test_id("sessions-to-code")
    expect(queue).to_contain_text("Avery")
    queue.get_by_role("button", name="Propose lines").click()
    lines = page.get_by_test_id("lines")
    expect(lines).to_contain_text("96365")
    expect(lines).to_contain_text("J3490")
    expect(page.get_by_test_id("visit-total")).to_have_text("$520.00")
    page.get_by_test_id("finalize").click()
    expect(page.get_by_test_id("visit-status")).to_have_text("Finalized")
    visit_url = page.url
    page.get_by_role("button", name="Sign out").click()

    sign_in_as(page, front_desk.username, PASSWORD)
    page.goto(visit_url)
    page.get_by_test_id("issue-invoice").click()
    expect(page.get_by_test_id("invoice-balance")).to_have_text("$520.00")
    page.get_by_label("Method").select_option("hsa_fsa")
    page.get_by_label("Amount (USD)").fill("600")
    page.get_by_label("Terminal reference or check number").fill("TERM-77")
    page.get_by_test_id("record-payment").click()
    expect(page.get_by_test_id("billing-errors")).to_contain_text("More than the balance")
    page.get_by_label("Amount (USD)").fill("520.00")
    page.get_by_test_id("record-payment").click()
    expect(page.get_by_test_id("invoice-balance")).to_have_text("$0.00")
    expect(page.get_by_test_id("ledger")).to_contain_text("TERM-77")
    assert session.billable_visit.invoice.entries.count() == 1
