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
