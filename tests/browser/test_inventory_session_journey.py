"""On the session screen a nurse doses from a vial in stock, stops the infusion early, wastes the
rest with a witness through the linked step, and the container's log shows it, in a real browser."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.support.people import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def local(location, minutes_ago: int, now: dt.datetime) -> str:
    """A datetime-local value ``minutes_ago`` before ``now``; one ``now`` per test, so two times a
    test types are exactly that many minutes apart even when a minute turns between them."""
    moment = now.replace(second=0, microsecond=0) - dt.timedelta(minutes=minutes_ago)
    return timezone.localtime(moment, location.tz).strftime("%Y-%m-%dT%H:%M")


def test_nurse_doses_from_a_vial_and_wastes_the_rest_with_a_witness(
        page, sign_in_as, dosing_ready, nurse, prescriber, location, vials):
    session = dosing_ready("iv", checked_in_min_ago=100)
    vial = vials[0]
    now = timezone.now()
    sign_in_as(page, nurse.username, PASSWORD)
    page.goto(f"/sessions/{session.public_id}/")

    dose = page.get_by_role("form", name="Start the dose")
    dose.get_by_label("Container from stock").fill(vial.label)
    dose.get_by_label("Started at").fill(local(location, 60, now))
    dose.get_by_role("button", name="Start infusion").click()
    expect(page.get_by_text("Dosing started: 35.0 mg.")).to_be_visible()
    expect(page.locator("#administration")).to_contain_text(f"lot {vial.lot_number}")
    stock = page.get_by_test_id("stock-draws")
    expect(stock).to_contain_text(f"{vial.label} (Ketamine HCl, lot {vial.lot_number}): drawn 35 mg (0.7 mL)")

    stop = page.get_by_role("form", name="Stop infusion")
    stop.get_by_label("Stopped at").fill(local(location, 40, now))  # 20 of 40 minutes: half the dose given
    stop.get_by_role("button", name="Stop infusion").click()
    expect(page.get_by_test_id("stock-open")).to_contain_text(f"{vial.label}: 17.5 mg (0.35 mL) drawn but not given")
    page.get_by_test_id("stock-open").get_by_role("link", name="Waste or return the rest").click()

    waste = page.locator("form", has=page.get_by_role("button", name="Record waste"))
    waste.get_by_label("Quantity (mg)").fill("17.5")
    waste.get_by_label("Witness (username)").fill(prescriber.username)
    waste.get_by_label("Witness's password or authenticator code").fill(PASSWORD)
    waste.get_by_role("button", name="Record waste").click()
    expect(page.locator("#draw-open")).to_contain_text("0 mg (0 mL)")
    page.get_by_role("link", name="Back to the session").click()
    expect(page.get_by_test_id("stock-open")).to_have_count(0)
    expect(page.get_by_test_id("stock-draws")).to_contain_text("accounted for")

    page.goto(f"/inventory/containers/{vial.public_id}/")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(2)).to_contain_text("Administered")
    expect(rows.nth(2)).to_contain_text("17.5 mg")
    expect(rows.nth(3)).to_contain_text("Wasted")
    expect(rows.nth(3)).to_contain_text(prescriber.name)
