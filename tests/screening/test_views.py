import re

import pytest
from django.template import Context as TemplateContext
from django.template import Template
from django.test import RequestFactory

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.screening import services
from ketamine_clinic.screening.forms import MEDICAL_BOOLEANS
from ketamine_clinic.screening.models import (
    Consent,
    ConsentDocument,
    EligibilityDecision,
    IntakeEvaluation,
    PatientReportedIntake,
    RemsEnrollment,
)

from tests.support.screening import HYPERSENSITIVE, UNCONTROLLED_HYPERTENSION, approve, complete, consent_in_clinic, evaluation_dict


def form_post(**changes):
    data = {"ind_treatment_resistant_depression": "on", "codes_treatment_resistant_depression": "F33.2",
            "psychosis": "none", "mania": "none", "substance_use_disorder": "none", "ketamine_or_pcp_misuse": "none",
            "liver_disease": "none", "systolic_mmhg": "150", "diastolic_mmhg": "95", "heart_rate_per_min": "80",
            "weight_kg": "70", "ride_home_arranged": "true", "action": "complete"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_evaluation_form_prefills_weight_and_registry_and_completes(client_for, nurse, patient):
    client = client_for(nurse)
    page = client.get(f"/screening/patients/{patient.public_id}/evaluations/new/")
    assert page.status_code == 200
    assert 'name="weight_kg" value="70.0"' in page.content.decode()
    response = client.post(f"/screening/patients/{patient.public_id}/evaluations/new/", form_post(hypertension="on", hypertension_controlled="false"))
    assert response.status_code == 302
    ev = IntakeEvaluation.objects.get()
    assert ev.is_current and ev.data["medical_history"]["hypertension_controlled"] is False
    assert ev.data["baseline_vitals"] == {"systolic_mmhg": 150, "diastolic_mmhg": 95, "heart_rate_per_min": 80}
    detail = client.get(response["Location"]).content.decode()
    assert "Needs prescriber review" in detail and "Uncontrolled hypertension or poorly controlled cardiovascular disease" in detail
    assert "clinic policy" in detail and "Cohen SP" in detail  # reasons carry their source
    assert "PHQ-9" in detail and "missing" in detail  # baseline measure listed as required


@pytest.mark.parametrize("changes,field_error", [
    ({"hypertension": "on"}, "required (true or false) when hypertension is true"),
    ({"ind_treatment_resistant_depression": None}, "at least one presenting indication"),
    ({"codes_treatment_resistant_depression": "banana"}, "is not an ICD-10-CM code"),
    ({"systolic_mmhg": "400"}, "must be from 50 to 300 mmHg"),
    ({"diastolic_mmhg": ""}, "Enter all three baseline vital signs"),
    ({"weight_kg": "lots"}, "Enter a number"),
    ({"psychosis": "sometimes"}, "Select a valid choice"),
])
def test_bad_evaluation_form_input_shows_field_errors_and_writes_nothing(client_for, nurse, patient, changes, field_error):
    before = (IntakeEvaluation.objects.count(), AuditEvent.objects.count())
    response = client_for(nurse).post(f"/screening/patients/{patient.public_id}/evaluations/new/", form_post(**changes))
    assert response.status_code == 422
    assert field_error in response.content.decode()
    assert IntakeEvaluation.objects.count() == before[0]
    assert AuditEvent.objects.filter(action__startswith="evaluation.").count() == 0


def test_draft_then_continue_then_complete(client_for, nurse, patient):
    client = client_for(nurse)
    response = client.post(f"/screening/patients/{patient.public_id}/evaluations/new/", form_post(action="draft"))
    draft = IntakeEvaluation.objects.get()
    assert draft.is_draft and response["Location"].endswith(f"/evaluations/{draft.public_id}/edit/")
    assert client.get(f"/screening/patients/{patient.public_id}/evaluations/new/").status_code == 302  # continue the draft
    page = client.get(response["Location"]).content.decode()
    assert 'name="revision" value="1"' in page
    done = client.post(response["Location"], form_post(revision="1", seizures="on"))
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.is_current and draft.data["medical_history"]["seizures"] is True
    assert client.get(response["Location"]).status_code == 302  # completed: no more editing


def test_prescriber_signs_override_with_reason_in_the_page(client_for, prescriber, patient):
    ev = complete(prescriber, patient, evaluation_dict(**UNCONTROLLED_HYPERTENSION))
    client = client_for(prescriber)
    url = f"/screening/patients/{patient.public_id}/decisions/sign/"
    refused = client.post(url, {"evaluation": ev.public_id, "route": "iv", "decision": "approve", "override_reason": ""})
    assert refused.status_code == 422 and "needs a written reason" in refused.content.decode()
    assert EligibilityDecision.objects.count() == 0
    ok = client.post(url, {"evaluation": ev.public_id, "route": "iv", "decision": "approve", "override_reason": "Cardiology cleared; monitor BP closely"})
    assert ok.status_code == 302
    assert "override" in client.get(ok["Location"]).content.decode()


def test_absolute_contraindication_offers_no_approve_and_refuses_a_forged_one(client_for, prescriber, patient):
    ev = complete(prescriber, patient, evaluation_dict(**HYPERSENSITIVE))
    client = client_for(prescriber)
    page = client.get(f"/screening/patients/{patient.public_id}/evaluations/{ev.public_id}/").content.decode()
    assert "Approve and sign" not in page and "cannot be overridden" in page
    forged = client.post(f"/screening/patients/{patient.public_id}/decisions/sign/",
                         {"evaluation": ev.public_id, "route": "iv", "decision": "approve", "override_reason": "I insist on it today"})
    assert forged.status_code == 409 and "cannot be approved" in forged.content.decode()
    assert EligibilityDecision.objects.count() == 0


def test_page_permissions(client_for, therapist, front_desk, outsider, prescriber, patient):
    ev = complete(prescriber, patient)
    detail = f"/screening/patients/{patient.public_id}/evaluations/{ev.public_id}/"
    therapist_page = client_for(therapist).get(detail)
    assert therapist_page.status_code == 200 and "Approve and sign" not in therapist_page.content.decode()
    assert client_for(therapist).get(f"/screening/patients/{patient.public_id}/evaluations/new/").status_code == 403
    desk = client_for(front_desk)
    assert desk.get(detail).status_code == 403
    assert desk.post(f"/screening/patients/{patient.public_id}/decisions/sign/", {"evaluation": ev.public_id, "route": "iv", "decision": "approve"}).status_code == 403
    assert desk.get(f"/screening/patients/{patient.public_id}/consent/iv/").status_code == 200  # front desk witnesses consent
    out = client_for(outsider)
    for url in (detail, f"/screening/patients/{patient.public_id}/", f"/screening/patients/{patient.public_id}/consent/iv/",
                f"/screening/patients/{patient.public_id}/rems/", f"/screening/patients/{patient.public_id}/evaluations/new/"):
        response = out.get(url)
        assert response.status_code == 404, url
        assert "Avery" not in response.content.decode()
    assert EligibilityDecision.objects.count() == 0


def test_chart_card_per_role_and_cheap(client_for, nurse, front_desk, prescriber, patient, django_assert_max_num_queries):
    ev = complete(prescriber, patient)
    approve(prescriber, patient, ev, "iv")
    consent_in_clinic(nurse, patient, "iv")
    chart = client_for(nurse).get(f"/patients/{patient.public_id}/").content.decode()
    assert "Eligibility &amp; consent" in chart and "Approved by" in chart and "witnessed" in chart
    desk_chart = client_for(front_desk).get(f"/patients/{patient.public_id}/").content.decode()
    assert "Eligibility &amp; consent" not in desk_chart and f"/screening/patients/{patient.public_id}/consent/iv/" in desk_chart
    request = RequestFactory().get("/")
    request.user = nurse
    template = Template("{% load screening_tags %}{% screening_chart_card patient %}")
    nurse.role_set  # roles are cached per request
    with django_assert_max_num_queries(14):  # the card, the chart facts the rules read (6 small queries: +1 recent ECG and liver tests), the clinic's settings (+1 for the tests' window)
        template.render(TemplateContext({"request": request, "patient": patient}))


def test_consent_pages_sign_witness_revoke(client_for, front_desk, portal_user, patient):
    client = client_for(front_desk)
    url = f"/screening/patients/{patient.public_id}/consent/im/"
    page = client.get(url).content.decode()
    assert "TEMPLATE" in page and "Consent to intramuscular" in page
    bad = client.post(url, {"signed_name": "Someone Else", "agree": "on"})
    assert bad.status_code == 422 and "Avery" in bad.content.decode() and Consent.objects.count() == 0
    assert client.post(url, {"signed_name": "Jordan Avery", "agree": "on"}).status_code == 302
    c = Consent.objects.get()
    assert c.witnessed_by == front_desk
    revoke = client.post(f"/screening/patients/{patient.public_id}/consents/{c.public_id}/revoke/", {"reason": "Changed mind"})
    assert revoke.status_code == 302 and Consent.objects.get().revoked_at


def test_clinic_admin_edits_a_consent_document_nurse_cannot(client_for, clinic_admin, nurse, org):
    client = client_for(clinic_admin)
    assert "template — review before use" in client.get("/screening/consent-documents/").content.decode()
    current = ConsentDocument.objects.get(organization=org, route="iv")
    response = client.post("/screening/consent-documents/iv/edit/", {"title": current.title, "body": current.body + "\nReviewed by our counsel.", "change_note": "Reviewed"})
    assert response.status_code == 302 and ConsentDocument.objects.filter(route="iv").count() == 2
    bad = client.post("/screening/consent-documents/iv/edit/", {"title": "x", "body": "short", "change_note": "x"})
    assert bad.status_code == 422 and ConsentDocument.objects.filter(route="iv").count() == 2
    assert client_for(nurse).get("/screening/consent-documents/").status_code == 403
    assert client_for(clinic_admin).get("/screening/consent-documents/rectal/edit/").status_code == 404


def test_rems_page_records_enrollment(client_for, nurse, prescriber, therapist, patient, clinic_today):
    url = f"/screening/patients/{patient.public_id}/rems/"
    client = client_for(nurse)
    assert prescriber.name in client.get(url).content.decode()
    bad = client.post(url, {"enrolled_on": clinic_today.isoformat(), "patient_signed_name": "Jordan Avery", "prescriber": str(nurse.public_id)})
    assert bad.status_code == 422 and RemsEnrollment.objects.count() == 0
    ok = client.post(url, {"enrolled_on": clinic_today.isoformat(), "patient_signed_name": "Jordan Avery", "prescriber": str(prescriber.public_id)})
    assert ok.status_code == 302 and RemsEnrollment.objects.get().prescriber == prescriber
    assert client_for(therapist).post(url, {"enrolled_on": clinic_today.isoformat()}).status_code == 403


def answers(**changes):
    data = {key: "no" for key, _ in MEDICAL_BOOLEANS}
    data.update(substance_use_disorder="none", ketamine_or_pcp_misuse="none", regular_alcohol_use="no", liver_disease="no",
                ride_home_arranged="yes", action="submit")
    data.update(changes)
    return data


def test_patient_answers_in_the_portal_and_staff_merge_them(client_for, portal_user, nurse, patient):
    portal = client_for(portal_user)
    assert portal.get("/screening/portal/intake/").status_code == 200
    incomplete = portal.post("/screening/portal/intake/", {"hypertension": "yes", "action": "submit"})
    assert incomplete.status_code == 422 and "Please answer this question" in incomplete.content.decode()
    assert PatientReportedIntake.objects.count() == 0
    assert portal.post("/screening/portal/intake/", {"hypertension": "yes", "action": "save"}).status_code == 302
    assert PatientReportedIntake.objects.get().status == "draft"
    sent = portal.post("/screening/portal/intake/", answers(hypertension="yes", hypertension_controlled="no", pregnant="yes", liver_disease="yes"))
    assert sent.status_code == 302
    report = PatientReportedIntake.objects.get()
    assert report.status == "submitted" and report.answers["pregnant"] == "yes"

    staff = client_for(nurse)
    assert "Review and merge" in staff.get(f"/patients/{patient.public_id}/").content.decode()
    page = staff.get(f"/screening/patients/{patient.public_id}/evaluations/new/?report={report.public_id}").content.decode()
    assert "patient-reported" in page and "record its severity" in page
    assert re.search(r'name="pregnant"[^>]*checked', page)
    response = staff.post(f"/screening/patients/{patient.public_id}/evaluations/new/",
                          form_post(report=str(report.public_id), hypertension="on", hypertension_controlled="false", pregnant="on"))
    assert response.status_code == 302
    report.refresh_from_db()
    ev = IntakeEvaluation.objects.get()
    assert report.status == "merged" and report.merged_into == ev and report.merged_by == nurse
    assert ev.data["medical_history"]["pregnant"] is True


def test_portal_pages_are_for_patients_only(client_for, nurse, org, patient):
    from tests.support.people import make_user

    assert client_for(nurse).get("/screening/portal/intake/").status_code == 302
    unlinked = make_user(org, "unlinked", kind="patient")
    assert client_for(unlinked).get("/screening/portal/intake/").status_code == 404


def test_patient_signs_an_approved_routes_consent_in_the_portal(client_for, portal_user, prescriber, patient):
    ev = complete(prescriber, patient)
    approve(prescriber, patient, ev, "iv")
    portal = client_for(portal_user)
    page = portal.get("/screening/portal/consents/").content.decode()
    assert "Consent to intravenous" in page and "Consent to intramuscular" not in page
    bad = portal.post("/screening/portal/consents/", {"route": "iv", "signed_name": "", "agree": "on"})
    assert bad.status_code == 422 and Consent.objects.count() == 0
    assert portal.post("/screening/portal/consents/", {"route": "iv", "signed_name": "Jordan Avery", "agree": "on"}).status_code == 302
    c = Consent.objects.get()
    assert c.signed_via == "portal" and c.witnessed_at is None and c.recorded_by == portal_user
    assert "countersign" in portal.get("/screening/portal/consents/").content.decode()
    assert not services.may_treat(patient, "iv", c.signed_at.date()).allowed


def test_overview_reads_the_screening_state_once(client_for, nurse, prescriber, patient, django_assert_max_num_queries):
    ev = complete(prescriber, patient)
    approve(prescriber, patient, ev, "iv")
    consent_in_clinic(nurse, patient, "iv")
    client = client_for(nurse)
    client.get(f"/screening/patients/{patient.public_id}/")
    with django_assert_max_num_queries(33):  # +2 recent ECG and liver tests and their window; was 48: "may treat today" re-read the state for every route; +1 home location (its date), +1 the user's location (display zone); +5 the chart facts the rules read
        assert client.get(f"/screening/patients/{patient.public_id}/").status_code == 200
