"""Portal drafts, the trajectory chart, the chart section, and the instrument API."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketamine_clinic.assessments import services
from ketamine_clinic.assessments.models import QuestionnaireResponse
from ketamine_clinic.clinical import instruments as ci

from tests.support.assessments import phq9
from tests.support.people import ctx_for


def test_portal_draft_is_kept_and_resumed_then_submitted(client_for, portal_user, patient):
    client = client_for(portal_user)
    assert "Patient Health Questionnaire-9" in client.get("/assessments/portal/").content.decode()
    saved = client.post("/assessments/portal/phq9/", {"phq9-1": "3", "phq9-2": "2", "action": "save"})
    assert saved.status_code == 302
    draft = QuestionnaireResponse.objects.get()
    assert draft.status == "draft" and draft.answers == {"phq9-1": 3, "phq9-2": 2} and draft.entered_by == portal_user
    assert "draft saved" in client.get("/assessments/portal/").content.decode()
    assert 'name="phq9-1" value="3" checked' in client.get("/assessments/portal/phq9/").content.decode()
    missing = client.post("/assessments/portal/phq9/", {"phq9-1": "3", "action": "submit"})
    assert missing.status_code == 422 and "Missing answer." in missing.content.decode()
    done = client.post("/assessments/portal/phq9/", {k: str(v) for k, v in phq9(total=7).items()} | {"action": "submit"})
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.total == 7 and draft.mode == "portal"
    page = client.get(done["Location"]).content.decode()
    assert "Your total: <strong>7</strong>" in page and "help is available now" not in page


def test_trajectory_page_draws_baseline_response_and_remission_lines(client_for, nurse, patient):
    start = timezone.now() - dt.timedelta(days=28)
    for week, total in enumerate([20, 14, 9, 4]):
        services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=total), mode="staff_paper", completed_at=start + dt.timedelta(days=7 * week))
    body = client_for(nurse).get(f"/assessments/patients/{patient.public_id}/trajectory/").content.decode()
    assert "<svg" in body and 'role="img"' in body
    assert "Baseline 20" in body and "Response (50% below baseline)" in body and "Remission (≤ 4)" in body
    assert "first response" in body


def test_chart_section_is_on_the_patient_chart_and_cheap(client_for, nurse, therapist, front_desk, patient):
    client = client_for(nurse)
    with CaptureQueriesContext(connection) as before:
        client.get(f"/patients/{patient.public_id}/")
    for total in (20, 12, 9):
        services.submit_response(ctx_for(nurse), patient, "phq9", phq9(item9=1 if total == 9 else 0, total=total), mode="staff_paper")
    with CaptureQueriesContext(connection) as after:
        body = client.get(f"/patients/{patient.public_id}/").content.decode()
    assert "Measurement-based care" in body and "Open suicide-risk alert" in body and "<svg" in body
    assert len(after) - len(before) <= 3
    assert "Measurement-based care" not in client_for(front_desk).get(f"/patients/{patient.public_id}/").content.decode()


def test_staff_paper_entry_records_who_and_when(client_for, therapist, patient):
    form = {k: str(v) for k, v in phq9(total=10).items()} | {"completed_at": "2026-01-05T09:30"}
    response = client_for(therapist).post(f"/assessments/patients/{patient.public_id}/enter/phq9/", form)
    stored = QuestionnaireResponse.objects.get()
    assert response.status_code == 302 and stored.mode == "staff_paper" and stored.entered_by == therapist
    assert timezone.localtime(stored.completed_at).strftime("%Y-%m-%d %H:%M") == "2026-01-05 09:30"
    assert stored.submitted_at > stored.completed_at


def test_instrument_list_and_fhir(api, nurse):
    listed = api(nurse, "get", "/instruments").json()
    assert [i["key"] for i in listed] == list(ci.INSTRUMENTS)
    madrs = next(i for i in listed if i["key"] == "madrs")
    assert madrs["patient_can_answer"] is False and madrs["licence_note"]
    fhir = api(nurse, "get", "/instruments/phq9/fhir").json()
    assert fhir == ci.to_fhir_questionnaire("phq9") and fhir["resourceType"] == "Questionnaire"
    missing = api(nurse, "get", "/instruments/nope/fhir")
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]
    assert api(None, "get", "/instruments").status_code == 401


def test_alert_api_lists_and_acknowledges(api, nurse, prescriber, patient):
    response = services.submit_response(ctx_for(nurse), patient, "phq9", phq9(item9=1), mode="staff_paper")
    listed = api(prescriber, "get", "/alerts?status=open").json()
    assert [a["response_id"] for a in listed] == [str(response.public_id)]
    alert_id = listed[0]["id"]
    bad = api(prescriber, "post", f"/alerts/{alert_id}/acknowledge", {"action_taken": ""})
    assert bad.status_code == 422 and "action_taken" in bad.json()["errors"]
    ok = api(prescriber, "post", f"/alerts/{alert_id}/acknowledge", {"action_taken": "C-SSRS same day: low risk; plan"})
    assert ok.status_code == 200 and ok.json()["status"] == "acknowledged" and ok.json()["acknowledged_by"] == prescriber.username
    assert api(prescriber, "post", f"/alerts/{alert_id}/acknowledge", {"action_taken": "again and again"}).status_code == 409
    assert api(prescriber, "get", "/alerts?status=open").json() == []
    assert api(prescriber, "get", "/alerts?status=bogus").status_code == 422
    assert api(prescriber, "post", "/alerts/not-a-uuid/acknowledge", {"action_taken": "whatever it is"}).status_code == 422
