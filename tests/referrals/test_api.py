"""The inbox API: list, read, status, accept — the same services, declared in OpenAPI."""

from ketamine_clinic.patients.models import Patient

from tests.support.api import assert_error


def test_list_read_status_and_accept_through_the_api(api, front_desk, referral):
    listed = api(front_desk, "get", "/referrals?status=new").json()
    assert [r["id"] for r in listed] == [str(referral.public_id)] and listed[0]["patient_family_name"] == "Whitfield"
    one = api(front_desk, "get", f"/referrals/{referral.public_id}").json()
    assert one["diagnoses"][0]["code"] == "F33.2" and one["patient_id"] is None and one["version"] == 1
    moved = api(front_desk, "post", f"/referrals/{referral.public_id}/status", {"status": "contacted", "version": 1})
    assert moved.status_code == 200 and moved.json()["status"] == "contacted"
    assert_error(api(front_desk, "post", f"/referrals/{referral.public_id}/status", {"status": "scheduled", "version": 1}), 409)
    assert_error(api(front_desk, "post", f"/referrals/{referral.public_id}/accept", {"version": 2}), 422, "sex_at_birth")
    accepted = api(front_desk, "post", f"/referrals/{referral.public_id}/accept", {"sex_at_birth": "male", "version": 2})
    assert accepted.status_code == 200 and accepted.json()["mrn"] == Patient.objects.get().mrn


def test_the_api_refuses_other_roles_and_clinics(api, therapist, outsider, referral):
    assert_error(api(therapist, "get", "/referrals"), 403)
    assert_error(api(outsider, "get", f"/referrals/{referral.public_id}"), 404)
    assert api(outsider, "get", "/referrals").json() == []
    assert_error(api(outsider, "post", f"/referrals/{referral.public_id}/accept", {"sex_at_birth": "male", "version": 1}), 404)


def test_a_bad_status_filter_is_a_422(api, front_desk):
    assert_error(api(front_desk, "get", "/referrals?status=bogus"), 422, "status")


def test_the_operations_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/referrals", "/api/v1/referrals/{referral_id}", "/api/v1/referrals/{referral_id}/status",
                 "/api/v1/referrals/{referral_id}/accept"):
        assert path in paths
    assert "409" in paths["/api/v1/referrals/{referral_id}/accept"]["post"]["responses"]
