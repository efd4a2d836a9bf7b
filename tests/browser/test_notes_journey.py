"""In a real browser: a nurse signs an infusion note pre-filled from the session, a therapist signs
an integration note, and the patient acknowledges an education page in the portal."""

import re

import pytest
from playwright.sync_api import expect

from ketamine_clinic.education import services as education
from ketamine_clinic.education.models import EducationAssignment
from ketamine_clinic.notes.models import Note, NoteStatus
from ketamine_clinic.treatments import services as treatments

from tests.support.people import PASSWORD, ctx_for
from tests.support.screening import make_ready
from tests.support.treatments import NORMAL_VITALS, ago, clear_checklist, lot
from tests.treatments.test_discharge import FIT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _discharged_session(nurse, prescriber, patient, location):
    make_ready(prescriber, nurse, patient, "iv")
    ctx = ctx_for(nurse)
    session = treatments.start_session(ctx, patient, {
        "route": "iv", "dose_unit": "mg/kg", "dose_amount": "0.5", "infusion_minutes": 40, "infusion_volume_ml": "100",
        "product_name": "Ketamine HCl 50 mg/mL vial", "concentration_mg_per_ml": "50", "location": str(location.public_id),
        "ordered_by": str(prescriber.public_id), "indication": "depression", "checked_in_at": ago(170)})
    session = clear_checklist(nurse, session, vitals_at=ago(165))
    session = treatments.start_dosing(ctx, session, lot(started_at=ago(150)))
    session = treatments.stop_dosing(ctx, session, {"stopped_at": ago(110)})
    treatments.record_vitals(ctx, session, dict(NORMAL_VITALS, systolic_mmhg=127, diastolic_mmhg=81))
    return treatments.discharge(ctx, session, FIT)


def test_nurse_and_therapist_sign_notes_and_the_patient_acknowledges_a_page(
        page, sign_in_as, nurse, prescriber, therapist, patient, portal_user, location, tmp_path):
    session = _discharged_session(nurse, prescriber, patient, location)

    # The nurse writes the infusion note from the session: the record's facts are already there.
    sign_in_as(page, nurse.username, PASSWORD)
    page.goto(f"/sessions/{session.public_id}/")
    page.get_by_role("button", name="Write the session note").click()
    expect(page.get_by_role("heading", name="Infusion / administration note")).to_be_visible()
    facts = page.get_by_test_id("source-facts")
    expect(facts).to_contain_text("IV infusion")
    expect(facts).to_contain_text("BP 127/81 mmHg")
    expect(page.get_by_label("Monitoring: vitals and scores")).to_contain_text("BP 127/81")
    with page.expect_response(lambda r: "/draft/" in r.url and r.status == 204):
        page.get_by_label("Plan", exact=True).fill("Next infusion in 2 days; PHQ-9 before it.")
    assert "Next infusion in 2 days" in Note.objects.get(kind="administration").search_text  # autosaved on the server
    expect(page.get_by_test_id("autosave-status")).to_have_text("Draft saved.")
    page.get_by_label("Service time (minutes)").fill("60")
    page.get_by_role("button", name="Sign note").click()
    expect(page.get_by_test_id("note-status")).to_have_text("Signed")
    expect(page.get_by_test_id("note-body")).to_contain_text("Next infusion in 2 days")
    page.screenshot(path=str(tmp_path / "signed-infusion-note.png"), full_page=True)

    # The nurse sends an education page (the chart's education card posts the same form; the chart
    # page shows the card once front registers the sections).
    page.goto("/education/pages/after-a-session/")
    expect(page.get_by_test_id("education-page")).to_contain_text("Do not drive or use machines for 24 hours.")
    page.context.clear_cookies()
    education.assign_pages(ctx_for(nurse), patient, ["after-a-session"])

    # The therapist writes and signs an integration note.
    sign_in_as(page, therapist.username, PASSWORD)
    page.goto(f"/notes/patient/{patient.public_id}/")
    page.get_by_label("Kind of note").select_option("kap_integration")
    page.get_by_role("button", name="New note").click()
    page.get_by_label("Experience recalled").fill("Felt a calm distance from old worries.")
    page.get_by_label("Integration plan and next steps").fill("Journal daily; walk with her sister.")
    page.get_by_label("Service time (minutes)").fill("53")
    page.get_by_label("Psychotherapy time (minutes)").fill("53")
    page.get_by_role("button", name="Sign note").click()
    expect(page.get_by_test_id("note-status")).to_have_text("Signed")
    integration = Note.objects.get(kind="kap_integration")
    assert integration.status == NoteStatus.SIGNED and integration.psychotherapy_minutes == 53
    page.context.clear_cookies()

    # The patient reads the page in the portal and acknowledges it.
    sign_in_as(page, portal_user.username, PASSWORD)
    page.goto("/portal/")
    portal = page.get_by_test_id("portal-education")
    portal.get_by_role("link", name="After your treatment").click()
    expect(page.get_by_test_id("education-page")).to_contain_text("Do not drive or use machines for 24 hours.")
    page.get_by_role("button", name="I have read and understood this page").click()
    expect(page.get_by_text(re.compile("You confirmed you read “After your treatment”"))).to_be_visible()
    row = EducationAssignment.objects.get(page_slug="after-a-session")
    assert row.opened_at is not None and row.acknowledged_at is not None and row.page_version == 1
