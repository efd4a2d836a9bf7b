"""Concurrent writers on profiles: the first save by two people at once makes one profile and loses
neither write; two clinicians claiming one NPI at once end with one owner and a 422 for the other,
never a 500. Real concurrent transactions on PostgreSQL (threads, own connections), bounded in
time; SQLite runs the same workers one after another."""

import threading

import pytest
from django.db import connection

from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.directory import services
from ketamine_clinic.directory.models import ProviderLicence, ProviderProfile

from tests.support.people import ctx_for

BOUND_SECONDS = 60


def _race(*calls):
    concurrent = connection.vendor == "postgresql"
    barrier, errors, outcomes = threading.Barrier(len(calls)), [], []

    def run(call):
        def worker():
            try:
                if concurrent:
                    barrier.wait(timeout=30)
                call()
                outcomes.append("ok")
            except ValidationFailed as exc:
                outcomes.append(exc.errors)
            except Exception as exc:  # reported below, never swallowed
                errors.append(repr(exc))
            finally:
                connection.close()
        return worker

    workers = [threading.Thread(target=run(c), daemon=True) for c in calls]
    for w in workers:
        w.start()
        if not concurrent:
            w.join(BOUND_SECONDS)
    for w in workers:
        w.join(BOUND_SECONDS)
    assert not any(w.is_alive() for w in workers), "a writer hung"
    assert errors == []
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_first_saves_at_once_make_one_profile_and_lose_no_licence(prescriber, clinic_admin):
    for own, admins in (("NY", "VT"), ("NJ", "MA"), ("CT", "RI")):
        outcomes = _race(
            lambda: services.save_licence(ctx_for(prescriber), prescriber.public_id,
                                          {"state": own, "number": "P-1", "expires_on": "2031-01-01"}),
            lambda: services.save_licence(ctx_for(clinic_admin), prescriber.public_id,
                                          {"state": admins, "number": "A-1", "expires_on": "2031-01-01"}))
        assert outcomes == ["ok", "ok"]
    assert ProviderProfile.objects.filter(user=prescriber).count() == 1
    assert ProviderLicence.objects.filter(profile__user=prescriber).count() == 6


@pytest.mark.django_db(transaction=True)
def test_one_npi_claimed_by_two_clinicians_at_once_has_one_owner(prescriber, nurse):
    outcomes = _race(lambda: services.save_profile(ctx_for(prescriber), prescriber.public_id, {"npi": "1234567893"}),
                     lambda: services.save_profile(ctx_for(nurse), nurse.public_id, {"npi": "1234567893"}))
    assert sorted(map(str, outcomes)) == sorted(["ok", str({"npi": ["Another clinician of this clinic has this NPI."]})])
    assert ProviderProfile.objects.filter(npi="1234567893").count() == 1
