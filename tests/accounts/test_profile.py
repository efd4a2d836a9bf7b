"""Staff keep their own contact details (printed on the REMS monitoring form); nobody else's."""

import pytest

from ketamine_clinic.accounts.profile import update_own_profile
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import ValidationFailed

from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


def test_staff_member_sets_own_phone_and_email_with_an_audit_event(nurse):
    update_own_profile(ctx_for(nurse), {"display_name": "", "credentials": "RN", "phone": "(555) 010-2000", "email": "nurse@clinic.example"})
    nurse.refresh_from_db()
    assert (nurse.phone, nurse.email, nurse.credentials) == ("(555) 010-2000", "nurse@clinic.example", "RN")
    event = AuditEvent.objects.get(action="user.profile_update")
    assert event.actor == nurse and sorted(event.detail["fields"]) == ["credentials", "email", "phone"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "not-an-email"), ("phone", "5" * 41), ("credentials", "x" * 61), ("display_name", "n" * 151)],
)
def test_bad_profile_input_is_a_field_error_and_changes_nothing(nurse, field, value):
    before = (nurse.phone, nurse.email, nurse.credentials, nurse.display_name)
    with pytest.raises(ValidationFailed) as exc:
        update_own_profile(ctx_for(nurse), {field: value})
    assert field in exc.value.errors
    nurse.refresh_from_db()
    assert (nurse.phone, nurse.email, nurse.credentials, nurse.display_name) == before
    assert not AuditEvent.objects.filter(action="user.profile_update").exists()


def test_profile_page_saves_only_the_signed_in_users_details(client_for, nurse, prescriber, outsider):
    client = client_for(nurse)
    page = client.get("/clinic-admin/profile/")
    assert page.status_code == 200 and "Work email" in page.content.decode()
    saved = client.post("/clinic-admin/profile/", {"email": "n@clinic.example", "phone": "555", "username": prescriber.username})
    assert saved.status_code == 302
    nurse.refresh_from_db()
    prescriber.refresh_from_db()
    assert nurse.email == "n@clinic.example" and prescriber.email != "n@clinic.example"
    bad = client.post("/clinic-admin/profile/", {"email": "nope"})
    assert bad.status_code == 422 and "Enter a valid email address" in bad.content.decode()
    assert client_for(outsider).post("/clinic-admin/profile/", {"email": "o@elsewhere.example"}).status_code == 302
    nurse.refresh_from_db()
    assert nurse.email == "n@clinic.example"  # the outsider changed only their own profile


def test_portal_patients_have_no_staff_profile(client_for, portal_user):
    assert client_for(portal_user).get("/clinic-admin/profile/").status_code == 404
    with pytest.raises(ValidationFailed):
        update_own_profile(ctx_for(portal_user), {"email": "me@example.org"})


def test_profile_next_link_stays_on_this_site(client_for, nurse):
    client = client_for(nurse)
    assert client.post("/clinic-admin/profile/", {"email": "", "next": "https://evil.example/"})["Location"] == "/clinic-admin/profile/"
    assert client.post("/clinic-admin/profile/?next=/sessions/rems/", {"email": ""})["Location"] == "/sessions/rems/"
