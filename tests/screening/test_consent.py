import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ketamine_clinic.screening import services
from ketamine_clinic.screening.consent_defaults import DEFAULT_DOCUMENTS
from ketamine_clinic.screening.models import Consent, ConsentDocument, RemsEnrollment

from tests.support.people import ctx_for
from tests.support.screening import consent_in_clinic


def test_default_document_is_seeded_lazily_once_per_clinic_and_marked_template(org, outsider_org):
    assert ConsentDocument.objects.count() == 0
    doc = services.consent_document(org, "iv")
    again = services.consent_document(org, "iv")
    assert doc == again and doc.version == 1 and doc.is_template
    assert doc.title == DEFAULT_DOCUMENTS["iv"][0]
    assert services.consent_document(outsider_org, "iv").organization == outsider_org
    assert ConsentDocument.objects.count() == 2


def test_editing_a_document_creates_a_new_version(prescriber, clinic_admin, nurse, org):
    v1 = services.consent_document(org, "im")
    data = {"title": v1.title, "body": v1.body + "\nOur clinic's own paragraph.", "change_note": "Clinic review"}
    v2 = services.update_consent_document(ctx_for(clinic_admin), "im", data)
    assert v2.version == 2 and not v2.is_template and ConsentDocument.objects.filter(route="im").count() == 2
    with pytest.raises(ValidationFailed) as exc:
        services.update_consent_document(ctx_for(prescriber), "im", data)  # nothing changed
    assert "body" in exc.value.errors
    with pytest.raises(PermissionDenied):
        services.update_consent_document(ctx_for(nurse), "im", dict(data, body=data["body"] + "!"))
    with pytest.raises(ValidationFailed) as exc:
        services.update_consent_document(ctx_for(clinic_admin), "im", dict(data, body="too short"))
    assert "body" in exc.value.errors


def test_consent_signed_in_clinic_is_witnessed_at_once(front_desk, patient):
    c = consent_in_clinic(front_desk, patient, "iv")
    assert c.witnessed_by == front_desk and c.signed_via == "clinic" and c.signed_ip == "127.0.0.1"
    assert c.document.version == 1
    assert AuditEvent.objects.filter(action="consent.sign", patient_id=str(patient.public_id)).exists()
    with pytest.raises(Conflict):  # already signed
        consent_in_clinic(front_desk, patient, "iv")


def test_portal_signature_waits_for_a_staff_witness(portal_user, nurse, patient):
    c = services.sign_consent(ctx_for(portal_user), patient, "iv", {"signed_name": "jordan avery", "agree": "on"}, via="portal")
    state = services.screening_state(patient)
    assert state.routes["iv"].consent_problem == "signed but not yet witnessed by staff"
    services.witness_consent(ctx_for(nurse), patient, c.public_id)
    assert services.screening_state(patient).routes["iv"].consent_problem == ""
    with pytest.raises(Conflict):
        services.witness_consent(ctx_for(nurse), patient, c.public_id)


def test_someone_elses_portal_account_cannot_sign_for_the_patient(org, patient, portal_user):
    from tests.support.people import make_user

    stranger = make_user(org, "stranger", kind="patient")
    with pytest.raises(NotFound):
        services.sign_consent(ctx_for(stranger), patient, "iv", {"signed_name": "Jordan Avery", "agree": "on"}, via="portal")


