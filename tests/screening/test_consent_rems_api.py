"""Consent documents, the patient's signature, the staff witness, revocation and Spravato REMS
enrollment through the API: the same services as the screens, the standard error shape, nothing
written on a refusal, and another clinic's patient or document is a 404."""

import datetime as dt

import pytest

from ketamine_clinic.screening import services
from ketamine_clinic.screening.models import Consent, ConsentDocument, RemsEnrollment

from tests.support.api import assert_error
from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db

LONG_TEXT = "This consent explains ketamine treatment, its risks, benefits and alternatives. " * 2
ZERO = "00000000-0000-0000-0000-000000000000"


def sign_body(**extra):
    return {"route": "iv", "signed_name": "Jordan Avery", "agree": True, **extra}


def test_consent_documents_are_read_and_versioned(api, clinic_admin, nurse, outsider):
    listed = api(nurse, "get", "/consent-documents")
    assert listed.status_code == 200 and {d["route"] for d in listed.json()} >= {"iv", "esketamine_nasal"}
    v1 = next(d for d in listed.json() if d["route"] == "iv")
    assert v1["version"] == 1 and v1["is_template"] is True
    body = {"route": "iv", "title": "IV ketamine consent", "body": LONG_TEXT, "change_note": "Reviewed by counsel",
            "requires_reconsent": True}
    assert_error(api(nurse, "post", "/consent-documents", body), 403)
    assert_error(api(clinic_admin, "post", "/consent-documents", dict(body, body="Too short")), 422, "body")
    assert_error(api(clinic_admin, "post", "/consent-documents", dict(body, route="rectal")), 422, "route")
    created = api(clinic_admin, "post", "/consent-documents", body)
    assert created.status_code == 201 and created.json()["version"] == 2 and created.json()["requires_reconsent"]
    assert api(nurse, "get", f"/consent-documents/{v1['id']}").json()["version"] == 1  # earlier versions stay
    assert_error(api(outsider, "get", f"/consent-documents/{created.json()['id']}"), 404)
    assert created.json()["id"] not in {d["id"] for d in api(outsider, "get", "/consent-documents").json()}  # their own
    assert ConsentDocument.objects.filter(route="iv", organization=nurse.organization).count() == 2


def test_signature_witness_and_revocation_through_the_api(api, nurse, therapist, prescriber, patient, portal_user):
    base = f"/patients/{patient.public_id}/consents"
    assert_error(api(nurse, "post", base, sign_body(signed_name="Someone Else")), 422, "signed_name")
    assert_error(api(nurse, "post", base, sign_body(agree=False)), 422, "agree")
    assert_error(api(therapist, "post", base, sign_body()), 403)
    stale = str(services.consent_document(patient.organization, "iv").public_id)  # what the patient read: v1
    services.update_consent_document(ctx_for(prescriber), "iv", {"title": "IV consent", "body": LONG_TEXT, "change_note": "New risks"})
    assert_error(api(nurse, "post", base, sign_body(document_id=stale)), 409)
    assert not Consent.objects.exists()

    signed = api(nurse, "post", base, sign_body())
    assert signed.status_code == 201, signed.content
    assert signed.json()["counts"] and signed.json()["witnessed_by"] == nurse.name and signed.json()["document_version"] == 2
    assert_error(api(nurse, "post", base, sign_body()), 409)
    # A consent the patient signed in the portal counts once a staff member witnesses it.
    portal = services.sign_consent(ctx_for(portal_user), patient, "im", {"signed_name": "Jordan Avery", "agree": "on"}, via="portal")
    listed = {c["route"]: c for c in api(therapist, "get", base).json()}
    assert listed["im"]["counts"] is False and listed["im"]["problem"] == services.NOT_WITNESSED
    witnessed = api(nurse, "post", f"{base}/{portal.public_id}/witness")
    assert witnessed.status_code == 200 and witnessed.json()["counts"] is True
    assert_error(api(nurse, "post", f"{base}/{portal.public_id}/witness"), 409)

    consent_id = signed.json()["id"]
    assert_error(api(nurse, "post", f"{base}/{consent_id}/revoke", {"reason": "  "}), 422, "reason")
    revoked = api(nurse, "post", f"{base}/{consent_id}/revoke", {"reason": "Patient changed their mind"})
    assert revoked.status_code == 200 and revoked.json()["counts"] is False and revoked.json()["revoked_by"] == nurse.name
    assert revoked.json()["problem"].startswith("revoked on ")
    assert_error(api(nurse, "post", f"{base}/{consent_id}/revoke", {"reason": "Again"}), 409)
    assert not services.may_treat(patient, "iv", dt.date.today()).allowed


