"""The trajectory marks each dosing session given (a session record whose dosing started, or a
dosing appointment done without one), numbered in order; and its date axis reads in days."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from ketamine_clinic.assessments import services
from ketamine_clinic.outcomes import trajectory
from ketamine_clinic.plans.models import Appointment
from ketamine_clinic.treatments import services as sessions

from tests.support.assessments import phq9
from tests.support.people import ctx_for
from tests.support.screening import make_ready
from tests.support.treatments import ORDERS, clear_checklist, lot
from .test_schedule import _active_iv_plan_with_session


def ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def checked_in(patient, nurse, prescriber, location):
    make_ready(prescriber, nurse, patient, "iv")
    data = dict(ORDERS["iv"], location=str(location.public_id), ordered_by=str(prescriber.public_id),
                indication="depression", checked_in_at=ago(minutes=200).isoformat())
    return clear_checklist(nurse, sessions.start_session(ctx_for(nurse), patient, data),
                           vitals_at=ago(minutes=195).isoformat())


def dosed_session(patient, nurse, prescriber, location):
    session = checked_in(patient, nurse, prescriber, location)
    sessions.start_dosing(ctx_for(nurse), session, lot(started_at=ago(minutes=180).isoformat()))


def session_ended_without_dose(patient, nurse, prescriber, location):
    session = checked_in(patient, nurse, prescriber, location)
    sessions.end_without_dose(ctx_for(nurse), session, {"reason": "Blood pressure too high today"})


def appointment_done_without_session(patient, nurse, prescriber, location):
    _active_iv_plan_with_session(patient, prescriber, location, ago(days=2))
    Appointment.objects.filter(patient=patient).update(status="done")


def appointment_booked_or_cancelled(patient, nurse, prescriber, location):
    _active_iv_plan_with_session(patient, prescriber, location, ago(days=2))
    Appointment.objects.filter(patient=patient).update(status="cancelled")


def both(patient, nurse, prescriber, location):
    appointment_done_without_session(patient, nurse, prescriber, location)
    dosed_session(patient, nurse, prescriber, location)


@pytest.mark.parametrize("given, labels", [
    (dosed_session, ["S1"]),
    (session_ended_without_dose, []),
    (appointment_done_without_session, ["S1"]),
    (appointment_booked_or_cancelled, []),
    (both, ["S1", "S2"]),
])
def test_dosing_sessions_given_are_marked_on_the_trajectory(client_for, patient, nurse, prescriber, location, given, labels):
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=20), mode="staff_paper", completed_at=ago(days=10))
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=9), mode="staff_paper", completed_at=ago(hours=1))
    given(patient, nurse, prescriber, location)
    assert [label for _, label in trajectory.session_markers(patient, since=ago(days=10, minutes=1))] == labels
    body = client_for(nurse).get(f"/assessments/patients/{patient.public_id}/trajectory/").content.decode()
    assert re.findall(r"<title>(S\d+): ", body) == labels


def test_a_single_response_has_a_date_axis_not_an_hourly_one(patient, nurse):
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=14), mode="staff_paper", completed_at=ago(days=1))
    chart = trajectory.build(patient, "phq9", [(ago(days=1), 14)])
    ticks = re.findall(r'text-anchor="middle" fill="#000000">([^<]+)</text>', chart.svg)
    dates = [t for t in ticks if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t)]
    assert len(dates) >= 5 and not any(re.fullmatch(r"\d{2}:\d{2}", t) for t in ticks), ticks


def test_session_marker_sits_at_the_dose_start_not_the_booked_time(patient, nurse, prescriber, location):
    from ketamine_clinic.treatments.models import TreatmentSession

    booked = timezone.now() - dt.timedelta(days=3)
    dosed = booked + dt.timedelta(minutes=47)
    _active_iv_plan_with_session(patient, prescriber, location, booked)
    appt = Appointment.objects.get(patient=patient)
    Appointment.objects.filter(pk=appt.pk).update(status="done")
    TreatmentSession.objects.create(  # test data: a session of this appointment whose dose began 47 min late
        organization=patient.organization, patient=patient, location=location, route="iv", dose_unit="mg/kg",
        dose_amount="0.5", product_name="Ketamine 50 mg/mL", ordered_by=prescriber, checked_in_by=nurse,
        checked_in_at=booked, appointment=appt, dosing_started_at=dosed)
    assert trajectory.session_markers(patient, since=booked - dt.timedelta(days=1)) == [(dosed, "S1")]
