"""Concurrent writers on profiles: the first save by two people at once makes one profile and loses
neither write; two clinicians claiming one NPI at once end with one owner and a 422 for the other,
never a 500. Real concurrent transactions on PostgreSQL (threads, own connections), bounded in
time; SQLite runs the same workers one after another."""

import pytest

from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.directory import services
from ketamine_clinic.directory.models import ProviderLicence, ProviderProfile

from tests.support.concurrency import label, race
from tests.support.people import ctx_for


@pytest.mark.django_db(transaction=True)
def test_first_saves_at_once_make_one_profile_and_lose_no_licence(prescriber, clinic_admin):
    for own, admins in (("NY", "VT"), ("NJ", "MA"), ("CT", "RI")):
        outcomes = race(
            lambda: services.save_licence(ctx_for(prescriber), prescriber.public_id,
                                          {"state": own, "number": "P-1", "expires_on": "2031-01-01"}),
            lambda: services.save_licence(ctx_for(clinic_admin), prescriber.public_id,
                                          {"state": admins, "number": "A-1", "expires_on": "2031-01-01"}))
        assert label(outcomes) == ["ok", "ok"]
    assert ProviderProfile.objects.filter(user=prescriber).count() == 1
    assert ProviderLicence.objects.filter(profile__user=prescriber).count() == 6


@pytest.mark.django_db(transaction=True)
def test_one_npi_claimed_by_two_clinicians_at_once_has_one_owner(prescriber, nurse):
    outcomes = race(lambda: services.save_profile(ctx_for(prescriber), prescriber.public_id, {"npi": "1234567893"}),
                    lambda: services.save_profile(ctx_for(nurse), nurse.public_id, {"npi": "1234567893"}),
                    expect=(ValidationFailed,))
    assert label(outcomes) == ["ok", "validationfailed"]
    refused = next(o for o in outcomes if isinstance(o, ValidationFailed))
    assert refused.errors == {"npi": ["Another clinician of this clinic has this NPI."]}
    assert ProviderProfile.objects.filter(npi="1234567893").count() == 1