def test_rems_enrollment_with_both_signatures_through_the_api(api, nurse, front_desk, prescriber, patient, clinic_today):
    base = f"/patients/{patient.public_id}/rems-enrollments"
    body = {"enrolled_on": clinic_today.isoformat(), "patient_signed_name": "Jordan Avery", "prescriber_id": str(prescriber.public_id),
            "rems_patient_id": "RP-1001"}
    assert_error(api(nurse, "post", base, dict(body, prescriber_id=str(nurse.public_id))), 422, "prescriber_id")
    assert_error(api(nurse, "post", base, dict(body, patient_signed_name="J. Doe")), 422, "patient_signed_name")
    assert_error(api(nurse, "post", base, dict(body, enrolled_on=(clinic_today + dt.timedelta(days=2)).isoformat())), 422, "enrolled_on")
    assert_error(api(front_desk, "post", base, body), 403)
    assert not RemsEnrollment.objects.exists()
    enrolled = api(nurse, "post", base, body)
    assert enrolled.status_code == 201, enrolled.content
    assert enrolled.json()["prescriber_id"] == str(prescriber.public_id) and enrolled.json()["status"] == "active"
    assert_error(api(nurse, "post", base, body), 409)
    wrong = api(nurse, "post", f"{base}/{enrolled.json()['id']}/entered-in-error", {"reason": "Wrong patient ID"})
    assert wrong.status_code == 200 and wrong.json()["status"] == "entered-in-error"
    assert [r["status"] for r in api(nurse, "get", base).json()] == ["entered-in-error"]


@pytest.mark.parametrize("method, path, body", [
    ("get", "/consents", None),
    ("post", "/consents", sign_body()),
    ("post", "/consents/{consent}/witness", None),
    ("post", "/consents/{consent}/revoke", {"reason": "Outsider"}),
    ("get", "/rems-enrollments", None),
    ("post", "/rems-enrollments", {"enrolled_on": "2026-01-01", "patient_signed_name": "Jordan Avery", "prescriber_id": ZERO}),
    ("post", "/rems-enrollments/{enrollment}/entered-in-error", {"reason": "Outsider"}),
])
def test_outsider_gets_404_and_changes_nothing(api, outsider, nurse, prescriber, patient, portal_user, method, path, body):
    consent = services.sign_consent(ctx_for(portal_user), patient, "iv", {"signed_name": "Jordan Avery", "agree": "on"}, via="portal")
    enrollment = services.enroll_rems(ctx_for(nurse), patient, {
        "enrolled_on": dt.date.today().isoformat(), "patient_signed_name": "Jordan Avery", "prescriber": str(prescriber.public_id)})
    url = f"/patients/{patient.public_id}" + path.format(consent=consent.public_id, enrollment=enrollment.public_id)
    assert_error(api(outsider, method, url, body), 404)
    consent.refresh_from_db()
    enrollment.refresh_from_db()
    assert consent.witnessed_at is None and consent.revoked_at is None and enrollment.status == "active"
    assert Consent.objects.count() == RemsEnrollment.objects.count() == 1


def test_openapi_declares_the_new_endpoints_with_their_errors(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    sign = paths["/api/v1/patients/{patient_id}/consents"]["post"]["responses"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(sign)
    assert "409" in paths["/api/v1/patients/{patient_id}/rems-enrollments"]["post"]["responses"]
    assert "404" in paths["/api/v1/consent-documents/{document_id}"]["get"]["responses"]
