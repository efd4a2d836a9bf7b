"""The dose drawn into the syringe is shown next to the dose ordered and given, in a real browser."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.treatments import services

from tests.support.people import PASSWORD, ctx_for
from tests.support.screening import make_ready
from tests.support.treatments import ORDERS, clear_checklist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def local(location, minutes_ago: int) -> str:
    moment = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return timezone.localtime(moment, location.tz).strftime("%Y-%m-%dT%H:%M")


def test_nurse_sees_the_drawn_dose_when_the_syringe_cannot_hold_the_order(
        page, sign_in_as, nurse, prescriber, clinic_admin, patient, location):
    make_ready(prescriber, nurse, patient, "iv")
    order = dict(ORDERS["iv"], dose_unit="mg", dose_amount="42", location=str(location.public_id),
                 ordered_by=str(prescriber.public_id), indication="depression",
                 checked_in_at=(timezone.now() - dt.timedelta(minutes=60)).isoformat())
    session = clear_checklist(nurse, services.start_session(ctx_for(nurse), patient, order),
                              vitals_at=(timezone.now() - dt.timedelta(minutes=55)).isoformat())
    sign_in_as(page, nurse.username, PASSWORD)

    # The clinic's 1 mL syringe (0.01 mL steps, the default) holds 42 mg of 50 mg/mL exactly.
    page.goto(f"/sessions/{session.public_id}/")
    expect(page.get_by_test_id("drawn")).to_contain_text("0.84 mL = 42 mg (0.600 mg/kg)")
    expect(page.get_by_test_id("drawn-differs")).to_have_count(0)

    # With 0.1 mL steps it holds 40 mg: the screen says so, in mg and mg/kg.
    change_setting(ctx_for(clinic_admin), "session.dose.volume_increment_ml", "0.1", "3 mL syringes this month")
    page.reload()
    expect(page.get_by_test_id("drawn")).to_contain_text("0.8 mL = 40 mg (0.571 mg/kg)")
    expect(page.get_by_test_id("drawn-differs")).to_contain_text("Drawn dose 40 mg differs from the 42.0 mg ordered")
    expect(page.get_by_test_id("guardrail")).to_contain_text("within limits")

    dose = page.get_by_role("form", name="Start the dose")
    dose.get_by_label("Lot number").fill("KX2231")
    dose.get_by_label("Expiry date").fill((dt.date.today() + dt.timedelta(days=200)).isoformat())
    dose.get_by_label("Started at").fill(local(location, 50))
    dose.get_by_role("button", name="Start infusion").click()
    expect(page.get_by_test_id("given")).to_contain_text("of 40 mg drawn (0.8 mL) · 42.0 mg ordered")
