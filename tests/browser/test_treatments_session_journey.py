"""A nurse runs a whole IV session from check-in to discharge in a real browser, and a blood-pressure
alert appears on the chair board without a reload."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ketamine_clinic.patients.models import TimelineEvent
from ketamine_clinic.treatments.models import SessionStatus, TreatmentSession

from tests.support.people import PASSWORD
from tests.support.screening import make_ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def local(location, minutes_ago: int) -> str:
    moment = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return timezone.localtime(moment, location.tz).strftime("%Y-%m-%dT%H:%M")


def test_nurse_runs_an_iv_session_from_check_in_to_discharge(page, sign_in_as, nurse, prescriber, patient, location, tmp_path):
    make_ready(prescriber, nurse, patient, "iv")
    patient.measurements.update(measured_on=dt.date.today() - dt.timedelta(days=7))  # not weighed today yet
    sign_in_as(page, nurse.username, PASSWORD)

    # Check in from the chart with the order.
    page.goto(f"/patients/{patient.public_id}/")
    page.get_by_role("link", name="Check in for a session").click()
    page.get_by_label("Route").select_option("iv")  # nothing is preselected: the nurse chooses
    page.get_by_label("Dose unit").select_option("mg/kg")
    page.get_by_label("Ordered dose").fill("0.5")
    page.get_by_label("Infusion duration (min)").fill("40")
    page.get_by_label("Bag / syringe volume (mL)").fill("100")
    page.get_by_label("Product").fill("Ketamine HCl 50 mg/mL vial")
    page.get_by_label("Concentration (mg/mL)").fill("50")
    page.get_by_label("Ordered by (prescriber)").select_option(str(prescriber.public_id))
    page.get_by_label("Checked in at").fill(local(location, 130))
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Session — Avery, Jordan"))).to_be_visible()
    expect(page.get_by_test_id("may-dose")).to_contain_text("Dosing blocked")
    page.screenshot(path=str(tmp_path / "session-checklist.png"), full_page=True)
    session = TreatmentSession.objects.get()

    # The pre-dose checklist, item by item.
    checklist = page.get_by_role("form", name="Checklist facts")
    checklist.get_by_label("Today's weight (kg)").fill("70")
    checklist.get_by_label("Last food").fill(local(location, 360))
    checklist.get_by_label("Last liquids").fill(local(location, 200))
    checklist.get_by_label("Ride home confirmed").select_option("yes")
    checklist.get_by_label("PHQ-9 deferred because").fill("Completed on paper in the waiting room")
    checklist.get_by_label("C-SSRS deferred because").fill("Screened verbally: no ideation")
    checklist.get_by_role("button", name="Save checklist").click()
    expect(page.get_by_text("Checklist saved.")).to_be_visible()
    expect(page.get_by_test_id("check-blood_pressure")).to_contain_text("Hard stop")

    vitals = page.get_by_role("form", name="Record vitals")
    vitals.get_by_label("Taken at").fill(local(location, 125))
    for label, value in (("Systolic (mmHg)", "124"), ("Diastolic (mmHg)", "78"), ("Heart rate (/min)", "72"),
                         ("SpO2 (%)", "98"), ("Respiratory rate (/min)", "14")):
        vitals.get_by_label(label).fill(value)
    vitals.get_by_role("button", name="Record vitals").click()
    expect(page.get_by_test_id("may-dose")).to_have_text("Clear to dose")

    # The dose: computed from the order and today's weight.
    plan = page.get_by_test_id("dose-plan")
    expect(plan).to_contain_text("35.0 mg")
    expect(plan).to_contain_text("0.70 mL")
    expect(plan).to_contain_text("150.0 mL/h")
    dose = page.get_by_role("form", name="Start the dose")
    dose.get_by_label("Lot number").fill("KX2231")
    dose.get_by_label("Expiry date").fill((dt.date.today() + dt.timedelta(days=200)).isoformat())
    dose.get_by_label("Started at").fill(local(location, 120))
    dose.get_by_role("button", name="Start infusion").click()
    expect(page.get_by_text("Dosing started: 35.0 mg.")).to_be_visible()
    expect(page.get_by_test_id("session-status")).to_have_text("Dosing")
    page.screenshot(path=str(tmp_path / "session-dosing.png"), full_page=True)

    # The chair board, open in a second tab, shows the patient in the chair.
    board = page.context.new_page()
    board.goto(f"/sessions/board/{location.public_id}/")
    row = board.get_by_test_id(f"board-row-{session.public_id}")
    expect(row).to_contain_text("Avery, Jordan")
    expect(row).to_contain_text("none")
    board.evaluate("window.__not_reloaded = true")

    # A high blood pressure during the infusion raises an alert...
    vitals = page.get_by_role("form", name="Record vitals")
    vitals.get_by_label("Systolic (mmHg)").fill("192")
    vitals.get_by_label("Diastolic (mmHg)").fill("104")
    vitals.get_by_label("Heart rate (/min)").fill("88")
    vitals.get_by_role("button", name="Record vitals").click()
    expect(page.get_by_text("Vitals recorded — 1 alert raised.")).to_be_visible()
    # ...which appears on the board by itself (polling), without a reload.
    expect(row.locator("[data-alert-id]")).to_contain_text("BP 192/104 mmHg: systolic is above the clinic alert limit", timeout=15000)
    # ...and is announced once, visibly and to screen readers, through the board's one live region.
    announcer = board.get_by_test_id("board-announcer")
    expect(announcer).to_have_attribute("aria-live", "assertive")
    expect(announcer).to_contain_text("New alert")
    expect(announcer).to_contain_text("Avery, Jordan: BP 192/104 mmHg")
    assert board.evaluate("window.__not_reloaded") is True
    board.screenshot(path=str(tmp_path / "board.png"), full_page=True)

    page.get_by_label("Action taken").fill("Infusion slowed, prescriber informed; recheck in 5 min")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Alert acknowledged.")).to_be_visible()
    expect(row.locator("[data-alert-id]")).to_have_count(0, timeout=15000)

    # Stop the infusion; observation begins.
    stop = page.get_by_role("form", name="Stop infusion")
    stop.get_by_label("Stopped at").fill(local(location, 80))
    stop.get_by_role("button", name="Stop infusion").click()
    expect(page.get_by_text("Dosing stopped; observation has begun.")).to_be_visible()

    vitals = page.get_by_role("form", name="Record vitals")
    for label, value in (("Systolic (mmHg)", "128"), ("Diastolic (mmHg)", "80"), ("Heart rate (/min)", "70"),
                         ("SpO2 (%)", "98"), ("Respiratory rate (/min)", "14")):
        vitals.get_by_label(label).fill(value)
    vitals.get_by_role("button", name="Record vitals").click()

    page.screenshot(path=str(tmp_path / "session-observing.png"), full_page=True)
    # Discharge: a low PADSS is refused with the reason; then the patient goes home.
    form = page.get_by_role("form", name="Discharge")
    for label in ("vital signs", "activity and mental status", "pain, nausea, vomiting", "bleeding"):
        form.get_by_label(f"PADSS: {label} (0–2)").fill("2")
    form.get_by_label("PADSS: intake and output (0–2)").fill("0")
    form.get_by_label("Escort present").check()
    form.get_by_label("I judge the patient ready to leave").check()
    form.get_by_role("button", name="Discharge").click()
    expect(page.get_by_text("PADSS 8/10; 9 or more is needed")).to_be_visible()
    form = page.get_by_role("form", name="Discharge")
    expect(form.get_by_label("PADSS: bleeding (0–2)")).to_have_value("2")  # the entry was kept
    form.get_by_label("PADSS: intake and output (0–2)").fill("1")
    form.get_by_label("Escort present").check()
    form.get_by_label("I judge the patient ready to leave").check()
    form.get_by_role("button", name="Discharge").click()
    expect(page.get_by_text("Discharged. Print the discharge instructions")).to_be_visible()
    session.refresh_from_db()
    assert session.status == SessionStatus.DISCHARGED and session.discharged_by == nurse

    page.get_by_role("link", name="Printable discharge instructions").click()
    expect(page.get_by_text("Do not drive or operate machinery for 24 hours.")).to_be_visible()
    expect(row).to_have_count(0, timeout=15000)  # the board empties by itself too

    page.goto(f"/patients/{patient.public_id}/")
    expect(page.get_by_text(re.compile(r"Session: IV infusion \(racemic ketamine\); .*mg given"))).to_be_visible()
    assert TimelineEvent.objects.filter(patient=patient, kind="session", summary__contains="PADSS 9/10").exists()


def test_an_entry_in_progress_survives_a_closed_tab(page, sign_in_as, nurse, prescriber, patient, location):
    from ketamine_clinic.audit.services import Context
    from ketamine_clinic.treatments import services

    session = services.start_session(Context(user=nurse), patient, {
        "location": str(location.public_id), "route": "iv", "dose_unit": "mg/kg", "dose_amount": "0.5",
        "infusion_minutes": 40, "product_name": "Ketamine HCl 50 mg/mL vial", "concentration_mg_per_ml": "50",
        "ordered_by": str(prescriber.public_id)})
    sign_in_as(page, nurse.username, PASSWORD)
    page.goto(f"/sessions/{session.public_id}/")
    vitals = page.get_by_role("form", name="Record vitals")
    with page.expect_response(lambda r: "/drafts/vitals/" in r.url and r.status == 204):
        vitals.get_by_label("Systolic (mmHg)").fill("133")
    context = page.context
    page.close()  # the tab is closed before the entry is submitted

    again = context.new_page()
    again.goto(f"/sessions/{session.public_id}/")
    expect(again.get_by_text("Restored your unsaved entry")).to_be_visible()
    expect(again.get_by_role("form", name="Record vitals").get_by_label("Systolic (mmHg)")).to_have_value("133")
