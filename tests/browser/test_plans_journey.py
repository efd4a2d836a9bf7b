"""A prescriber drafts an IV induction plan from the protocol, signs it, and sees the six
infusions on the calendar. Eligibility and consent are set up through the screening services."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ketamine_clinic.plans import scheduling

from tests.support.people import PASSWORD, ctx_for
from tests.support.plans import WEEKDAYS_8_TO_18
from tests.support.screening import make_ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def next_monday() -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=1)
    while day.weekday() != 0:
        day += dt.timedelta(days=1)
    return day


def test_prescriber_creates_and_activates_an_iv_induction_plan_and_sees_six_appointments(
        page, sign_in_as, prescriber, nurse, clinic_admin, patient, location, tmp_path):
    scheduling.set_opening_hours(ctx_for(clinic_admin), location, WEEKDAYS_8_TO_18)
    for name in ("Chair 1", "Chair 2"):
        scheduling.add_resource(ctx_for(clinic_admin), location, {"name": name, "kind": "chair"})
    make_ready(prescriber, nurse, patient, "iv")
    monday = next_monday()

    sign_in_as(page, prescriber.username, PASSWORD)
    page.goto(f"/patients/{patient.public_id}/")
    expect(page.get_by_role("heading", name="Treatment plans and appointments")).to_be_visible()
    page.get_by_role("link", name="New plan").click()

    page.get_by_label("Protocol").select_option("iv-racemic-induction")
    page.get_by_label("Location").select_option(str(location.public_id))
    page.get_by_label("Start date").fill(monday.isoformat())
    page.get_by_label("Preferred time").fill("09:00")
    page.get_by_label("Dose").fill("0.9")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("outside this protocol's allowed range")).to_be_visible()  # refused, with the reason

    page.get_by_label("Dose").fill("")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="IV racemic ketamine, depression: induction series")).to_be_visible()
    expect(page.get_by_text("Screening allows IV infusion")).to_be_visible()
    expect(page.get_by_role("heading", name="Proposed schedule")).to_be_visible()

    page.get_by_role("button", name="Sign and activate").click()
    expect(page.get_by_text(re.compile(r"Plan signed and activated: 6 session\(s\) booked"))).to_be_visible()
    expect(page.locator("tr.appointment")).to_have_count(6)
    page.screenshot(path=str(tmp_path / "plan.png"), full_page=True)

    page.get_by_role("link", name="See on the calendar").click()
    expect(page.get_by_role("heading", name=re.compile("Schedule"))).to_be_visible()
    rows = page.locator("tr.appointment")
    expect(rows).to_have_count(6)
    expect(rows.first).to_contain_text("09:00")
    expect(rows.first).to_contain_text("Avery, Jordan")
    page.screenshot(path=str(tmp_path / "schedule.png"), full_page=True)
