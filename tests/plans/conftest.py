"""Fixtures for the plans tests: a location with opening hours and chairs, and a patient whom
screening allows to be treated (through the screening services, as a clinic would)."""

import datetime as dt
from datetime import UTC

import pytest

from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.plans import scheduling, services
from ketamine_clinic.screening import services as screening

from ..conftest import ctx_for
from ..screening.helpers import approve, complete, consent_in_clinic

# 2030-03-04 is a Monday; US clocks go forward on Sunday 2030-03-10 and back on Sunday 2030-11-03.
NOW = dt.datetime(2030, 3, 1, 15, 0, tzinfo=UTC)
MONDAY = dt.date(2030, 3, 4)
WEEKDAYS_8_TO_18 = {d: "08:00-18:00" for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}


@pytest.fixture
def clinic(location, clinic_admin):
    """The test location open Mon-Fri 08:00-18:00 with two chairs and a therapy room."""
    ctx = ctx_for(clinic_admin)
    scheduling.set_opening_hours(ctx, location, WEEKDAYS_8_TO_18)
    for name in ("Chair 1", "Chair 2"):
        scheduling.add_resource(ctx, location, {"name": name, "kind": "chair"})
    return location


def make_ready(prescriber, nurse, patient, route):
    """Evaluation completed, route approved, consent witnessed (and REMS for esketamine)."""
    route = Route(route)
    ev = screening.current_evaluation(patient) or complete(prescriber, patient)
    approve(prescriber, patient, ev, route.value)
    consent_in_clinic(nurse, patient, route.value)
    if route is Route.ESKETAMINE_NASAL and screening.current_rems(patient) is None:
        screening.enroll_rems(ctx_for(nurse), patient, {
            "enrolled_on": dt.date.today().isoformat(), "patient_signed_name": "Jordan Avery",
            "prescriber": str(prescriber.public_id)})


@pytest.fixture
def ready(prescriber, nurse, patient):
    def make(route="iv", who=patient):
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
