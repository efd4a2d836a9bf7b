import re

import pytest
from playwright.sync_api import expect

from ketamine_clinic.screening.models import EligibilityDecision, IntakeEvaluation

from tests.support.people import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_prescriber_evaluates_uncontrolled_hypertension_and_signs_an_iv_override(page, sign_in_as, prescriber, patient, tmp_path):
    sign_in_as(page, prescriber.username, PASSWORD)
    page.goto(f"/patients/{patient.public_id}/")
    card = page.locator("section", has=page.get_by_role("heading", name="Eligibility & consent"))
    expect(card.get_by_text("No intake evaluation yet.")).to_be_visible()
    card.get_by_role("link", name="Start intake evaluation").click()

    expect(page.get_by_role("heading", name=re.compile("Intake evaluation"))).to_be_visible()
    expect(page.get_by_label("Weight (kg)")).to_have_value("70.0")  # from the latest measurement
    page.get_by_role("checkbox", name="Treatment-resistant depression").check()
    page.get_by_label("ICD-10-CM codes for treatment-resistant depression").fill("F33.2")
    page.get_by_role("checkbox", name="Hypertension", exact=True).check()
    page.get_by_role("button", name="Complete evaluation").click()
    # Nothing in the psychiatric history is preselected: each answer must be chosen.
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    assert IntakeEvaluation.objects.count() == 0
    for label in ("Psychosis", "Mania or hypomania", "Substance use disorder", "Ketamine or PCP misuse"):
        page.get_by_label(label, exact=True).select_option("none")
    page.get_by_label("Liver disease", exact=True).select_option("none")
    page.get_by_role("button", name="Complete evaluation").click()
    # Hypertension without saying whether it is controlled is refused with the field's message.
    expect(page.get_by_text("required (true or false) when hypertension is true")).to_be_visible()
    assert IntakeEvaluation.objects.count() == 0

    page.get_by_label("Hypertension controlled?").select_option("false")
    page.get_by_label("Baseline systolic (mmHg)").fill("152")
    page.get_by_label("Baseline diastolic (mmHg)").fill("94")
    page.get_by_label("Baseline heart rate (/min)").fill("78")
    page.get_by_label("Ride home can be arranged").select_option("true")
    page.get_by_role("button", name="Complete evaluation").click()

    expect(page.get_by_role("heading", name=re.compile("Intake evaluation v1"))).to_be_visible()
    iv = page.locator("section", has=page.get_by_role("heading", name="IV infusion (racemic ketamine)"))
    expect(iv.get_by_test_id("outcome-iv")).to_have_text("Needs prescriber review")
    expect(iv.get_by_text("Uncontrolled hypertension or poorly controlled cardiovascular disease")).to_be_visible()
    expect(iv.get_by_text(re.compile("Relative contraindication for racemic ketamine"))).to_be_visible()
    page.screenshot(path=str(tmp_path / "eligibility.png"), full_page=True)

    iv.get_by_role("button", name="Approve and sign").click()  # no reason: refused
    iv = page.locator("section", has=page.get_by_role("heading", name="IV infusion (racemic ketamine)"))
    expect(iv.get_by_text(re.compile("needs a written reason"))).to_be_visible()
    assert EligibilityDecision.objects.count() == 0

    iv.get_by_label(re.compile("Override reason")).fill("Cardiology reviewed; amlodipine started, BP every 10 minutes")
    iv.get_by_role("button", name="Approve and sign").click()
    expect(page.get_by_text("IV infusion (racemic ketamine): approved and signed.")).to_be_visible()
    iv = page.locator("section", has=page.get_by_role("heading", name="IV infusion (racemic ketamine)"))
    expect(iv.get_by_text(re.compile("override.*Cardiology reviewed"))).to_be_visible()
    decision = EligibilityDecision.objects.get()
    assert decision.route == "iv" and decision.is_override and decision.signed_by == prescriber

    page.goto(f"/patients/{patient.public_id}/")
    expect(page.get_by_text(re.compile("Approved \\(override\\) by"))).to_be_visible()
