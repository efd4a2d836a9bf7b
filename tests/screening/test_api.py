
import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.screening.models import EligibilityDecision, IntakeEvaluation

from tests.support.people import ctx_for
from tests.support.screening import BASE_EVALUATION, HYPERSENSITIVE, UNCONTROLLED_HYPERTENSION, complete, consent_in_clinic, evaluation_dict


def base(patient):
    return f"/patients/{patient.public_id}"


def test_create_list_and_read_an_evaluation_with_its_eligibility(api, nurse, therapist, patient):
    created = api(nurse, "post", f"{base(patient)}/evaluations", evaluation_dict(**UNCONTROLLED_HYPERTENSION))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "completed" and body["current"] and body["version"] == 1
    iv = next(r for r in body["eligibility"]["routes"] if r["route"] == "iv")
    assert iv["outcome"] == "needs_prescriber_review"
    reason = iv["reasons"][0]
    assert reason["rule_id"] == "uncontrolled-hypertension-or-cardiovascular-disease" and reason["source"] == "asra-2018"
    assert "Cohen" in reason["source_citation"] and reason["explanation"]
    assert body["eligibility"]["treatment_resistance"]["is_resistant"] is True
    assert [m["instrument"] for m in body["baseline_measures"]] == ["phq9"]
    assert body["baseline_measures"][0]["recorded"] is False and body["baseline_measures"][0]["total"] is None
    assert any(p["clinic_policy"] for p in body["eligibility"]["policy"])

    listed = api(therapist, "get", f"{base(patient)}/evaluations")
    assert listed.status_code == 200 and [e["id"] for e in listed.json()] == [body["id"]]
    read = api(therapist, "get", f"{base(patient)}/evaluations/{body['id']}")
    assert read.status_code == 200 and read.json()["evaluation"]["medical_history"]["hypertension_controlled"] is False


def test_draft_status_creates_a_draft(api, nurse, patient):
    response = api(nurse, "post", f"{base(patient)}/evaluations?status=draft", evaluation_dict())
    assert response.status_code == 201 and response.json()["status"] == "draft" and not response.json()["current"]
    assert api(nurse, "post", f"{base(patient)}/evaluations?status=draft", evaluation_dict()).status_code == 409
    assert api(nurse, "post", f"{base(patient)}/evaluations?status=final", evaluation_dict()).status_code == 422


@pytest.mark.parametrize("body,raw,status,field", [
    ({**evaluation_dict(), "weight_kg": 700}, None, 422, "weight_kg"),
    ({**evaluation_dict(), "indications": []}, None, 422, "indications"),
    (evaluation_dict(hypertension=True), None, 422, "medical_history.hypertension_controlled"),
    ({**evaluation_dict(), "interacting_medications": ["ssri", "ssri"]}, None, 422, "interacting_medications[1]"),
    ({**evaluation_dict(), "schema_version": 99}, None, 422, "schema_version"),
    (None, "{not json", 400, None),
    (None, "[1, 2]", 422, None),
])
def test_bad_evaluation_input_is_a_clear_4xx_and_writes_nothing(api, nurse, patient, body, raw, status, field):
    before = (IntakeEvaluation.objects.count(), AuditEvent.objects.count())
    response = api(nurse, "post", f"{base(patient)}/evaluations", body, raw=raw)
    assert response.status_code == status
    assert response.json()["detail"]
    if field:
        assert field in response.json()["errors"], response.json()
    assert IntakeEvaluation.objects.count() == before[0]
    assert AuditEvent.objects.count() == before[1] + 1  # only the token's own event


def test_sign_decisions_override_rules_and_listing(api, prescriber, nurse, patient):
    ev = api(prescriber, "post", f"{base(patient)}/evaluations", evaluation_dict(**UNCONTROLLED_HYPERTENSION)).json()
    url = f"{base(patient)}/decisions"
    no_reason = api(prescriber, "post", url, {"evaluation_id": ev["id"], "route": "iv", "decision": "approve"})
    assert no_reason.status_code == 422 and "override_reason" in no_reason.json()["errors"]
    ok = api(prescriber, "post", url, {"evaluation_id": ev["id"], "route": "iv", "decision": "approve",
                                       "override_reason": "Cardiology cleared, BP monitored every 10 minutes"})
    assert ok.status_code == 201 and ok.json()["override"] and ok.json()["current"]
    assert api(nurse, "post", url, {"evaluation_id": ev["id"], "route": "im", "decision": "approve"}).status_code == 403
    listed = api(nurse, "get", url).json()
    assert [(d["route"], d["decision"], d["current"]) for d in listed] == [("iv", "approve", True)]


def test_absolute_contraindication_approval_is_409(api, prescriber, patient):
    ev = api(prescriber, "post", f"{base(patient)}/evaluations", evaluation_dict(**HYPERSENSITIVE)).json()
    response = api(prescriber, "post", f"{base(patient)}/decisions",
                   {"evaluation_id": ev["id"], "route": "iv", "decision": "approve", "override_reason": "I will take the risk"})
    assert response.status_code == 409 and "cannot be approved" in response.json()["detail"]
    assert EligibilityDecision.objects.count() == 0


@pytest.mark.parametrize("body,field", [
    ({"evaluation_id": None, "route": "iv", "decision": "approve"}, "evaluation_id"),
    ({"evaluation_id": "7b0a4a1e-7c55-4c4b-8d6b-0d3b0b1c2d3e", "route": "iv", "decision": "approve"}, "evaluation_id"),
    ({"evaluation_id": "nope", "route": "iv", "decision": "approve"}, "evaluation_id"),
    ({"route": "rectal", "decision": "approve"}, "route"),
    ({"route": "iv", "decision": "perhaps"}, "decision"),
])
def test_bad_decision_input_is_422_with_the_field(api, prescriber, patient, body, field):
    ev = api(prescriber, "post", f"{base(patient)}/evaluations", evaluation_dict()).json()
    payload = {"evaluation_id": ev["id"], **body}
    if payload["evaluation_id"] is None:
        del payload["evaluation_id"]
    response = api(prescriber, "post", f"{base(patient)}/decisions", payload)
    assert response.status_code == 422 and field in response.json()["errors"], response.json()
    assert EligibilityDecision.objects.count() == 0


