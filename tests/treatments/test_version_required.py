"""Checklist facts and the BP decision need the session version the writer read, on the API and the page."""

import json

import pytest

from ketamine_clinic.accounts.services import create_token
from ketamine_clinic.treatments.models import TreatmentSession


def call(client, user, method, path, body):
    return getattr(client, method)(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {create_token(None, user)}")


@pytest.mark.parametrize("method,path,body", [
    ("patch", "checklist", {"weight_today_kg": "99"}),
    ("patch", "checklist", {"weight_today_kg": "99", "version": None}),
    ("post", "bp-decision", {"note": "Benefit outweighs"}),
])
def test_api_edit_without_a_version_is_422_and_changes_nothing(client, nurse, new_session, method, path, body):
    session = new_session("iv")
    response = call(client, nurse, method, f"/sessions/{session.public_id}/{path}", body)
    assert response.status_code == 422 and "version" in response.json()["errors"]
    assert TreatmentSession.objects.get().version == session.version and TreatmentSession.objects.get().weight_today_kg is None


def test_api_checklist_with_version_0_is_stale(client, nurse, new_session):
    session = new_session("iv")
    response = call(client, nurse, "patch", f"/sessions/{session.public_id}/checklist", {"weight_today_kg": "99", "version": 0})
    assert response.status_code == 409 and TreatmentSession.objects.get().weight_today_kg is None


@pytest.mark.parametrize("page,data", [
    ("checklist", {"weight_today_kg": "99"}),
    ("checklist", {"weight_today_kg": "99", "version": ""}),
    ("bp-decision", {"note": "Benefit outweighs"}),
])
def test_page_edit_without_a_version_is_422_and_changes_nothing(client_for, nurse, prescriber, new_session, page, data):
    session = new_session("iv")
    user = prescriber if page == "bp-decision" else nurse
    response = client_for(user).post(f"/sessions/{session.public_id}/{page}/", data)
    assert response.status_code == 422 and "Send the version you read" in response.content.decode()
    saved = TreatmentSession.objects.get()
    assert saved.version == session.version and saved.weight_today_kg is None
