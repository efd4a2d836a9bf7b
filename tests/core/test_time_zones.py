"""One rule for time zones: dates are decided and times shown in the location's zone, west and
east of the server's (America/New_York), not only in New York."""

import datetime as dt

import pytest
import time_machine
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from ketamine_clinic.accounts.models import Location
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.front.middleware import LocationTimeZoneMiddleware
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.screening import services

from tests.support.people import ctx_for
from tests.support.screening import approve, complete, consent_in_clinic

UTC = dt.UTC


@pytest.fixture(autouse=True)
def server_in_new_york(settings):
    settings.TIME_ZONE = "America/New_York"


def home_in(patient, org, zone: str) -> Location:
    location = Location.objects.create(organization=org, name=zone, time_zone=zone)
    Patient.objects.filter(pk=patient.pk).update(home_location=location)
    patient.refresh_from_db()
    return location


# The moment a prescriber approves and the nurse witnesses consent, and the date it is where the
# patient is. The server's date differs in every row.
SIGNED = [
    # Los Angeles, 21:30 on 31 May (00:30 on 1 June in New York): an evening approval is today's.
    ("America/Los_Angeles", dt.datetime(2030, 6, 1, 4, 30, tzinfo=UTC), dt.date(2030, 5, 31)),
    # Berlin, 01:30 on 2 June (19:30 on 1 June in New York): not valid on Berlin's 1 June.
    ("Europe/Berlin", dt.datetime(2030, 6, 1, 23, 30, tzinfo=UTC), dt.date(2030, 6, 2)),
    # Tokyo, 08:00 on 2 June (19:00 on 1 June in New York).
    ("Asia/Tokyo", dt.datetime(2030, 6, 1, 23, 0, tzinfo=UTC), dt.date(2030, 6, 2)),
]


@pytest.mark.parametrize("zone, signed_at, local_day", SIGNED)
def test_may_treat_dates_an_approval_in_the_patients_zone(prescriber, nurse, patient, org, zone, signed_at, local_day):
    home_in(patient, org, zone)
    with time_machine.travel(signed_at, tick=False):
        approve(prescriber, patient, complete(prescriber, patient), "iv")
        consent_in_clinic(nurse, patient, "iv")
    assert services.may_treat(patient, "iv", local_day).allowed
    day_before = services.may_treat(patient, "iv", local_day - dt.timedelta(days=1))
    assert not day_before.allowed
    assert day_before.reasons[0].endswith(f"was approved only on {local_day:%Y-%m-%d}, after {local_day - dt.timedelta(days=1):%Y-%m-%d}.")


@pytest.mark.parametrize("zone, now, enrolled_on, accepted", [
    ("Asia/Tokyo", dt.datetime(2030, 6, 1, 23, 0, tzinfo=UTC), dt.date(2030, 6, 2), True),  # Tokyo's today
    ("Europe/Berlin", dt.datetime(2030, 6, 1, 23, 30, tzinfo=UTC), dt.date(2030, 6, 2), True),
    ("America/Los_Angeles", dt.datetime(2030, 6, 1, 4, 30, tzinfo=UTC), dt.date(2030, 6, 1), False),  # LA's tomorrow
    ("America/Los_Angeles", dt.datetime(2030, 6, 1, 4, 30, tzinfo=UTC), dt.date(2030, 5, 31), True),
])
def test_rems_enrollment_date_is_checked_against_the_patients_today(nurse, prescriber, patient, org, zone, now,
                                                                    enrolled_on, accepted):
    home_in(patient, org, zone)
    data = {"enrolled_on": enrolled_on.isoformat(), "patient_signed_name": "Jordan Avery", "prescriber": str(prescriber.public_id)}
    with time_machine.travel(now, tick=False):
        if accepted:
            assert services.enroll_rems(ctx_for(nurse), patient, data).enrolled_on == enrolled_on
        else:
            with pytest.raises(ValidationFailed) as refused:
                services.enroll_rems(ctx_for(nurse), patient, data)
            assert "enrolled_on" in refused.value.errors and not patient.rems_enrollments.exists()


AT = dt.datetime(2030, 6, 1, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize("zone, shown", [
    ("America/Los_Angeles", "2030-06-01 16:30"),
    ("America/New_York", "2030-06-01 19:30"),
    ("Europe/Berlin", "2030-06-02 01:30"),
    ("Asia/Tokyo", "2030-06-02 08:30"),
])
def test_template_tag_and_filter_show_a_time_in_the_patients_zone(patient, org, zone, shown):
    home_in(patient, org, zone)
    template = Template('{% load localtime_tags %}{% in_zone_of patient %}{{ at|date:"Y-m-d H:i" }}{% endin_zone_of %}'
                        '|{{ at|in_zone_of:patient|date:"Y-m-d H:i" }}|{{ at|local_date_of:patient|date:"Y-m-d" }}')
    assert template.render(Context({"patient": patient, "at": AT})) == f"{shown}|{shown}|{shown[:10]}"


@pytest.mark.parametrize("zone, shown", [("America/Los_Angeles", "2030-05-31 21:30"), ("Asia/Tokyo", "2030-06-01 13:30")])
def test_consent_page_shows_the_signature_time_in_the_patients_zone(client_for, nurse, patient, org, zone, shown):
    home_in(patient, org, zone)
    with time_machine.travel(dt.datetime(2030, 6, 1, 4, 30, tzinfo=UTC), tick=False):
        consent_in_clinic(nurse, patient, "iv")
    page = client_for(nurse).get(f"/screening/patients/{patient.public_id}/consent/iv/")
    assert page.status_code == 200 and shown in page.content.decode()


def _active_zone_name(request):
    return HttpResponse(timezone.get_current_timezone_name())


@pytest.mark.parametrize("who, zone, expected", [
    ("staff", "Asia/Tokyo", "Asia/Tokyo"),  # staff: their default location
    ("staff", "America/Los_Angeles", "America/Los_Angeles"),
    ("staff", None, "America/New_York"),  # no location: the server's fallback
    ("portal", "Europe/Berlin", "Europe/Berlin"),  # a portal patient: their home location
    ("anonymous", None, "America/New_York"),
])
def test_middleware_activates_the_users_location_zone(nurse, patient, portal_user, org, who, zone, expected):
    from django.contrib.auth.models import AnonymousUser

    location = Location.objects.create(organization=org, name=f"Site {zone}", time_zone=zone) if zone else None
    if who == "staff":
        nurse.default_location = location
        nurse.save(update_fields=["default_location"])
        user = nurse
    elif who == "portal":
        Patient.objects.filter(pk=patient.pk).update(home_location=location)
        user = type(portal_user).objects.get(pk=portal_user.pk)
    else:
        user = AnonymousUser()
    request = RequestFactory().get("/")
    request.user = user
    assert LocationTimeZoneMiddleware(_active_zone_name)(request).content.decode() == expected
    assert timezone.get_current_timezone_name() == "America/New_York"  # restored after the request
