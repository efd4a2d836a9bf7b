"""Moving an appointment needs the version the scheduler read, on the API, the page and the service."""

import json

import pytest

from ketamine_clinic.accounts.services import create_token
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.plans import scheduling

from tests.support.people import ctx_for
from .test_reminders import soon


@pytest.fixture
def appt(front_desk, patient, clinic):
    return scheduling.book_appointment(ctx_for(front_desk), patient, {
        "location": str(clinic.public_id), "start": soon(), "kind": "dosing",
        "resource": str(clinic.resources.get(name="Chair 1").public_id)})


def reschedule(client, user, appt, body):
    return client.post(f"/api/v1/appointments/{appt.public_id}/reschedule", data=json.dumps(body),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {create_token(None, user)}")


def test_api_reschedule_without_a_version_is_422_and_moves_nothing(client, front_desk, appt):
    response = reschedule(client, front_desk, appt, {"start": soon(4, 11), "reason": "Asked"})
    assert response.status_code == 422 and "version" in response.json()["errors"]
    appt.refresh_from_db()
    assert appt.version == 1


def test_api_reschedule_with_version_0_is_stale(client, front_desk, appt):
    response = reschedule(client, front_desk, appt, {"start": soon(4, 11), "reason": "Asked", "version": 0})
    assert response.status_code == 409
    appt.refresh_from_db()
    assert appt.version == 1


def test_api_reschedule_with_its_version_moves(client, front_desk, appt):
    response = reschedule(client, front_desk, appt, {"start": soon(4, 11), "reason": "Asked", "version": 1})
    assert response.status_code == 200 and response.json()["version"] == 2


@pytest.mark.parametrize("version", [None, ""])
def test_reschedule_page_without_a_version_is_422_and_moves_nothing(client_for, front_desk, appt, version):
    data = {"start": soon(4, 11), "reason": "Asked", **({} if version is None else {"version": version})}
    response = client_for(front_desk).post(f"/plans/appointments/{appt.public_id}/reschedule/", data)
    assert response.status_code == 422
    appt.refresh_from_db()
    assert appt.version == 1


def test_the_service_refuses_a_move_without_a_version(front_desk, appt):
    with pytest.raises(ValidationFailed) as err:
        scheduling.reschedule_appointment(ctx_for(front_desk), appt, {"start": soon(4, 11), "reason": "Asked"})
    assert "version" in err.value.errors


def test_reschedule_page_says_why_a_versionless_move_was_refused(client_for, front_desk, appt):
    response = client_for(front_desk).post(f"/plans/appointments/{appt.public_id}/reschedule/", {"start": soon(4, 11), "reason": "Asked"})
    assert "Send the version you read" in response.content.decode()
