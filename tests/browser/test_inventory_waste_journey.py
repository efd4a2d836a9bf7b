"""A nurse doses from a vial and wastes the remainder with a witness, and the log shows it, in a
real browser."""

import pytest
from playwright.sync_api import expect

from tests.support.people import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nurse_draws_gives_and_wastes_with_a_witness_and_the_log_shows_it(page, sign_in_as, nurse, prescriber, patient, vials):
    vial = vials[0]
    sign_in_as(page, nurse.username, PASSWORD)
    page.goto("/inventory/")
    expect(page.get_by_role("link", name=vial.label).first).to_be_visible()
    page.get_by_role("link", name="Draw for a patient").click()

    page.get_by_label("Container").select_option(vial.label)
    page.get_by_label("Patient MRN").fill(patient.mrn)
    page.get_by_label("Quantity (mL)").fill("0.8")
    page.get_by_role("button", name="Draw").click()
    expect(page.locator("#draw-open")).to_contain_text("40 mg (0.8 mL)")

    give = page.locator("form", has=page.get_by_role("button", name="Record given"))
    give.get_by_label("Given (mg)").fill("35")
    give.get_by_role("button", name="Record given").click()
    expect(page.locator("#draw-open")).to_contain_text("5 mg (0.1 mL)")

    waste = page.locator("form", has=page.get_by_role("button", name="Record waste"))
    waste.get_by_label("Quantity (mg)").fill("5")
    waste.get_by_label("Witness (username)").fill(nurse.username)
    waste.get_by_label("Witness's password or authenticator code").fill(PASSWORD)
    waste.get_by_role("button", name="Record waste").click()
    expect(page.get_by_role("alert").first).to_contain_text("different clinician")

    waste = page.locator("form", has=page.get_by_role("button", name="Record waste"))
    waste.get_by_label("Quantity (mg)").fill("5")
    waste.get_by_label("Witness (username)").fill(prescriber.username)
    waste.get_by_label("Witness's password or authenticator code").fill(PASSWORD)
    waste.get_by_role("button", name="Record waste").click()
    expect(page.locator("#draw-open")).to_contain_text("0 mg (0 mL)")

    page.goto(f"/inventory/containers/{vial.public_id}/")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(1)).to_contain_text("Drawn")
    expect(rows.nth(2)).to_contain_text("Administered")
    expect(rows.nth(2)).to_contain_text("Jordan Avery")
    expect(rows.nth(3)).to_contain_text("Wasted")
    expect(rows.nth(3)).to_contain_text(prescriber.name)
    expect(rows.nth(3)).to_contain_text("460 mg (9.2 mL)")
