"""A new clinic through the services: founding it with its first admin, locations, staff with a
default location, and a patient's portal account, each write with its audit event."""

import pytest

from ketamine_clinic.accounts import services
from ketamine_clinic.accounts.models import Location, Organization, User
from ketamine_clinic.accounts.permissions import Role
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ketamine_clinic.patients.services import open_portal_account

from tests.support.people import ctx_for

GOOD_PASSWORD = "a-long-enough-pass-2026"


def _actions(obj) -> list[str]:
    return list(AuditEvent.objects.filter(object_id=str(obj.public_id)).order_by("id").values_list("action", flat=True))


@pytest.mark.django_db
def test_founding_a_clinic_writes_the_org_and_its_first_admin_with_their_audit_events():
    org, admin = services.found_clinic({"name": "Lakeside Clinic", "slug": "lakeside", "mrn_prefix": "lk"},
                                       {"username": "lk-admin", "password": GOOD_PASSWORD, "first_name": "Lee"})
    assert org.mrn_prefix == "LK" and admin.organization == org and admin.role_set == {Role.CLINIC_ADMIN}
    assert admin.check_password(GOOD_PASSWORD)
    assert _actions(org) == ["org.create"]
    assert _actions(admin) == ["user.create", "user.roles"]
    assert AuditEvent.objects.get(action="org.create").organization == org


@pytest.mark.django_db
def test_founding_refuses_bad_input_and_writes_nothing(org):
    with pytest.raises(ValidationFailed) as exc:
        services.found_clinic({"name": "", "slug": "X!", "mrn_prefix": "toolong7"},
                              {"username": "", "password": "short"})
    assert {"name", "slug", "mrn_prefix", "admin.username", "admin.password"} <= set(exc.value.errors)
    with pytest.raises(Conflict):
        services.found_clinic({"name": "Copy", "slug": org.slug, "mrn_prefix": "CP"},
                              {"username": "copy-admin", "password": GOOD_PASSWORD})
    assert Organization.objects.count() == 1 and not User.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_clinic_admin_adds_locations_to_their_own_clinic_only(clinic_admin, nurse, outsider):
    loc = services.add_location(ctx_for(clinic_admin), {"name": "Eastside", "city": "Troy", "time_zone": "America/Chicago"})
    assert loc.organization == clinic_admin.organization and loc.tz.key == "America/Chicago"
    assert _actions(loc) == ["location.create"]
    theirs = services.add_location(ctx_for(outsider), {"name": "Eastside"})  # the same name in another clinic
    assert theirs.organization == outsider.organization
    with pytest.raises(Conflict):
        services.add_location(ctx_for(clinic_admin), {"name": "Eastside"})
    with pytest.raises(ValidationFailed) as exc:
        services.add_location(ctx_for(clinic_admin), {"name": "X" * 201, "time_zone": "Mars/Olympus"})
    assert set(exc.value.errors) == {"name", "time_zone"}
    with pytest.raises(PermissionDenied):
        services.add_location(ctx_for(nurse), {"name": "Nurse's own"})
    assert Location.objects.filter(name="Eastside").count() == 2


def test_staff_get_a_default_location_of_their_own_clinic(clinic_admin, nurse, location, outsider):
    other = services.add_location(ctx_for(outsider), {"name": "Harbor"})
    user = services.create_staff_user(ctx_for(clinic_admin), {"username": "new-rn", "password": GOOD_PASSWORD,
                                                              "roles": ["nurse"], "default_location": str(location.public_id)})
    assert user.default_location == location
    with pytest.raises(ValidationFailed) as exc:
        services.create_staff_user(ctx_for(clinic_admin), {"username": "rn-2", "password": GOOD_PASSWORD,
                                                           "roles": ["nurse"], "default_location": str(other.public_id)})
    assert set(exc.value.errors) == {"default_location"}
    services.set_default_location(ctx_for(clinic_admin), nurse, location)
    assert _actions(nurse) == ["user.default_location"]
    with pytest.raises(NotFound):  # another clinic's location, or another clinic's user
        services.set_default_location(ctx_for(clinic_admin), nurse, other)
    with pytest.raises(NotFound):
        services.set_default_location(ctx_for(outsider), nurse, other)
    with pytest.raises(PermissionDenied):  # a nurse sets only her own
        services.set_default_location(ctx_for(nurse), clinic_admin, location)


def test_a_portal_account_is_opened_once_linked_to_the_chart(front_desk, therapist, patient, outsider, outsider_patient):
    user = open_portal_account(ctx_for(front_desk), patient, {"username": "jordan", "password": GOOD_PASSWORD})
    patient.refresh_from_db()
    assert patient.portal_user == user and user.is_portal_patient and user.organization == patient.organization
    assert user.first_name == patient.given_name
    assert _actions(user) == ["user.create"] and "patient.portal_account" in _actions(patient)
    with pytest.raises(Conflict):
        open_portal_account(ctx_for(front_desk), patient, {"username": "jordan-2", "password": GOOD_PASSWORD})
    with pytest.raises(PermissionDenied):
        open_portal_account(ctx_for(therapist), patient, {"username": "x", "password": GOOD_PASSWORD})
    with pytest.raises(NotFound):
        open_portal_account(ctx_for(outsider), patient, {"username": "stolen", "password": GOOD_PASSWORD})
    with pytest.raises(ValidationFailed):
        open_portal_account(ctx_for(outsider), outsider_patient, {"username": "bad name!", "password": "short"})
    outsider_patient.refresh_from_db()
    assert outsider_patient.portal_user is None and not User.objects.filter(username__in=["stolen", "x"]).exists()
