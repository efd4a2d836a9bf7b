"""A patient's "today" follows their home location's time zone, in services and the API alike."""

import datetime as dt

import time_machine

from ketamine_clinic.accounts.models import Location
from ketamine_clinic.core.localtime import patient_today
from ketamine_clinic.patients.models import Patient

# 05:30 UTC on 1 June 2030: 01:30 in New York, still 22:30 on 31 May in Los Angeles.
INSTANT = dt.datetime(2030, 6, 1, 5, 30, tzinfo=dt.UTC)


def move_to_los_angeles(patient, org):
    la = Location.objects.create(organization=org, name="Pasadena", city="Pasadena", region="CA",
                                 time_zone="America/Los_Angeles")
    Patient.objects.filter(pk=patient.pk).update(home_location=la)
    patient.refresh_from_db()


def test_today_is_the_home_locations_date(patient, org, settings):
    settings.TIME_ZONE = "America/New_York"
    Patient.objects.filter(pk=patient.pk).update(home_location=None)
    patient.refresh_from_db()
    assert patient_today(patient, INSTANT) == dt.date(2030, 6, 1)  # no home location: the fallback zone
    move_to_los_angeles(patient, org)
    assert patient_today(patient, INSTANT) == dt.date(2030, 5, 31)


def test_may_treat_defaults_to_the_patients_own_today(client_for, nurse, patient, org):
    move_to_los_angeles(patient, org)
    with time_machine.travel(INSTANT, tick=False):  # log in at that instant too (idle logoff)
        response = client_for(nurse).get(f"/api/v1/patients/{patient.public_id}/may-treat?route=iv")
    assert response.status_code == 200 and response.json()["on_date"] == "2030-05-31"
