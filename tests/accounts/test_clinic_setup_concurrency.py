"""Two people doing the same setup step at the same moment: one portal account per patient, one
location per name, one clinic per slug; the other gets a clear conflict, never a 500 or a second
row. Real concurrent transactions on PostgreSQL (threads, each with its own connection), bounded in
time; SQLite's in-memory test database runs the same workers one after another."""

import pytest

from ketamine_clinic.accounts import services
from ketamine_clinic.accounts.models import Location, Organization, User
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict
from ketamine_clinic.patients.services import open_portal_account

from tests.support.concurrency import label, race
from tests.support.people import ctx_for

PASSWORD = "a-long-enough-pass-2026"


@pytest.mark.django_db(transaction=True)
def test_two_portal_accounts_for_one_patient_at_once_leave_one(front_desk, nurse, patient):
    outcomes = race(
        lambda: open_portal_account(ctx_for(front_desk), patient, {"username": "jordan-a", "password": PASSWORD}),
        lambda: open_portal_account(ctx_for(nurse), patient, {"username": "jordan-b", "password": PASSWORD}),
        expect=(Conflict,),
    )
    assert label(outcomes) == ["conflict", "ok"]
    patient.refresh_from_db()
    assert User.objects.filter(kind=User.Kind.PATIENT).count() == 1 and patient.portal_user is not None
    assert AuditEvent.objects.filter(action="patient.portal_account").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_location_or_clinic_added_twice_at_once_is_written_once(clinic_admin):
    outcomes = race(*[lambda: services.add_location(ctx_for(clinic_admin), {"name": "Eastside"})] * 2, expect=(Conflict,))
    assert label(outcomes) == ["conflict", "ok"]
    assert Location.objects.filter(name="Eastside").count() == 1

    def found(n):
        return lambda: services.found_clinic({"name": "Lakeside", "slug": "lakeside", "mrn_prefix": "LK"},
                                             {"username": f"lk-admin-{n}", "password": PASSWORD})
    outcomes = race(found(1), found(2), expect=(Conflict,))
    assert label(outcomes) == ["conflict", "ok"]
    assert Organization.objects.filter(slug="lakeside").count() == 1
    assert AuditEvent.objects.filter(action="org.create").count() == 1
