"""Shared fixtures: one user per role, a portal patient, and an outsider organization with its own
staff and patients (used in every permission test)."""

import os

os.environ.setdefault("KETAMINE_CLINIC_TESTING", "1")

import datetime as dt

import pytest
from hypothesis import settings as hypothesis_settings

from ketamine_clinic.accounts.permissions import Role

# Property tests assert behaviour, not speed: on a loaded 2-core CI machine Hypothesis's default
# 200 ms per-example deadline fails tests at random. Speed is measured in bench/.
hypothesis_settings.register_profile("clinic", deadline=None)
hypothesis_settings.load_profile("clinic")

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def org(db):
    from ketamine_clinic.accounts.models import Organization

    return Organization.objects.create(name="Test Clinic", slug="test-clinic", mrn_prefix="TC")


@pytest.fixture
def location(org):
    from ketamine_clinic.accounts.models import Location

    return Location.objects.create(organization=org, name="Main", city="Albany", region="NY", time_zone="America/New_York")


def make_user(org, username, roles=(), kind="staff", location=None):
    from ketamine_clinic.accounts.models import RoleAssignment, User

    user = User(username=username, organization=org, kind=kind, first_name=username.title(), default_location=location)
    user.set_password(PASSWORD)
    user.save()
    for role in roles:
        RoleAssignment.objects.create(user=user, role=role)
    return user


@pytest.fixture
def staff(org, location):
    """One user per role, keyed by role value."""
    return {role: make_user(org, f"{role.value}_user", [role], location=location) for role in Role}


@pytest.fixture
def prescriber(staff):
    return staff[Role.PRESCRIBER]


@pytest.fixture
def nurse(staff):
    return staff[Role.NURSE]


@pytest.fixture
def therapist(staff):
    return staff[Role.THERAPIST]


@pytest.fixture
def front_desk(staff):
    return staff[Role.FRONT_DESK]


@pytest.fixture
def clinic_admin(staff):
    return staff[Role.CLINIC_ADMIN]


def ctx_for(user):
    from ketamine_clinic.audit.services import Context

    return Context(user=user, source_ip="127.0.0.1")


PATIENT_DATA = {
    "given_name": "Jordan",
    "family_name": "Avery",
    "date_of_birth": "1984-05-17",
    "sex_at_birth": "female",
    "phone": "(555) 123-4567",
    "email": "jordan@example.org",
}


@pytest.fixture
def patient(front_desk):
    from ketamine_clinic.patients.services import register_patient

    return register_patient(ctx_for(front_desk), dict(PATIENT_DATA, weight_kg="70.0", height_cm="170"))


@pytest.fixture
def portal_user(org, patient):
    user = make_user(org, "portal_patient", kind="patient")
    patient.portal_user = user
    patient.save(update_fields=["portal_user"])
    return user


@pytest.fixture
def outsider_org(db):
    from ketamine_clinic.accounts.models import Organization

    return Organization.objects.create(name="Elsewhere Clinic", slug="elsewhere", mrn_prefix="EL")


@pytest.fixture
def outsider(outsider_org):
    """A clinic admin and prescriber of another organization: must never see our data."""
    return make_user(outsider_org, "outsider", [Role.CLINIC_ADMIN, Role.PRESCRIBER, Role.FRONT_DESK])


@pytest.fixture
def outsider_patient(outsider):
    from ketamine_clinic.patients.services import register_patient

    return register_patient(ctx_for(outsider), dict(PATIENT_DATA, given_name="Other", family_name="Person"))


@pytest.fixture
def client_for(client):
    """Log a user in on the Django test client."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def today():
    return dt.date.today()
