import re

import pytest
from playwright.sync_api import expect

from tests.support.people import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_patient_answers_item9_sees_crisis_help_and_prescriber_acknowledges(page, sign_in_as, portal_user, patient, prescriber, tmp_path):
    from ketamine_clinic.assessments.models import SuicideRiskAlert

    patient.care_team.add(prescriber)
    sign_in_as(page, portal_user.username, PASSWORD)
    page.goto("/assessments/portal/")
    page.get_by_role("link", name="Patient Health Questionnaire-9 (PHQ-9)").click()
    for n in range(1, 9):
        page.locator(f"#fs-phq9-{n}").get_by_label("Several days").check()
    page.locator("#fs-phq9-9").get_by_label("Several days").check()
    page.get_by_role("button", name="Submit").click()

    expect(page.get_by_role("heading", name="If you are thinking about hurting yourself, help is available now")).to_be_visible()
    expect(page.get_by_role("link", name="988", exact=True)).to_have_attribute("href", "tel:988")  # tap to call
    expect(page.get_by_text("(Suicide & Crisis Lifeline)")).to_be_visible()
    page.screenshot(path=str(tmp_path / "crisis.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()

    sign_in_as(page, prescriber.username, PASSWORD)
    page.goto("/assessments/alerts/")
    alert = SuicideRiskAlert.objects.get()
    item = page.locator(f"#alert-{alert.public_id}")
    expect(item).to_contain_text("Avery, Jordan")
    expect(item).to_contain_text("PHQ-9 item 9 positive")
    expect(item).to_contain_text("Several days (1)")  # the item-9 answer itself
    expect(item.get_by_role("link", name="Open the response")).to_be_visible()
    item.get_by_label("C-SSRS completed the same day").check()
    item.get_by_label("Safety plan reviewed or updated with the patient").check()
    item.get_by_label("Details").fill("Called the patient; C-SSRS low risk")
    item.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Alert acknowledged")).to_be_visible()
    expect(page.locator(f"#alert-{alert.public_id}")).to_have_count(0)

    page.goto(f"/patients/{patient.public_id}/")
    expect(page.get_by_role("heading", name="Measurement-based care")).to_be_visible()
    expect(page.get_by_text(re.compile("Open suicide-risk alert"))).to_have_count(0)
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.acknowledged_by == prescriber
    assert alert.action_taken == (
        "C-SSRS completed the same day; Safety plan reviewed or updated with the patient. Called the patient; C-SSRS low risk"
    )
