import datetime as dt

from django.utils import timezone

from ketamine_clinic.assessments import services, trajectory
from ketamine_clinic.plans.models import Appointment

from .conftest import ctx_for, phq9
from .test_schedule import _active_iv_plan_with_session


def test_given_dosing_sessions_are_marked_on_the_trajectory(client_for, patient, nurse, prescriber, location):
    start = timezone.now() - dt.timedelta(days=10)
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=20), mode="staff_paper", completed_at=start)
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=9), mode="staff_paper", completed_at=start + dt.timedelta(days=7))
    _active_iv_plan_with_session(patient, prescriber, location, start + dt.timedelta(days=2))
    Appointment.objects.filter(patient=patient).update(status="done")
    markers = trajectory.session_markers(patient, since=start)
    assert [label for _, label in markers] == ["S1"]
    body = client_for(nurse).get(f"/assessments/patients/{patient.public_id}/trajectory/").content.decode()
    assert "S1" in body and "<svg" in body


def test_booked_or_cancelled_sessions_are_not_marked(patient, nurse, prescriber, location):
    start = timezone.now() - dt.timedelta(days=10)
    _active_iv_plan_with_session(patient, prescriber, location, start + dt.timedelta(days=2))
    assert trajectory.session_markers(patient, since=start) == []
    Appointment.objects.filter(patient=patient).update(status="cancelled")
    assert trajectory.session_markers(patient, since=start) == []


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
