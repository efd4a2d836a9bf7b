"""Bad input gets precise errors and writes nothing."""

import pytest

from ketamine_clinic.assessments.models import QuestionnaireResponse, SuicideRiskAlert
from ketamine_clinic.audit.models import AuditEvent

from tests.support.assessments import phq9


WRITE_ACTIONS = ("assessment.enter", "assessment.submit", "assessment.draft", "alert.raise")


def _nothing_written():
    return QuestionnaireResponse.objects.count() == 0 and SuicideRiskAlert.objects.count() == 0 and not AuditEvent.objects.filter(action__in=WRITE_ACTIONS).exists()


@pytest.mark.parametrize(
    "body,field,message",
    [
        ({"instrument_key": "phq9", "answers": {"phq9-1": 1}}, "phq9-2", "Missing answer."),
        ({"instrument_key": "phq9", "answers": phq9() | {"phq9-3": 4}}, "phq9-3", "Out of range: must be a whole number from 0 to 3, got 4."),
        ({"instrument_key": "phq9", "answers": phq9() | {"phq9-3": "two"}}, "phq9-3", "Must be a whole number from 0 to 3"),
        ({"instrument_key": "phq9", "answers": phq9() | {"phq9-3": True}}, "phq9-3", "Must be a whole number"),
        ({"instrument_key": "phq9", "answers": phq9() | {"phq9-99": 1}}, "phq9-99", "Unknown item"),
        ({"instrument_key": "cssrs", "answers": {"cssrs-1": 1, "cssrs-2": False, "cssrs-6": False}}, "cssrs-1", "yes or no"),
        ({"instrument_key": "cssrs", "answers": {"cssrs-1": False, "cssrs-2": False, "cssrs-3": True, "cssrs-6": False}}, "cssrs-3", "Must be left blank"),
        ({"instrument_key": "nope", "answers": {}}, "instrument_key", "Unknown instrument 'nope'."),
        ({"instrument_key": "phq9", "answers": phq9(), "mode": "portal"}, "mode", "Staff enter responses"),
        ({"instrument_key": "phq9", "answers": phq9(), "completed_at": "2999-01-01T00:00:00Z"}, "completed_at", "cannot be in the future"),
        ({"instrument_key": "phq9", "answers": [1, 2, 3]}, "answers", ""),
        ({"answers": phq9()}, "instrument_key", ""),
    ],
)
def test_bad_answers_are_422_with_field_errors_and_nothing_is_written(api, nurse, patient, body, field, message):
    response = api(nurse, "post", f"/patients/{patient.public_id}/responses", body)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert field in errors and any(message in m for m in errors[field]), errors
    assert _nothing_written()


def test_unparseable_json_is_400_or_422_and_nothing_is_written(api, nurse, patient):
    response = api(nurse, "post", f"/patients/{patient.public_id}/responses", raw="{not json")
    assert response.status_code in (400, 422) and "detail" in response.json()
    assert _nothing_written()


def test_a_response_for_another_clinics_patient_is_404_and_nothing_is_written(api, nurse, outsider_patient):
    response = api(nurse, "post", f"/patients/{outsider_patient.public_id}/responses", {"instrument_key": "phq9", "answers": phq9(item9=2)})
    assert response.status_code == 404
    assert _nothing_written()


def test_staff_form_with_missing_and_out_of_range_answers_shows_each_error(client_for, nurse, patient):
    form = {f"phq9-{n}": "1" for n in range(1, 8)} | {"phq9-8": "7"}
    response = client_for(nurse).post(f"/assessments/patients/{patient.public_id}/enter/phq9/", form)
    body = response.content.decode()
    assert response.status_code == 422
    assert "Out of range: must be a whole number from 0 to 3, got 7." in body and "Missing answer." in body
    assert 'value="1" checked' in body  # the answers given are kept
    assert QuestionnaireResponse.objects.count() == 0


def test_unknown_instrument_page_is_404(client_for, nurse, portal_user, patient):
    assert client_for(nurse).get(f"/assessments/patients/{patient.public_id}/enter/nope/").status_code == 404
    assert client_for(portal_user).get("/assessments/portal/nope/").status_code == 404


def test_patient_cannot_fill_a_clinician_scored_scale(client_for, portal_user):
    assert client_for(portal_user).get("/assessments/portal/madrs/").status_code == 404


def test_draft_with_an_out_of_range_value_is_refused(client_for, portal_user):
    response = client_for(portal_user).post("/assessments/portal/phq9/", {"phq9-1": "5", "action": "save"})
    assert response.status_code == 422 and "Out of range" in response.content.decode()
    assert QuestionnaireResponse.objects.count() == 0
