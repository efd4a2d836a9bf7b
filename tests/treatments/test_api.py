"""The sessions API: the whole session through HTTP, the standard error shape, permissions,
concurrent writes (stale version -> 409, both vitals rows kept) and bad input refused."""

import pytest
from django.test import Client

from ketamine_clinic.treatments.models import Administration, TreatmentSession, VitalsReading

from tests.support.api import assert_error
from tests.support.treatments import NORMAL_VITALS, ORDERS, ago, lot
from .test_rems import esketamine_session  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def new_body(patient, location, prescriber, route="iv", **extra):
    return dict(ORDERS[route], patient=str(patient.public_id), location=str(location.public_id),
                ordered_by=str(prescriber.public_id), **extra)


def test_a_whole_iv_session_through_the_api(api, ready, patient, location, prescriber, nurse):
    ready("iv")
    call = api.as_user(nurse)
    created = call("post", "/sessions", new_body(patient, location, prescriber, checked_in_at=ago(150)))
    assert created.status_code == 201, created.content
    sid, version = created.json()["id"], created.json()["version"]
    checklist = call("get", f"/sessions/{sid}/checklist").json()
    assert checklist["may_dose"] is False
    refused = call("post", f"/sessions/{sid}/dose", lot())
    assert_error(refused, 409, "checklist")
    assert not Administration.objects.exists()

    patched = call("patch", f"/sessions/{sid}/checklist", {
        "version": version, "weight_today_kg": "70", "last_food_at": ago(300), "last_liquid_at": ago(200),
        "ride_home_confirmed": True, "measure_deferrals": {"phq9": "Paper form", "cssrs": "Verbal screen negative"}})
    assert patched.status_code == 200, patched.content
    assert call("post", f"/sessions/{sid}/vitals", dict(NORMAL_VITALS, observed_at=ago(140))).status_code == 201
    checklist = call("get", f"/sessions/{sid}/checklist").json()
    assert checklist["may_dose"] is True, checklist

    dosed = call("post", f"/sessions/{sid}/dose", lot(started_at=ago(130)))
    assert dosed.status_code == 200, dosed.content
    body = dosed.json()
    assert body["dose"]["dose_mg"] == "35.0" and body["dose"]["pump_rate_ml_per_h"] == "150.0"
    assert body["status"] == "dosing" and body["administration"]["lot_number"] == "KX2231"
    assert call("post", f"/sessions/{sid}/rate-changes", {"at": ago(120), "rate_ml_per_h": 100}).status_code == 201
    vit = call("post", f"/sessions/{sid}/vitals", dict(NORMAL_VITALS, spo2_percent=90, observed_at=ago(110)))
    assert vit.status_code == 201 and vit.json()["alerts"] == ["spo2_low"]
    assert call("post", f"/sessions/{sid}/events", {"kind": "cadss", "score": 6}).status_code == 201
    stopped = call("post", f"/sessions/{sid}/stop", {"stopped_at": ago(85)})
    assert stopped.status_code == 200 and stopped.json()["status"] == "observing"
    assert stopped.json()["given_mg"] is not None
    call("post", f"/sessions/{sid}/vitals", NORMAL_VITALS)
    fit = {"padss_vital_signs": 2, "padss_activity_mental_status": 2, "padss_pain_nausea_vomiting": 2,
           "padss_bleeding": 2, "padss_intake_output": 2, "escort_present": True, "clinician_judges_ready": True}
    blocked = call("post", f"/sessions/{sid}/discharge", fit)
    assert_error(blocked, 409, "discharge")
    assert "1 alert not yet acknowledged" in blocked.json()["errors"]["discharge"]
    alert_id = call("get", f"/sessions/{sid}").json()["alerts"][0]["id"]
    ack = call("post", f"/sessions/{sid}/alerts/{alert_id}/acknowledge", {"action_taken": "O2 2 L/min"})
    assert ack.status_code == 200 and ack.json()["acknowledged_by"] == nurse.username
    done = call("post", f"/sessions/{sid}/discharge", fit)
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "discharged"


def test_concurrent_charting_keeps_both_vitals_and_refuses_a_stale_checklist_edit(api, ready, patient, location,
                                                                               prescriber, nurse, second_nurse):
    ready("iv")
    first, second = api.as_user(nurse), api.as_user(second_nurse)
    sid = first("post", "/sessions", new_body(patient, location, prescriber)).json()["id"]
    version = first("get", f"/sessions/{sid}/checklist").json()["version"]
    # Both nurses chart vitals at the same moment: both rows are kept.
    a = first("post", f"/sessions/{sid}/vitals", dict(NORMAL_VITALS, systolic_mmhg=124))
    b = second("post", f"/sessions/{sid}/vitals", dict(NORMAL_VITALS, systolic_mmhg=126))
    assert a.status_code == b.status_code == 201
    assert sorted(VitalsReading.objects.values_list("systolic_mmhg", flat=True)) == [124, 126]
    # Both edit the checklist from the same version: the second is refused, nothing overwritten.
    ok = first("patch", f"/sessions/{sid}/checklist", {"version": version, "weight_today_kg": "70"})
    assert ok.status_code == 200 and ok.json()["version"] == version + 1
    stale = second("patch", f"/sessions/{sid}/checklist", {"version": version, "weight_today_kg": "95"})
    assert_error(stale, 409, "version")
    assert TreatmentSession.objects.get().weight_today_kg == 70


