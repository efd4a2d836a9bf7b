import re

import pytest
from playwright.sync_api import expect

from ketamine_clinic.directory import services as directory
from ketamine_clinic.directory.rules.finder import DEFAULT_GFE_NOTICE
from ketamine_clinic.patients.models import Patient

from tests.support.people import PASSWORD, ctx_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_finds_the_clinic_by_zip_requests_an_appointment_and_front_desk_accepts_it(page, sign_in_as, front_desk, clinic_admin, location):
    location.address_line, location.city, location.region, location.postal_code = "120 Main St", "Albany", "NY", "12207"
    location.save()
    directory.save_listing(ctx_for(clinic_admin), {"published": "on", "display_name": "Albany Ketamine Care",
                                                   "accepting_new_patients": "on", "good_faith_estimate_notice": DEFAULT_GFE_NOTICE})

    page.goto("/find/")
    page.get_by_label("ZIP code").fill("12866")  # Saratoga Springs, about 30 miles away
    page.get_by_label("Within (miles)").fill("50")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Albany Ketamine Care").click()
    page.get_by_role("link", name="Request an appointment").click()
    page.get_by_label("Patient's first name").fill("Rosa")
    page.get_by_label("Patient's last name").fill("Delgado")
    page.get_by_label("Patient's date of birth").fill("1991-07-30")
    page.get_by_label("Patient's phone").fill("(555) 610-1002")
    page.get_by_label("What would you like help with?").fill("Depression for years <b>not bold</b>")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("tick this box")).to_be_visible()  # consent is required
    page.get_by_label(re.compile("I agree that the clinic contacts me")).check()
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_text("Delgado")).to_have_count(0)  # nothing sent is repeated

    sign_in_as(page, front_desk.username, PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Referrals").click()
    page.get_by_role("link", name=re.compile(r"\d{4}-\d\d-\d\d")).first.click()
    expect(page.get_by_text("Depression for years <b>not bold</b>")).to_be_visible()  # untrusted text shown as text
    page.get_by_label("Sex at birth").select_option("female")
    page.get_by_role("button", name="Accept referral").click()
    expect(page.get_by_text(re.compile("Accepted into the chart of Delgado, Rosa"))).to_be_visible()
    page.get_by_role("link", name=re.compile(r"Delgado, Rosa \(MRN")).click()
    expect(page.get_by_role("heading", name=re.compile("Delgado, Rosa"))).to_be_visible()
    assert Patient.objects.get().phone == "(555) 610-1002"
