"""Dates and times at the calendar's edges get a field error (422), never a 500: booking, moving,
planning, and the schedule page."""

import json

import pytest

from ketamine_clinic.accounts.services import create_token
from ketamine_clinic.plans import scheduling
from ketamine_clinic.plans.models import Appointment, TreatmentPlan

from tests.support.people import ctx_for
from .test_reminders import soon


def post(client, user, path, body):
    return client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {create_token(None, user)}")


EDGE_TIMES = ["9999-12-31T23:30:00", "9999-12-31T23:59:59", "0001-01-01T00:00:00", "1899-12-31T10:00:00", "3000-01-01T10:00:00"]


@pytest.mark.parametrize("start", EDGE_TIMES)
def test_booking_at_the_calendars_edge_is_422(client, front_desk, patient, clinic, start):
    response = post(client, front_desk, "/appointments", {
        "patient": str(patient.public_id), "location": str(clinic.public_id), "start": start,
        "resource": str(clinic.resources.get(name="Chair 1").public_id)})
    assert response.status_code == 422 and "start" in response.json()["errors"]
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("start", EDGE_TIMES)
def test_moving_to_the_calendars_edge_is_422(client, front_desk, patient, clinic, start):
    appt = scheduling.book_appointment(ctx_for(front_desk), patient, {
        "location": str(clinic.public_id), "start": soon(), "kind": "dosing",
        "resource": str(clinic.resources.get(name="Chair 1").public_id)})
    response = post(client, front_desk, f"/appointments/{appt.public_id}/reschedule", {"start": start, "reason": "x", "version": 1})
    assert response.status_code == 422 and "start" in response.json()["errors"]
    appt.refresh_from_db()
    assert appt.version == 1


@pytest.mark.parametrize("start_date", ["9999-12-31", "3000-01-01"])
def test_a_plan_starting_past_the_calendar_is_422(client, nurse, patient, clinic, start_date):
    response = post(client, nurse, f"/patients/{patient.public_id}/plans", {
        "protocol": "iv-racemic-induction", "location": str(clinic.public_id), "start_date": start_date, "preferred_time": "09:00"})
    assert response.status_code == 422 and "start_date" in response.json()["errors"]
    assert not TreatmentPlan.objects.exists()


@pytest.mark.parametrize("time", ["09:00", "09:00:00"])
def test_preferred_time_is_answered_without_an_offset_as_documented(client, nurse, patient, clinic, time):
    response = post(client, nurse, f"/patients/{patient.public_id}/plans", {
        "protocol": "iv-racemic-induction", "location": str(clinic.public_id), "start_date": soon()[:10], "preferred_time": time})
    assert response.status_code == 201, response.content
    assert response.json()["preferred_time"] == "09:00:00"
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["PlanOut"]["properties"]["preferred_time"]
    assert "format" not in schema and schema["pattern"]
