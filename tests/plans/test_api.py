"""The plans API: protocols, plans, activation, appointments; the standard error shape; outsiders get 404."""

import pytest

from ketamine_clinic.plans.models import Appointment, ClinicProtocol, TreatmentPlan

from tests.support.plans import MONDAY


def plan_body(clinic, **extra):
    return {"protocol": "iv-racemic-induction", "location": str(clinic.public_id), "start_date": "2031-03-03",
            "preferred_time": "09:00", **extra}


def test_protocols_are_listed_and_read_with_sources(api, nurse):
    listed = api(nurse, "get", "/protocols")
    assert listed.status_code == 200 and len(listed.json()) == 9
    body = api(nurse, "get", "/protocols/esketamine-trd").json()
    assert body["protocol"]["dose_rule"]["unit"] == "devices" and body["source"] == "library"
    assert {s["key"] for s in body["sources"]} >= {"spravato-pi", "spravato-rems"}
    missing = api(nurse, "get", "/protocols/nope")
    assert missing.status_code == 404 and set(missing.json()) == {"detail", "errors"}


def test_protocol_copy_via_api_and_bad_edit(api, clinic_admin, nurse):
    created = api(clinic_admin, "post", "/protocols", {"based_on": "im-series", "key": "im-ours", "reason": "Our IM"})
    assert created.status_code == 201 and created.json()["version"] == 1 and created.json()["based_on"] == "library:im-series@1"
    data = created.json()["protocol"]
    data["phases"][0]["session_count"] = 0
    bad = api(clinic_admin, "post", "/protocols", {"based_on": "im-ours", "key": "im-ours", "protocol": data, "reason": "x"})
    assert bad.status_code == 422 and "protocol.phases[0].session_count" in bad.json()["errors"]
    assert api(nurse, "post", "/protocols", {"based_on": "im-series", "key": "im-x", "reason": "x"}).status_code == 403
    assert ClinicProtocol.objects.count() == 1


def test_plan_create_activate_and_list_appointments(api, nurse, prescriber, patient, clinic, ready):
    ready("iv")
    created = api(nurse, "post", f"/patients/{patient.public_id}/plans", plan_body(clinic))
    assert created.status_code == 201, created.json()
    plan_id = created.json()["id"]
    assert created.json()["status"] == "draft" and created.json()["dose"]["dose"] == "0.5"
    assert api(nurse, "post", f"/plans/{plan_id}/activate", {}).status_code == 403
    activated = api(prescriber, "post", f"/plans/{plan_id}/activate", {"reason": "Go"})
    assert activated.status_code == 200, activated.json()
    plan = activated.json()["plan"]
    assert plan["status"] == "active" and len(plan["appointments"]) == 6
    assert plan["appointments"][0]["local_start"] == "2031-03-03T09:00:00-05:00"
    day = api(nurse, "get", f"/appointments?location={clinic.public_id}&date=2031-03-03")
    assert day.status_code == 200 and len(day.json()) == 1
    week = api(nurse, "get", f"/appointments?location={clinic.public_id}&date=2031-03-03&days=7")
    assert len(week.json()) == 3
    appt_id = plan["appointments"][0]["id"]
    no_reason = api(nurse, "post", f"/appointments/{appt_id}/cancel", {"reason": ""})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    cancelled = api(nurse, "post", f"/appointments/{appt_id}/cancel", {"reason": "Unwell"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    dose = api(prescriber, "post", f"/plans/{plan_id}/dose", {"dose": "2", "reason": "More"})
    assert dose.status_code == 422 and "outside this protocol's allowed range" in dose.json()["errors"]["dose"][0]
    listed = api(nurse, "get", f"/patients/{patient.public_id}/plans")
    assert listed.status_code == 200 and listed.json()[0]["doses"][0]["version"] == 1


def test_activation_refused_says_why(api, nurse, prescriber, patient, clinic):
    plan_id = api(nurse, "post", f"/patients/{patient.public_id}/plans", plan_body(clinic)).json()["id"]
    refused = api(prescriber, "post", f"/plans/{plan_id}/activate", {})
    assert refused.status_code == 409
    assert any("No consent" in r for r in refused.json()["errors"]["activation"])
    assert Appointment.objects.count() == 0


def test_bad_plan_input_is_422_and_writes_nothing(api, nurse, patient, clinic):
    for body, field in ((plan_body(clinic, dose="3"), "dose"), (plan_body(clinic, start_date="2001-01-01"), "start_date"),
                        (plan_body(clinic, protocol="nope"), "protocol"), ({"protocol": "x"}, "location")):
        response = api(nurse, "post", f"/patients/{patient.public_id}/plans", body)
        assert response.status_code == 422 and field in response.json()["errors"], response.json()
    assert TreatmentPlan.objects.count() == 0


def test_booking_conflicts_via_api(api, front_desk, patient, clinic):
    chair = str(clinic.resources.get(name="Chair 1").public_id)
    body = {"patient": str(patient.public_id), "location": str(clinic.public_id), "start": "2031-03-04T10:00",
            "resource": chair}
    first = api(front_desk, "post", "/appointments", body)
    assert first.status_code == 201 and first.json()["local_start"] == "2031-03-04T10:00:00-05:00"
    again = api(front_desk, "post", "/appointments", body)
    assert again.status_code == 409 and "already booked" in again.json()["errors"]["start"][0]
    past = api(front_desk, "post", "/appointments", dict(body, start="2020-03-04T10:00"))
    assert past.status_code == 422 and "in the past" in past.json()["errors"]["start"][0]
    assert Appointment.objects.count() == 1


def test_the_outsider_gets_404_for_our_plans_and_appointments(api, nurse, prescriber, patient, clinic, outsider, ready):
    ready("iv")
    plan_id = api(nurse, "post", f"/patients/{patient.public_id}/plans", plan_body(clinic)).json()["id"]
    appts = api(prescriber, "post", f"/plans/{plan_id}/activate", {}).json()["plan"]["appointments"]
    for method, path, body in (
        ("get", f"/plans/{plan_id}", None),
        ("post", f"/plans/{plan_id}/activate", {}),
        ("post", f"/plans/{plan_id}/status", {"status": "stopped", "reason": "x"}),
        ("get", f"/patients/{patient.public_id}/plans", None),
        ("post", f"/patients/{patient.public_id}/plans", plan_body(clinic)),
        ("get", f"/appointments/{appts[0]['id']}", None),
        ("post", f"/appointments/{appts[0]['id']}/cancel", {"reason": "x"}),
        ("get", f"/appointments?location={clinic.public_id}", None),
    ):
        response = api(outsider, method, path, body)
        assert response.status_code == 404, (path, response.status_code)
    assert api(outsider, "get", f"/appointments?date={MONDAY}").json() == []
    assert Appointment.objects.filter(status="booked").count() == 6


def test_clinic_admin_cannot_see_plans_but_sees_the_schedule(api, clinic_admin, patient, clinic):
    assert api(clinic_admin, "get", f"/patients/{patient.public_id}/plans").status_code == 403
    assert api(clinic_admin, "get", f"/appointments?location={clinic.public_id}").status_code == 200
