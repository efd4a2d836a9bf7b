"""Starting a session from today's appointment copies the plan's dose; the appointment follows the
session (checked in -> in session -> done)."""

import datetime as dt

import pytest
from django.utils import timezone

from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.plans import scheduling
from ketamine_clinic.plans import services as plans
from ketamine_clinic.plans.models import Appointment
from ketamine_clinic.treatments import services

from tests.support.factories import PatientFactory
from tests.support.people import ctx_for
from tests.support.treatments import NORMAL_VITALS, ago, clear_checklist, lot
from .test_discharge import FIT

pytestmark = pytest.mark.django_db

PLAN_NOW = dt.datetime(2030, 3, 1, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def appointment(ready, prescriber, nurse, clinic_admin, patient, location):
    ready("iv")
    ctx = ctx_for(clinic_admin)
    scheduling.set_opening_hours(ctx, location, {d: "08:00-18:00" for d in ("monday", "tuesday", "wednesday", "thursday", "friday")})
    chair = scheduling.add_resource(ctx, location, {"name": "Chair 1", "kind": "chair"})
    plan = plans.create_plan(ctx_for(nurse), patient, {"protocol": "iv-racemic-induction", "location": str(location.public_id),
                                                      "start_date": "2030-03-04", "preferred_time": "09:00"}, now=PLAN_NOW)
    plan, _ = plans.activate_plan(ctx_for(prescriber), plan, now=PLAN_NOW)

    def make(start=None):
        start = start or timezone.now()
        return Appointment.objects.create(organization=patient.organization, location=location, patient=patient, plan=plan,
                                          resource=chair, start_at=start, end_at=start + dt.timedelta(hours=2),
                                          created_by=nurse)
    return make


def test_a_session_from_todays_appointment_copies_the_plans_dose(appointment, nurse, prescriber):
    appt = appointment()
    session = services.start_session_from_appointment(ctx_for(nurse), appt.public_id, {
        "product_name": "Ketamine 50 mg/mL", "concentration_mg_per_ml": "50", "infusion_volume_ml": "100",
        "checked_in_at": ago(140)})
    assert (session.route, session.dose_unit, session.dose_amount, session.infusion_minutes) == ("iv", "mg/kg", 0.5, 40)
    assert session.ordered_by == prescriber and session.plan == appt.plan and session.dose_source == "apa-2017"
    appt.refresh_from_db()
    assert appt.status == "checked_in"
    with pytest.raises(Conflict):
        services.start_session_from_appointment(ctx_for(nurse), appt.public_id, {"product_name": "x", "concentration_mg_per_ml": "50"})

    session = clear_checklist(nurse, session, vitals_at=ago(135))
    session = services.start_dosing(ctx_for(nurse), session, lot(started_at=ago(130)))
    appt.refresh_from_db()
    assert appt.status == "in_session"
    session = services.stop_dosing(ctx_for(nurse), session, {"stopped_at": ago(90)})
    services.record_vitals(ctx_for(nurse), session, NORMAL_VITALS)
    services.discharge(ctx_for(nurse), session, FIT)
    appt.refresh_from_db()
    assert appt.status == "done"


def test_an_appointment_on_another_day_does_not_start_a_session(appointment, nurse):
    appt = appointment(start=timezone.now() + dt.timedelta(days=2))
    with pytest.raises(Conflict):
        services.start_session_from_appointment(ctx_for(nurse), appt.public_id, {"product_name": "x"})


def test_the_product_is_still_required(appointment, nurse):
    with pytest.raises(ValidationFailed) as err:
        services.start_session_from_appointment(ctx_for(nurse), appointment().public_id, {"product_name": "Ketamine"})
    assert "concentration_mg_per_ml" in err.value.errors


def test_a_check_in_naming_another_patient_than_the_appointments_is_refused(appointment, nurse, front_desk, client, location):
    import json

    from ketamine_clinic.accounts.services import create_token
    from ketamine_clinic.treatments.models import TreatmentSession


    appt = appointment()
    other = PatientFactory(registered_by=front_desk, given_name="Other", family_name="Person")
    body = {"patient": str(other.public_id), "appointment": str(appt.public_id), "location": str(location.public_id),
            "product_name": "Ketamine 50 mg/mL"}
    response = client.post("/api/v1/sessions", data=json.dumps(body), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {create_token(None, nurse)}")
    assert response.status_code == 422 and "another patient" in response.json()["errors"]["appointment"][0]
    with pytest.raises(ValidationFailed):
        services.start_session_from_appointment(ctx_for(nurse), appt.public_id, {"product_name": "x"}, patient=other)
    assert not TreatmentSession.objects.exists()
    appt.refresh_from_db()
    assert appt.status == "booked"
