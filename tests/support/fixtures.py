"""The clinic every test runs in: an organization, a location, one user per role, a registered patient
and their portal account; and the outsider clinic (another organization with its own staff and
patient), used in every permission test."""

import pytest
from django.utils import timezone

from ketamine_clinic.accounts.permissions import Role

from .factories import LocationFactory, OrganizationFactory, PatientFactory, PortalUserFactory
from .people import PATIENT_DATA, make_user


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Test Clinic", slug="test-clinic", mrn_prefix="TC")


@pytest.fixture
def location(org):
    return LocationFactory(organization=org)


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


@pytest.fixture
def patient(front_desk):
    return PatientFactory(registered_by=front_desk, weight_kg="70.0", height_cm="170")


@pytest.fixture
def portal_user(org, patient):
    return PortalUserFactory(organization=org, username="portal_patient", patient=patient)


@pytest.fixture
def outsider_org(db):
    return OrganizationFactory(name="Elsewhere Clinic", slug="elsewhere", mrn_prefix="EL")


@pytest.fixture
def outsider(outsider_org):
    """A clinic admin and prescriber of another organization: must never see our data."""
    return make_user(outsider_org, "outsider", [Role.CLINIC_ADMIN, Role.PRESCRIBER, Role.FRONT_DESK])


@pytest.fixture
def outsider_patient(outsider):
    return PatientFactory(registered_by=outsider, **dict(PATIENT_DATA, given_name="Other", family_name="Person"))


@pytest.fixture
def client_for(client):
    """Log a user in on the Django test client."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def clinic_today():
    """The date in the clinic's configured time zone (Django's TIME_ZONE), as the services compute it."""
    return timezone.localdate()