@pytest.mark.parametrize("data,field", [
    ({"signed_name": "Someone Else", "agree": "on"}, "signed_name"),
    ({"signed_name": "", "agree": "on"}, "signed_name"),
    ({"signed_name": "Jordan Avery"}, "agree"),
])
def test_bad_signature_names_the_field_and_writes_nothing(front_desk, patient, data, field):
    services.consent_document(patient.organization, "iv")
    before = (Consent.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        services.sign_consent(ctx_for(front_desk), patient, "iv", data, via="clinic")
    assert field in exc.value.errors
    assert (Consent.objects.count(), AuditEvent.objects.count()) == before


def test_therapist_cannot_witness(therapist, patient):
    with pytest.raises(PermissionDenied):
        consent_in_clinic(therapist, patient, "iv")


def test_revocation_needs_a_reason_and_is_kept(nurse, patient):
    c = consent_in_clinic(nurse, patient, "im")
    with pytest.raises(ValidationFailed):
        services.revoke_consent(ctx_for(nurse), patient, c.public_id, {"reason": "  "})
    services.revoke_consent(ctx_for(nurse), patient, c.public_id, {"reason": "Patient changed their mind"})
    c.refresh_from_db()
    assert c.revoked_by == nurse and c.revocation_reason == "Patient changed their mind"
    assert "revoked" in services.screening_state(patient).routes["im"].consent_problem
    assert AuditEvent.objects.filter(action="consent.revoke").count() == 1
    with pytest.raises(Conflict):
        services.revoke_consent(ctx_for(nurse), patient, c.public_id, {"reason": "again"})
    consent_in_clinic(nurse, patient, "im")  # may sign again after revoking
    assert services.screening_state(patient).routes["im"].consent_problem == ""


def test_patient_may_revoke_their_own_consent_in_the_portal(portal_user, nurse, patient):
    c = consent_in_clinic(nurse, patient, "iv")
    services.revoke_consent(ctx_for(portal_user), patient, c.public_id, {"reason": "I no longer want this"}, by_patient=True)
    assert Consent.objects.get(pk=c.pk).revoked_by == portal_user


def test_a_minor_edit_keeps_consents_valid_a_material_edit_requires_signing_again(clinic_admin, nurse, patient, org):
    consent_in_clinic(nurse, patient, "iv")
    v1 = services.consent_document(org, "iv")
    services.update_consent_document(ctx_for(clinic_admin), "iv", {"title": v1.title, "body": v1.body + " Typo fixed.", "change_note": "typo"})
    assert services.screening_state(patient).routes["iv"].consent_problem == ""
    services.update_consent_document(ctx_for(clinic_admin), "iv", {"title": v1.title, "body": v1.body + " New risk.", "change_note": "new risk", "requires_reconsent": "on"})
    assert "version 3 needs a new signature" in services.screening_state(patient).routes["iv"].consent_problem
    fresh = consent_in_clinic(nurse, patient, "iv")
    assert fresh.document.version == 3 and services.screening_state(patient).routes["iv"].consent_problem == ""


def test_signing_a_stale_document_version_is_refused(clinic_admin, nurse, patient, org):
    v1 = services.consent_document(org, "iv")
    services.update_consent_document(ctx_for(clinic_admin), "iv", {"title": v1.title, "body": v1.body + " More.", "change_note": "x"})
    with pytest.raises(Conflict):
        services.sign_consent(ctx_for(nurse), patient, "iv", {"signed_name": "Jordan Avery", "agree": "on", "document": str(v1.public_id)}, via="clinic")


def test_rems_enrollment_records_both_signatures(nurse, prescriber, therapist, patient, clinic_today):
    data = {"enrolled_on": clinic_today.isoformat(), "patient_signed_name": "Jordan Avery", "prescriber": str(prescriber.public_id)}
    with pytest.raises(PermissionDenied):
        services.enroll_rems(ctx_for(therapist), patient, data)
    with pytest.raises(ValidationFailed) as exc:
        services.enroll_rems(ctx_for(nurse), patient, dict(data, prescriber=str(nurse.public_id)))
    assert "prescriber" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.enroll_rems(ctx_for(nurse), patient, dict(data, enrolled_on="2999-01-01"))
    assert "enrolled_on" in exc.value.errors
    assert RemsEnrollment.objects.count() == 0
    r = services.enroll_rems(ctx_for(nurse), patient, data)
    assert r.prescriber == prescriber and r.recorded_by == nurse
    with pytest.raises(Conflict):
        services.enroll_rems(ctx_for(nurse), patient, data)
    services.withdraw_rems(ctx_for(nurse), patient, r.public_id, {"reason": "wrong patient"})
    assert services.current_rems(patient) is None and RemsEnrollment.objects.count() == 1
