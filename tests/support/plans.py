"""Plans support: a location with opening hours and chairs, a patient whom screening allows to be
treated, and a draft plan, all made through the services."""

import datetime as dt
from datetime import UTC

import pytest

from ketamine_clinic.plans import scheduling, services

from .people import ctx_for
from .screening import make_ready

# 2030-03-04 is a Monday; US clocks go forward on Sunday 2030-03-10 and back on Sunday 2030-11-03.
NOW = dt.datetime(2030, 3, 1, 15, 0, tzinfo=UTC)
MONDAY = dt.date(2030, 3, 4)
WEEKDAYS_8_TO_18 = {d: "08:00-18:00" for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}


@pytest.fixture
def clinic(location, clinic_admin):
    """The test location open Mon-Fri 08:00-18:00 with two chairs."""
    ctx = ctx_for(clinic_admin)
    scheduling.set_opening_hours(ctx, location, WEEKDAYS_8_TO_18)
    for name in ("Chair 1", "Chair 2"):
        scheduling.add_resource(ctx, location, {"name": name, "kind": "chair"})
    return location


@pytest.fixture
def ready(prescriber, nurse, patient):
    """``ready(route="iv", who=patient)``: screening allows ``who`` to be treated on ``route``."""
    def make(route="iv", who=None):
        who = who or patient
        make_ready(prescriber, nurse, who, route)
        return who
    return make


def plan_data(location, **extra):
    data = {"protocol": "iv-racemic-induction", "location": str(location.public_id),
            "start_date": MONDAY.isoformat(), "preferred_time": "09:00"}
    data.update(extra)
    return data


@pytest.fixture
def draft(nurse, patient, clinic):
    def make(**extra):
        return services.create_plan(ctx_for(nurse), patient, plan_data(clinic, **extra), now=NOW)
    return make


def local(appt):
    return appt.start_at.astimezone(appt.location.tz)
