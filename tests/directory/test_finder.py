"""The public clinic finder: opt-in listings, ZIP + radius search (offline centroids, haversine),
filters, the public clinic page, the listing's permissions and hostile input."""

import datetime as dt

import pytest

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import NotFound, ValidationFailed
from ketamine_clinic.directory import services
from ketamine_clinic.directory.models import ClinicListing
from ketamine_clinic.directory.rules.finder import DEFAULT_GFE_NOTICE
from ketamine_clinic.directory.rules.geo import haversine_miles
from ketamine_clinic.plans.scheduling import set_opening_hours

from tests.support.api import assert_error
from tests.support.people import ctx_for

LISTING = {"published": "on", "display_name": "Test Clinic Ketamine", "phone": "(555) 000-1111",
           "routes": ["iv"], "indications": ["ptsd"], "kap_offered": "on", "telehealth_states": ["NY"],
           "accepting_new_patients": "on", "insurance_networks": "Medicare", "self_pay_min_usd": "400",
           "self_pay_max_usd": "600", "languages": "English, Spanish", "accessibility": ["wheelchair"],
           "good_faith_estimate_notice": DEFAULT_GFE_NOTICE}


def test_haversine_between_albany_and_new_york_city():
    assert 130 < haversine_miles(42.6526, -73.7562, 40.7128, -74.0060) < 140  # about 135 miles
    assert haversine_miles(40.0, -75.0, 40.0, -75.0) == 0


@pytest.fixture
def listed(clinic_admin, location, prescriber):
    location.address_line, location.city, location.region, location.postal_code = "120 Main St", "Albany", "NY", "12207"
    location.save()
    services.save_profile(ctx_for(prescriber), prescriber.public_id, {"npi": "1234567893", "languages": "English"})
    services.save_licence(ctx_for(prescriber), prescriber.public_id, {"state": "NY", "number": "SECRET-LIC-1", "expires_on": "2031-01-01"})
    return services.save_listing(ctx_for(clinic_admin), LISTING)


def test_a_clinic_publishes_nothing_until_it_opts_in(clinic_admin, location):
    location.postal_code = "12207"
    location.save()
    services.save_listing(ctx_for(clinic_admin), dict(LISTING, published=""))
    assert services.search({"zip": "12207"}) == ([], 0)
    listing = ClinicListing.objects.get()
    with pytest.raises(NotFound):
        services.public_clinic(listing.public_id)
    assert AuditEvent.objects.get(action="directory.listing_save").detail["published"] is False


def test_radius_search_finds_the_clinic_with_its_distance(listed):
    results, total = services.search({"zip": "12866", "radius_miles": "50"})  # Saratoga Springs, ~30 miles
    assert total == 1 and results[0].listing == listed and 25 < results[0].distance_miles < 40
    assert services.search({"zip": "12866", "radius_miles": "5"}) == ([], 0)
    assert services.search({"zip": "10001", "radius_miles": "500"})[1] == 1  # New York City


@pytest.mark.parametrize("filters, found", [
    ({"route": "iv"}, 1), ({"route": "esketamine_nasal"}, 0),
    ({"indication": "ptsd"}, 1), ({"indication": "ocd"}, 0),
    ({"rems_certified": "on"}, 0), ({"kap": "on"}, 1),
    ({"telehealth_state": "NY"}, 1), ({"telehealth_state": "CA"}, 0),
    ({"accepting": "on"}, 1), ({"insurance": "medicare"}, 1), ({"insurance": "Aetna"}, 0),
    ({"max_price_usd": "450"}, 1), ({"max_price_usd": "300"}, 0), ({"sliding_scale": "on"}, 0),
    ({"language": "spanish"}, 1), ({"language": "French"}, 0),
    ({"accessibility": "wheelchair"}, 1), ({"accessibility": "hearing_loop"}, 0),
])
def test_each_filter(listed, filters, found):
    assert services.search({"zip": "12207", **filters})[1] == found


@pytest.mark.parametrize("query, field", [
    ({"zip": "1220"}, "zip"), ({"zip": "00000"}, "zip"), ({"zip": "<script>"}, "zip"),
    ({"zip": "12207", "radius_miles": "4"}, "radius_miles"), ({"zip": "12207", "radius_miles": "501"}, "radius_miles"),
    ({"zip": "12207", "language": "x" * 41}, "language"), ({"zip": "12207", "route": "intrathecal"}, "route"),
])
def test_bad_search_input_is_a_field_error(query, field):
    with pytest.raises(ValidationFailed) as exc:
        services.search(query)
    assert field in exc.value.errors


def test_the_public_pages_need_no_sign_in_and_show_no_private_data(listed, client, prescriber):
    page = client.get("/find/", {"zip": "12866", "radius_miles": "50"})
    html = page.content.decode()
    assert page.status_code == 200 and "Test Clinic Ketamine" in html and "miles away" in html
    clinic = client.get(f"/find/clinics/{listed.public_id}/").content.decode()
    assert "Good Faith Estimate" in clinic and "1234567893" in clinic and "120 Main St" in clinic
    assert "SECRET-LIC-1" not in clinic
    bad = client.get("/find/", {"zip": "<script>alert(1)</script>"})
    assert bad.status_code == 422 and "<script>alert(1)" not in bad.content.decode()


def test_the_finder_api_is_public_and_validates(listed, api):
    response = api(None, "get", "/finder/search?zip=12866&radius_miles=50&kap=true")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == 1 and body["results"][0]["clinic"] == "Test Clinic Ketamine"
    assert_error(api(None, "get", "/finder/search?zip=12207&radius_miles=900"), 422, "radius_miles")
    assert_error(api(None, "get", "/finder/search"), 422)
    clinic = api(None, "get", f"/finder/clinics/{listed.public_id}").json()
    assert clinic["listing"]["display_name"] == "Test Clinic Ketamine" and clinic["clinicians"][0]["npi"] == "1234567893"


