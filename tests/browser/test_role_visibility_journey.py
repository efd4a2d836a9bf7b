"""Today's recent chart activity in a real browser: front desk does not see questionnaire results."""

import pytest
from playwright.sync_api import expect

from ketamine_clinic.assessments import services as assessments

from tests.support.assessments import phq9
from tests.support.people import PASSWORD, ctx_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_today_shows_questionnaire_results_to_the_nurse_and_not_to_front_desk(page, sign_in_as, nurse, front_desk, patient):
    assessments.submit_response(ctx_for(nurse), patient, "phq9", phq9(item9=2, total=14), mode="staff_paper")

    sign_in_as(page, front_desk.username, PASSWORD)
    page.goto("/")
    activity = page.get_by_role("region", name="Recent chart activity")
    expect(activity).to_contain_text("Registered")
    expect(activity).not_to_contain_text("PHQ-9")
    page.goto(f"/patients/{patient.public_id}/")
    expect(page.locator("body")).not_to_contain_text("suicide-risk alert")

    page.context.clear_cookies()
    sign_in_as(page, nurse.username, PASSWORD)
    page.goto("/")
    expect(page.get_by_role("region", name="Recent chart activity")).to_contain_text("PHQ-9 total 14")