def test_eligibility_check_saves_nothing(api, therapist, patient):
    before = (IntakeEvaluation.objects.count(), AuditEvent.objects.count())
    response = api(therapist, "post", "/eligibility/check", evaluation_dict(**HYPERSENSITIVE))
    assert response.status_code == 200
    outcomes = {r["route"]: r["outcome"] for r in response.json()["routes"]}
    assert set(outcomes.values()) == {"contraindicated"}
    bad = api(therapist, "post", "/eligibility/check", {"indications": "x"})
    assert bad.status_code == 422 and "indications" in bad.json()["errors"] and "medical_history" in bad.json()["errors"]
    assert (IntakeEvaluation.objects.count(), AuditEvent.objects.count()) == (before[0], before[1] + 2)  # token events only


def test_may_treat_endpoint(api, prescriber, nurse, patient):
    ev = api(prescriber, "post", f"{base(patient)}/evaluations", evaluation_dict()).json()
    url = f"{base(patient)}/may-treat?route=iv"
    first = api(nurse, "get", url).json()
    assert first["allowed"] is False and any("No signed eligibility decision" in r for r in first["reasons"])
    api(prescriber, "post", f"{base(patient)}/decisions", {"evaluation_id": ev["id"], "route": "iv", "decision": "approve"})
    consent_in_clinic(nurse, patient, "iv")
    allowed = api(nurse, "get", url).json()
    assert allowed["allowed"] is True and allowed["route"] == "iv" and len(allowed["reasons"]) == 2
    assert api(nurse, "get", f"{base(patient)}/may-treat?route=rectal").status_code == 422
    assert api(nurse, "get", f"{base(patient)}/may-treat").status_code == 422
    assert api(nurse, "get", f"{url}&on_date=2024-02-30").status_code == 422


def test_permissions_front_desk_403_outsider_404(api, front_desk, outsider, nurse, patient):
    ev = api(nurse, "post", f"{base(patient)}/evaluations", evaluation_dict()).json()
    assert api(front_desk, "get", f"{base(patient)}/evaluations").status_code == 403
    assert api(front_desk, "post", f"{base(patient)}/decisions", {"evaluation_id": ev["id"], "route": "iv", "decision": "approve"}).status_code == 403
    for method, path, body in [
        ("get", f"{base(patient)}/evaluations", None),
        ("get", f"{base(patient)}/evaluations/{ev['id']}", None),
        ("post", f"{base(patient)}/evaluations", evaluation_dict()),
        ("get", f"{base(patient)}/decisions", None),
        ("post", f"{base(patient)}/decisions", {"evaluation_id": ev["id"], "route": "iv", "decision": "approve"}),
        ("get", f"{base(patient)}/may-treat?route=iv", None),
    ]:
        response = api(outsider, method, path, body)
        assert response.status_code == 404, (method, path, response.status_code)
    assert IntakeEvaluation.objects.count() == 1 and EligibilityDecision.objects.count() == 0


def test_unknown_evaluation_is_404(api, nurse, patient):
    assert api(nurse, "get", f"{base(patient)}/evaluations/7b0a4a1e-7c55-4c4b-8d6b-0d3b0b1c2d3e").status_code == 404
    assert api(nurse, "get", f"{base(patient)}/evaluations/not-a-uuid").status_code in (404, 422)


def test_openapi_documents_the_evaluation_schema_and_errors(client):
    schema = client.get("/api/v1/openapi.json").json()
    post = schema["paths"]["/api/v1/patients/{patient_id}/evaluations"]["post"]
    assert {"201", "400", "401", "403", "404", "409", "422"} <= set(post["responses"])
    content = post["requestBody"]["content"]["application/json"]
    assert content["schema"]["$ref"].endswith("/EvaluationData") and content["example"]["indications"]
    assert "medical_history" in schema["components"]["schemas"]["EvaluationData"]["properties"]
    assert "/api/v1/eligibility/check" in schema["paths"]
    assert "/api/v1/patients/{patient_id}/may-treat" in schema["paths"]
    decisions = schema["paths"]["/api/v1/patients/{patient_id}/decisions"]["post"]["responses"]
    assert {"201", "403", "404", "409", "422"} <= set(decisions)


def test_the_api_lists_the_clinics_own_settings_as_used(api, prescriber, clinic_admin, patient, outsider):
    change_setting(ctx_for(clinic_admin), "eligibility.bp_caution_systolic_mmhg", 130, "Stricter local policy")

    def used(user, body):
        response = api(user, "post", "/eligibility/check", body)
        assert response.status_code == 200, response.content
        return {p["key"]: p["value"] for p in response.json()["policy"]}

    assert used(prescriber, BASE_EVALUATION)["eligibility.bp_caution_systolic_mmhg"] == 130
    assert used(outsider, BASE_EVALUATION)["eligibility.bp_caution_systolic_mmhg"] == 140
    evaluation = complete(prescriber, patient)
    read = api(prescriber, "get", f"/patients/{patient.public_id}/evaluations/{evaluation.public_id}").json()
    assert {p["key"]: p["value"] for p in read["eligibility"]["policy"]}["eligibility.bp_caution_systolic_mmhg"] == 130
