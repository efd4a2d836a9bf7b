"""The session screen and the chair board on a tablet (1024×768 landscape, 768×1024 portrait): no
sideways scrolling, the current step open and on screen without scrolling past other steps, the
next vitals at the top, and a due PHQ-9 one tap away from being completed."""

import pytest
from playwright.sync_api import expect

from ketamine_clinic.treatments import facts, services

from tests.support.people import PASSWORD, ctx_for
from tests.support.screening import make_ready
from tests.support.treatments import ORDERS, ago, clear_checklist, lot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def assert_current_step_on_screen(page, key, height):
    step = page.locator(f"#step-{key}")
    expect(step).to_have_attribute("open", "")
    expect(step.locator(":scope > summary")).to_contain_text("Current step")
    top = step.bounding_box()["y"]
    assert top < height - 120, f"the current step starts at {top}px of a {height}px screen"
    # Every step above it is collapsed: nothing to scroll past.
    before = page.evaluate(f"""() => {{ const out = []; for (const d of document.querySelectorAll("details.step")) {{
        if (d.id === "step-{key}") break; out.push(d.open); }} return out; }}""")
    assert not any(before)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


@pytest.mark.parametrize("width, height, route", [(1024, 768, "iv"), (768, 1024, "iv"), (768, 1024, "esketamine_nasal")])
def test_the_session_screen_fits_a_tablet_step_by_step(page, sign_in_as, nurse, prescriber, patient, location, width, height,
                                                       route):
    make_ready(prescriber, nurse, patient, route)
    session = services.start_session(ctx_for(nurse), patient, dict(
        ORDERS[route], location=str(location.public_id), ordered_by=str(prescriber.public_id), checked_in_at=ago(60)))
    patient.measurements.update(measured_on=facts.local_date(session, session.checked_in_at))  # weighed at the front desk today
    page.set_viewport_size({"width": width, "height": height})
    sign_in_as(page, nurse.username, PASSWORD)

    page.goto(f"/sessions/{session.public_id}/")
    assert_current_step_on_screen(page, "checkin", height)
    expect(page.get_by_test_id("next-vitals")).to_contain_text("Before dosing: not recorded yet")
    if route == "iv":  # mg/kg: today's charted weight is reused, no weight field to fill
        expect(page.get_by_test_id("chart-weight")).to_contain_text("70.0 kg")
        expect(page.get_by_role("form", name="Checklist facts").get_by_label("Today's weight (kg)")).to_have_count(0)
    page.get_by_test_id("complete-phq9").get_by_role("link").click()
    expect(page.get_by_role("button", name="Submit", exact=True)).to_be_visible()
    assert f"/assessments/patients/{patient.public_id}/enter/phq9/" in page.url

    # Dosing: the check-in collapses; the dose (pump, stop) is the current step, monitoring open below it.
    session = clear_checklist(nurse, session, weight=None, vitals_at=ago(50))
    services.start_dosing(ctx_for(nurse), session, lot(started_at=ago(30)))
    page.goto(f"/sessions/{session.public_id}/")
    assert_current_step_on_screen(page, "dose", height)
    expect(page.locator("#step-monitoring")).to_have_attribute("open", "")
    expect(page.get_by_test_id("live-status")).to_contain_text("min since dose start")
    assert page.get_by_test_id("next-vitals").bounding_box()["y"] < height

    page.goto(f"/sessions/board/{location.public_id}/")
    row = page.get_by_test_id(f"board-row-{session.public_id}")
    expect(row.get_by_test_id("step")).to_contain_text("Dose")
    expect(row.get_by_test_id("dose-elapsed")).to_contain_text("min")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
