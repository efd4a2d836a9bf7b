"""The view and API toolkit (ketamine_clinic.web): service errors mapped once to pages and JSON,
the one patient lookup, the one refusal text, the one API form-data helper, split API routers."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse
from ninja import Schema

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ketamine_clinic.patients.services import get_patient_for
from ketamine_clinic.web.api import form_data
from ketamine_clinic.web.middleware import ServiceErrorMiddleware
from ketamine_clinic.web.refusals import error_body, refusal_text
from tests.support.people import ctx_for

JSON = {"HTTP_ACCEPT": "application/json"}


# --- the middleware: pages and JSON -----------------------------------------------------------
@pytest.mark.django_db
def test_another_clinics_patient_is_the_404_page(client_for, nurse, patient, outsider_patient):
    client = client_for(nurse)
    assert client.get(reverse("patients:chart", args=[patient.public_id])).status_code == 200
    response = client.get(reverse("patients:chart", args=[outsider_patient.public_id]))
    assert response.status_code == 404
    assert "Not found" in response.content.decode()
    assert outsider_patient.family_name not in response.content.decode()


@pytest.mark.django_db
def test_the_outsider_gets_the_404_page_for_our_patient(client_for, outsider, patient):
    response = client_for(outsider).get(reverse("patients:chart", args=[patient.public_id]))
    assert response.status_code == 404
    assert patient.family_name not in response.content.decode()


@pytest.mark.django_db
def test_a_json_request_gets_the_api_error_shape(client_for, nurse, outsider_patient):
    response = client_for(nurse).get(reverse("patients:chart", args=[outsider_patient.public_id]), **JSON)
    assert response.status_code == 404
    assert response.json() == {"detail": "No such patient.", "errors": {}}


@pytest.mark.django_db
def test_a_refusal_by_the_service_is_the_403_page(client_for, front_desk):
    """The alert list asks the service, which refuses front desk staff (neither clinician nor admin)."""
    response = client_for(front_desk).get(reverse("assessments:alerts"))
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()
    as_json = client_for(front_desk).get(reverse("assessments:alerts"), **JSON)
    assert as_json.status_code == 403 and as_json.json()["errors"] == {}


@pytest.mark.django_db
def test_the_outsider_gets_the_403_page_where_the_role_is_refused(client_for, outsider):
    """The outsider is a clinic admin too: allowed the alert list, it shows no alert of ours."""
    response = client_for(outsider).get(reverse("assessments:alerts"))
    assert response.status_code == 200


def test_a_conflict_answers_json_with_its_status():
    request = RequestFactory().post("/anything/", HTTP_ACCEPT="application/json")
    response = ServiceErrorMiddleware(lambda r: None).process_exception(request, Conflict("Already signed."))
    assert response.status_code == 409
    assert response.content == b'{"detail": "Already signed.", "errors": {}}'


def test_other_exceptions_are_left_to_django():
    request = RequestFactory().get("/anything/")
    assert ServiceErrorMiddleware(lambda r: None).process_exception(request, KeyError("x")) is None


# --- one text, one body -----------------------------------------------------------------------
def test_refusal_text_shows_the_field_messages_under_a_generic_message():
    assert refusal_text(ValidationFailed({"reason": ["A reason is required."]})) == "A reason is required."


def test_refusal_text_keeps_a_services_own_message_before_the_fields():
    exc = ValidationFailed({"dose": ["Above the ceiling."]}, "The dose was refused; nothing was saved.")
    assert refusal_text(exc) == "The dose was refused; nothing was saved. Above the ceiling."


def test_refusal_text_of_a_conflict_is_its_message():
    assert refusal_text(Conflict("Changed by someone else.")) == "Changed by someone else."


def test_error_body_is_designs_shape_for_service_errors_and_refusals():
    assert error_body(ValidationFailed({"x": ["Bad."]})) == (422, {"detail": "Some fields need attention.", "errors": {"x": ["Bad."]}})
    status, body = error_body(PermissionDenied("plan.sign"))
    assert status == 403 and body["errors"] == {} and "sign" in body["detail"].lower()


# --- get_patient_for: the one organization-scoped lookup --------------------------------------
@pytest.mark.django_db
def test_get_patient_for_finds_our_patient_and_audits_the_view(nurse, patient):
    before = AuditEvent.objects.filter(action="patient.view", patient_id=str(patient.public_id)).count()
    assert get_patient_for(ctx_for(nurse), patient.public_id) == patient
    assert AuditEvent.objects.filter(action="patient.view", patient_id=str(patient.public_id)).count() == before + 1


@pytest.mark.django_db
def test_get_patient_for_without_audit_action_writes_no_audit_row(nurse, patient):
    before = AuditEvent.objects.count()
    get_patient_for(ctx_for(nurse), patient.public_id, action="session.run", audit_action="")
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("public_id", ["not-a-uuid", uuid.uuid4(), None])
def test_get_patient_for_an_unknown_id_is_not_found(nurse, public_id):
    with pytest.raises(NotFound):
        get_patient_for(ctx_for(nurse), public_id)


@pytest.mark.django_db
def test_get_patient_for_another_clinics_patient_is_not_found(nurse, outsider, patient, outsider_patient):
    with pytest.raises(NotFound):
        get_patient_for(ctx_for(nurse), outsider_patient.public_id)
    with pytest.raises(NotFound):
        get_patient_for(ctx_for(outsider), patient.public_id)


@pytest.mark.django_db
def test_get_patient_for_checks_the_action_before_looking(front_desk, outsider, patient):
    with pytest.raises(PermissionDenied):
        get_patient_for(ctx_for(front_desk), patient.public_id, action="session.run")
    with pytest.raises(NotFound):  # the outsider may run sessions, in their own clinic only
        get_patient_for(ctx_for(outsider), patient.public_id, action="session.run")


# --- form_data: one API body helper -----------------------------------------------------------
class _Body(Schema):
    patient: uuid.UUID
    amount: Decimal | None = None
    on: dt.date | None = None
    at: dt.time | None = None
    kind: str = "dosing"
    flags: list[str] | None = None
    ok: bool | None = None


def test_form_data_gives_the_services_form_values():
    pid = uuid.uuid4()
    body = _Body(patient=pid, amount=Decimal("0.50"), on=dt.date(2031, 3, 4), at=dt.time(9, 30), flags=["a"], ok=False)
    assert form_data(body) == {"patient": str(pid), "amount": "0.50", "on": "2031-03-04", "at": "09:30:00",
                               "kind": "dosing", "flags": ["a"], "ok": False}


def test_form_data_fills_unsent_fields_with_the_schemas_defaults():
    pid = uuid.uuid4()
    assert form_data(_Body(patient=pid)) == {"patient": str(pid), "amount": "", "on": "", "at": "", "kind": "dosing",
                                             "flags": "", "ok": ""}


def test_form_data_of_a_patch_holds_only_what_was_sent():
    pid = uuid.uuid4()
    assert form_data(_Body(patient=pid, ok=True), only_sent=True) == {"patient": str(pid), "ok": True}


# --- a split API keeps its operation ids ------------------------------------------------------
def test_the_split_session_api_keeps_its_operation_ids(client):
    schema = client.get("/api/v1/openapi.json").json()
    ids = {op["operationId"] for path, ops in schema["paths"].items() if path.startswith(("/api/v1/sessions", "/api/v1/rems-forms"))
           for op in ops.values()}
    assert "ketamine_clinic_treatments_api_list_sessions" in ids
    assert "ketamine_clinic_treatments_api_rems_submitted" in ids
    assert all(i.startswith("ketamine_clinic_treatments_api_") for i in ids)
    assert not any(i.startswith(("ketamine_clinic_treatments_api_sessions_", "ketamine_clinic_treatments_api_dosing_")) for i in ids)
