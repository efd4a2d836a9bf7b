import re

import pytest
from playwright.sync_api import expect

from tests.support.people import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_front_desk_registers_finds_and_opens_a_chart_and_the_outsider_cannot(page, sign_in_as, front_desk, outsider, tmp_path):
    sign_in_as(page, front_desk.username, PASSWORD)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()

    page.get_by_role("link", name="Patients").click()
    page.get_by_role("link", name="Register a patient").click()
    page.get_by_label("Given name").fill("Marisol")
    page.get_by_label("Family name").fill("Okonkwo")
    page.get_by_label("Date of birth").fill("1979-03-14")
    page.get_by_label("Sex at birth").select_option("female")
    page.get_by_label("Phone", exact=True).fill("(555) 777-1212")
    page.get_by_label("Weight (kg)").fill("0")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("greater than or equal to 20")).to_be_visible()  # bad input is refused with a field message

    page.get_by_label("Weight (kg)").fill("64.2")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name=re.compile("Okonkwo, Marisol"))).to_be_visible()
    chart_url = page.url

    page.get_by_role("link", name="Patients").click()
    page.get_by_role("searchbox").fill("okonkwo")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=re.compile("Okonkwo, Marisol")).click()
    expect(page.get_by_text("64.2 kg")).to_be_visible()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    page.screenshot(path=str(tmp_path / "chart.png"), full_page=True)
    assert page.url == chart_url

    page.get_by_role("button", name="Sign out").click()
    sign_in_as(page, outsider.username, PASSWORD)
    response = page.goto(chart_url)
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_text("Okonkwo")).to_have_count(0)
