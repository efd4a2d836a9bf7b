"""The request's user is read in one query (organization, location and roles with it), and roles
are still read on every request: one taken away counts on the next request."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketamine_clinic.accounts.models import RoleAssignment


def user_queries(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "accounts_')]


def test_a_signed_in_request_reads_its_user_organization_location_and_roles_in_one_query(client_for, nurse, patient, location):
    nurse.default_location = location
    nurse.save(update_fields=["default_location"])
    client = client_for(nurse)
    client.get("/healthz")  # the session's first write
    status, sql = user_queries(client, f"/patients/{patient.public_id}/")
    assert status == 200 and len(sql) == 1
    assert all(table in sql[0] for table in ('"accounts_organization"', '"accounts_location"', '"accounts_roleassignment"'))


def test_a_role_taken_away_counts_on_the_next_request(client_for, nurse, patient):
    client = client_for(nurse)
    url = f"/patients/{patient.public_id}/"
    assert client.get(url).status_code == 200
    RoleAssignment.objects.filter(user=nurse).delete()
    assert client.get(url).status_code == 403


def test_an_inactive_user_is_signed_out_and_a_patient_has_no_staff_role(client_for, nurse, portal_user):
    client = client_for(nurse)
    nurse.is_active = False
    nurse.save(update_fields=["is_active"])
    assert client.get("/").status_code == 302  # to sign in: nobody is signed in any more
    RoleAssignment.objects.create(user=portal_user, role="nurse")  # a stray row never makes a patient staff
    response = client_for(portal_user).get("/")
    assert response.wsgi_request.user.role_set == frozenset()