@pytest.mark.parametrize("body, field", [
    (dict(NORMAL_VITALS, systolic_mmhg=400), "systolic_mmhg"),
    (dict(NORMAL_VITALS, spo2_percent=140), "spo2_percent"),
    (dict(NORMAL_VITALS, heart_rate_per_min="fast"), "heart_rate_per_min"),
    (dict(NORMAL_VITALS, observed_at="2999-01-01T10:00:00+00:00"), "observed_at"),
])
def test_bad_vitals_are_422_and_nothing_is_written(api, ready, patient, location, prescriber, nurse, body, field):
    ready("iv")
    call = api.as_user(nurse)
    sid = call("post", "/sessions", new_body(patient, location, prescriber)).json()["id"]
    assert_error(call("post", f"/sessions/{sid}/vitals", body), 422, field)
    assert not VitalsReading.objects.exists()


def test_a_negative_dose_and_a_stop_before_the_start_are_refused(api, dosing_ready, patient, location, prescriber, nurse):
    call = api.as_user(nurse)
    assert_error(call("post", "/sessions", new_body(patient, location, prescriber, dose_amount="-1")), 422, "dose_amount")
    session = dosing_ready("iv")
    sid = str(session.public_id)
    assert call("post", f"/sessions/{sid}/dose", lot(started_at=ago(20))).status_code == 200
    assert_error(call("post", f"/sessions/{sid}/stop", {"stopped_at": ago(30)}), 422, "stopped_at")
    assert_error(call("post", f"/sessions/{sid}/rate-changes", {"rate_ml_per_h": -3}), 422, "rate_ml_per_h")
    assert TreatmentSession.objects.get().status == "dosing"


def test_permissions_and_scoping(api, dosing_ready, front_desk, therapist, outsider, nurse, location):
    session = dosing_ready("iv")
    sid = str(session.public_id)
    assert api.as_user(therapist)("get", f"/sessions/{sid}").status_code == 200  # therapists may see sessions
    assert_error(api.as_user(therapist)("post", f"/sessions/{sid}/vitals", NORMAL_VITALS), 403)
    assert_error(api.as_user(front_desk)("get", f"/sessions/{sid}"), 403)
    assert_error(api.as_user(outsider)("get", f"/sessions/{sid}"), 404)  # another clinic's prescriber: "not found"
    assert_error(api.as_user(nurse)("get", "/sessions/00000000-0000-0000-0000-000000000000"), 404)
    assert api.as_user(nurse)("get", "/sessions").json()["count"] == 1
    assert_error(Client().get("/api/v1/sessions"), 401)


def test_outsider_clinician_gets_404(api, dosing_ready, outsider_org):
    from ketamine_clinic.accounts.permissions import Role

    from tests.support.people import make_user

    other_nurse = make_user(outsider_org, "other_nurse", [Role.NURSE])
    session = dosing_ready("iv")
    assert_error(api.as_user(other_nurse)("get", f"/sessions/{session.public_id}"), 404)
    assert_error(api.as_user(other_nurse)("post", f"/sessions/{session.public_id}/vitals", NORMAL_VITALS), 404)
    assert api.as_user(other_nurse)("get", "/sessions").json()["count"] == 0


def test_board_and_rems_endpoints(api, dosing_ready, nurse, location):
    session = dosing_ready("iv")
    call = api.as_user(nurse)
    call("post", f"/sessions/{session.public_id}/dose", lot(started_at=ago(15)))
    rows = call("get", f"/locations/{location.public_id}/board").json()
    assert rows[0]["patient_name"] == "Avery, Jordan" and rows[0]["status"] == "dosing"
    assert rows[0]["progress"].endswith("mg (21%)") or "of 35.0 mg" in rows[0]["progress"]
    assert call("get", "/rems-forms").json() == []
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/sessions/{session_id}/vitals" in schema["paths"]
    assert "409" in schema["paths"]["/api/v1/sessions/{session_id}/checklist"]["patch"]["responses"]


def test_rems_forms_through_the_api(api, esketamine_session, nurse, front_desk):
    call = api.as_user(nurse)
    forms = call("get", "/rems-forms").json()
    assert len(forms) == 1 and forms[0]["values"]["dose"] == "56" and forms[0]["missing_required"] == []
    form_id = forms[0]["id"]
    pdf = call("get", f"/rems-forms/{form_id}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert_error(api.as_user(front_desk)("get", "/rems-forms"), 403)
    done = call("post", f"/rems-forms/{form_id}/submitted", {"submission_reference": "PMF-77"})
    assert done.status_code == 200 and done.json()["submitted_by"] == nurse.username
    assert_error(call("post", f"/rems-forms/{form_id}/submitted", {}), 409)
    assert call("get", "/rems-forms").json() == []