def test_only_the_clinic_admin_edits_the_listing_and_the_outsider_has_its_own(listed, api, prescriber, outsider, clinic_admin):
    with pytest.raises(PermissionDenied):
        services.save_listing(ctx_for(prescriber), LISTING)
    assert_error(api(prescriber, "put", "/clinic-listing", {"display_name": "Mine"}), 403)
    mine = api(outsider, "get", "/clinic-listing").json()
    assert mine["display_name"] == "Elsewhere Clinic" and mine["clinic_id"] is None and mine["published"] is False
    response = api(outsider, "put", "/clinic-listing", {"display_name": "Elsewhere", "published": False})
    assert response.status_code == 200
    assert ClinicListing.objects.get(organization=clinic_admin.organization).display_name == "Test Clinic Ketamine"


@pytest.mark.parametrize("changes, field", [
    ({"routes": ["esketamine_nasal"]}, "spravato_rems_certified"),
    ({"spravato_rems_certified": "on"}, "rems_certified_on"),
    ({"self_pay_min_usd": "700"}, "self_pay_max_usd"),
    ({"good_faith_estimate_notice": ""}, "good_faith_estimate_notice"),
    ({"about": "x" * 2001}, "about"),
    ({"website": "javascript:alert(1)"}, "website"),
])
def test_listing_validation(clinic_admin, changes, field):
    with pytest.raises(ValidationFailed) as exc:
        services.save_listing(ctx_for(clinic_admin), dict(LISTING, **changes))
    assert field in exc.value.errors and not ClinicListing.objects.exists()


def test_the_admin_edits_the_listing_on_its_page(client_for, clinic_admin):
    client = client_for(clinic_admin)
    assert client.get("/directory/listing").status_code == 200
    assert client.post("/directory/listing", dict(LISTING, self_pay_min_usd="abc")).status_code == 422
    assert client.post("/directory/listing", LISTING).status_code == 302
    assert ClinicListing.objects.get().published is True


def test_the_clinic_page_and_api_show_each_location_with_its_opening_hours_in_local_time(listed, clinic_admin, location, client, api):
    location.time_zone = "America/Los_Angeles"  # the hours are kept and shown in the location's own zone
    location.save()
    set_opening_hours(ctx_for(clinic_admin), location, {"monday": "08:00-12:00, 13:00-18:00", "saturday": "09:00-13:00"})
    page = client.get(f"/find/clinics/{listed.public_id}/").content.decode()
    assert "local time: America/Los_Angeles, P" in page  # PST or PDT, whichever is in force today
    assert "<th scope=\"row\">Monday</th><td>08:00–12:00, 13:00–18:00</td>" in page
    assert "<th scope=\"row\">Sunday</th><td>Closed</td>" in page and "120 Main St, Albany, NY 12207" in page
    loc = api(None, "get", f"/finder/clinics/{listed.public_id}").json()["locations"][0]
    assert loc["time_zone"].startswith("America/Los_Angeles") and loc["postal_code"] == "12207"
    assert [d["day"] for d in loc["opening_hours"]][:2] == ["Monday", "Tuesday"]
    assert loc["opening_hours"][0]["spans"] == [{"opens": "08:00:00", "closes": "12:00:00"}, {"opens": "13:00:00", "closes": "18:00:00"}]
    assert loc["opening_hours"][5]["spans"] == [{"opens": "09:00:00", "closes": "13:00:00"}] and loc["opening_hours"][6]["spans"] == []


def test_a_location_without_recorded_hours_says_to_call(listed, client, api):
    assert "Opening hours: call to ask." in client.get(f"/find/clinics/{listed.public_id}/").content.decode()
    assert api(None, "get", f"/finder/clinics/{listed.public_id}").json()["locations"][0]["opening_hours"] == []


def test_public_profiles_show_current_certificates_and_languages(listed, prescriber, client, api):
    services.add_credential(ctx_for(prescriber), prescriber.public_id, {"title": "KAP training certificate", "issuer": "Institute X",
                                                                         "issued_on": "2024-01-01"})
    services.add_credential(ctx_for(prescriber), prescriber.public_id, {"title": "Old board cert", "issued_on": "2010-01-01",
                                                                         "expires_on": "2015-01-01"})
    page = client.get(f"/find/clinics/{listed.public_id}/").content.decode()
    assert "KAP training certificate (Institute X)" in page and "Old board cert" not in page and "Speaks English" in page
    clinician = api(None, "get", f"/finder/clinics/{listed.public_id}").json()["clinicians"][0]
    assert clinician["certificates"] == ["KAP training certificate (Institute X)"] and clinician["languages"] == ["English"]


def test_the_listing_page_warns_of_telehealth_states_without_a_licensed_prescriber(listed, clinic_admin, prescriber, client_for):
    # listed: telehealth in NY, the prescriber licensed in NY until 2031
    today = dt.date(2030, 3, 1)
    assert services.telehealth_licence_gaps(ctx_for(clinic_admin), today) == []
    services.save_listing(ctx_for(clinic_admin), dict(LISTING, telehealth_states=["NY", "VT"]))
    assert services.telehealth_licence_gaps(ctx_for(clinic_admin), today) == ["VT"]
    assert services.telehealth_licence_gaps(ctx_for(clinic_admin), dt.date(2031, 6, 1)) == ["NY", "VT"]  # NY expired
    page = client_for(clinic_admin).get("/directory/listing").content.decode()
    assert "offers telehealth in VT, but no prescriber" in page
    with pytest.raises(PermissionDenied):
        services.telehealth_licence_gaps(ctx_for(prescriber), today)
