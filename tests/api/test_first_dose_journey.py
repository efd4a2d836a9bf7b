"""A patient registered through the API reaches a first esketamine dose, discharge and the REMS
monitoring form through the API alone (the clinic's opening hours and chairs are set up once)."""

import datetime as dt
import json

import time_machine
from django.test import Client

from ketamine_clinic.accounts.services import create_token
from ketamine_clinic.plans import scheduling

from tests.support.people import PATIENT_DATA, ctx_for
from tests.support.screening import BASE_EVALUATION

# Monday 4 March 2030, 07:00 in New York (the test location's zone).
MONDAY_7AM = dt.datetime(2030, 3, 4, 12, 0, tzinfo=dt.UTC)
NORMAL = {"systolic_mmhg": 122, "diastolic_mmhg": 78, "heart_rate_per_min": 72, "spo2_percent": 98, "respiratory_rate_per_min": 14}
FIT = {"padss_vital_signs": 2, "padss_activity_mental_status": 2, "padss_pain_nausea_vomiting": 2, "padss_bleeding": 2,
       "padss_intake_output": 2, "escort_present": True, "clinician_judges_ready": True}


def caller(user):
    token = create_token(None, user)

    def call(method, path, body=None, expect=200):
        kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
        response = getattr(Client(), method)(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {token}", **kwargs)
        assert response.status_code == expect, (method, path, response.content)
        return response.json() if response["Content-Type"].startswith("application/json") else response
    return call


def test_from_registration_to_discharge_and_the_rems_form_through_the_api(location, clinic_admin, front_desk, nurse, prescriber):
    scheduling.set_opening_hours(ctx_for(clinic_admin), location, {d: "08:00-18:00" for d in ("monday", "tuesday", "wednesday", "thursday", "friday")})
    scheduling.add_resource(ctx_for(clinic_admin), location, {"name": "Chair 1", "kind": "chair"})
    nurse.phone, nurse.email = "(555) 010-2000", "nurse@clinic.example"  # the REMS form's clinician contact
    nurse.save(update_fields=["phone", "email"])
    desk, rn, md = caller(front_desk), caller(nurse), caller(prescriber)
    with time_machine.travel(MONDAY_7AM, tick=False) as clock:
        pid = desk("post", "/patients", dict(PATIENT_DATA, weight_kg=70), expect=201)["id"]
        rn("post", f"/patients/{pid}/records/medication", {"data": {"name": "Sertraline", "drug_class": "ssri", "dose": "150 mg"}}, expect=201)
        rn("post", f"/patients/{pid}/records/trial", {"data": {"drug": "Sertraline", "dose_mg_per_day": 150, "weeks": 8, "adequate": True,
                                                               "outcome": "no_response", "current_episode": True}}, expect=201)
        ev = md("post", f"/patients/{pid}/evaluations", BASE_EVALUATION, expect=201)
        md("post", f"/patients/{pid}/decisions", {"evaluation_id": ev["id"], "route": "esketamine_nasal", "decision": "approve"}, expect=201)
        doc = next(d for d in rn("get", "/consent-documents") if d["route"] == "esketamine_nasal")
        rn("post", f"/patients/{pid}/consents", {"route": "esketamine_nasal", "signed_name": "Jordan Avery", "agree": True,
                                                 "document_id": doc["id"]}, expect=201)
        rn("post", f"/patients/{pid}/rems-enrollments", {"enrolled_on": "2030-03-04", "patient_signed_name": "Jordan Avery",
                                                         "prescriber_id": str(prescriber.public_id)}, expect=201)
        assert md("get", f"/patients/{pid}/may-treat?route=esketamine_nasal")["allowed"] is True
        plan = rn("post", f"/patients/{pid}/plans", {"protocol": "esketamine-trd", "location": str(location.public_id),
                                                     "start_date": "2030-03-04", "preferred_time": "09:00"}, expect=201)
        first = md("post", f"/plans/{plan['id']}/activate", {"reason": "Start induction"})["plan"]["appointments"][0]
        assert first["local_start"] == "2030-03-04T09:00:00-05:00"
        assert rn("get", f"/appointments/{first['id']}")["status"] == "booked"

        clock.move_to(dt.datetime(2030, 3, 4, 14, 0, tzinfo=dt.UTC))  # 09:00: check-in for the appointment
        session = rn("post", "/sessions", {"patient": pid, "appointment": first["id"], "location": str(location.public_id),
                                           "product_name": "Spravato 28 mg nasal device"}, expect=201)
        sid = session["id"]
        rn("patch", f"/sessions/{sid}/checklist", {
            "version": session["version"], "weight_today_kg": "70", "last_food_at": "2030-03-04T06:00:00-05:00",
            "last_liquid_at": "2030-03-04T07:30:00-05:00", "ride_home_confirmed": True,
            "measure_deferrals": {"phq9": "Paper form", "cssrs": "Verbal screen negative"}})
        rn("post", f"/sessions/{sid}/vitals", NORMAL, expect=201)
        assert rn("get", f"/sessions/{sid}/checklist")["may_dose"] is True
        clock.shift(dt.timedelta(minutes=5))
        rn("post", f"/sessions/{sid}/dose", {"lot_number": "SPV101", "expiry_date": "2031-01-31"})
        clock.shift(dt.timedelta(minutes=5))
        rn("post", f"/sessions/{sid}/devices", {"lot_number": "SPV102", "expiry_date": "2031-01-31"}, expect=201)
        for _ in range(3):  # observation: vitals at 40, 80 and 120 minutes
            clock.shift(dt.timedelta(minutes=40))
            rn("post", f"/sessions/{sid}/vitals", NORMAL, expect=201)
            rn("post", f"/sessions/{sid}/events", {"kind": "moaas", "score": 5}, expect=201)
            rn("post", f"/sessions/{sid}/events", {"kind": "cadss", "score": 4}, expect=201)
        assert rn("post", f"/sessions/{sid}/discharge", dict(FIT, ready_without_minimum_min=75))["status"] == "discharged"

        forms = rn("get", "/rems-forms")
        assert len(forms) == 1 and forms[0]["missing_required"] == [], forms[0]["missing_required"]
        pdf = rn("get", f"/rems-forms/{forms[0]['id']}/pdf")
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_check_in_without_an_appointment_still_needs_the_order(patient, location, nurse):
    refused = caller(nurse)("post", "/sessions", {"patient": str(patient.public_id), "location": str(location.public_id),
                                                  "product_name": "Spravato 28 mg nasal device"}, expect=422)
    assert {"route", "dose_amount", "ordered_by"} <= set(refused["errors"])
