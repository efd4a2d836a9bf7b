"""The provider-profile API: read, save (check digits as 422 field errors), licences, the expiry list."""

import pytest

from ketamine_clinic.directory.models import ProviderProfile

from tests.support.api import assert_error

BODY = {"npi": "1234567893", "taxonomy_codes": ["2084P0800X"], "primary_taxonomy": "2084P0800X",
        "dea_number": "AB1234563", "dea_expires_on": "2031-01-31", "languages": ["English", "Spanish"]}


def test_a_prescriber_saves_and_reads_their_profile(api, prescriber):
    response = api(prescriber, "put", f"/providers/{prescriber.public_id}", BODY)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["npi"] == "1234567893" and body["taxonomies"] == [
        {"code": "2084P0800X", "display": "Psychiatry & Neurology – Psychiatry", "primary": True}]
    assert body["languages"] == ["English", "Spanish"] and body["may_sign_orders"] is True
    listed = api(prescriber, "get", "/providers").json()
    assert [p["npi"] for p in listed if p["clinician_id"] == str(prescriber.public_id)] == ["1234567893"]


def test_a_wrong_check_digit_is_a_422_on_its_field(api, prescriber):
    assert_error(api(prescriber, "put", f"/providers/{prescriber.public_id}", dict(BODY, npi="1234567890")), 422, "npi")
    assert_error(api(prescriber, "put", f"/providers/{prescriber.public_id}", dict(BODY, dea_number="AB1234560")), 422, "dea_number")
    assert_error(api(prescriber, "put", f"/providers/{prescriber.public_id}", raw="{not json"), 400)
    assert not ProviderProfile.objects.exists()


def test_an_expired_licence_shows_why_the_prescriber_cannot_sign(api, prescriber):
    response = api(prescriber, "post", f"/providers/{prescriber.public_id}/licences",
                   {"state": "NY", "number": "MD-1", "expires_on": "2020-01-01"})
    assert response.status_code == 201 and response.json()["state"] == "NY"
    body = api(prescriber, "get", f"/providers/{prescriber.public_id}").json()
    assert body["may_sign_orders"] is False and "NY MD-1 expired on 2020-01-01" in body["sign_block_reason"]


def test_permissions_by_role_and_the_outsider(api, prescriber, nurse, clinic_admin, outsider):
    assert_error(api(nurse, "put", f"/providers/{prescriber.public_id}", BODY), 403)
    assert api(clinic_admin, "put", f"/providers/{prescriber.public_id}", BODY).status_code == 200
    assert_error(api(outsider, "get", f"/providers/{prescriber.public_id}"), 404)
    assert_error(api(outsider, "put", f"/providers/{prescriber.public_id}", dict(BODY, npi="")), 404)
    assert_error(api(prescriber, "get", "/providers/expiring"), 403)
    assert api(clinic_admin, "get", "/providers/expiring").json() == []
    assert api(outsider, "get", "/providers/expiring").json() == []
    assert ProviderProfile.objects.get().npi == "1234567893"


@pytest.mark.parametrize("path", ["/providers", "/providers/expiring"])
def test_no_token_is_a_401(api, path):
    assert_error(api(None, "get", path), 401)
