"""Letters to the referring clinician: when the patient was first seen and at the end of the
induction with the measured outcome; only with the patient's agreement; sending recorded."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ketamine_clinic.assessments import services as assessments
from ketamine_clinic.core.errors import Conflict
from ketamine_clinic.plans import services as plans
from ketamine_clinic.plans.models import Appointment
from ketamine_clinic.referrals import services
from ketamine_clinic.referrals.models import Referral

from tests.support.assessments import phq9
from tests.support.billing import pdf_text
from tests.support.people import PATIENT_DATA, ctx_for
from tests.support.referrals import CLINICIAN_REFERRAL, SELF_REFERRAL, public_ctx
from tests.support.plans import NOW, plan_data
from tests.support.screening import complete


@pytest.fixture
def accepted(front_desk, referral):
    services.accept(ctx_for(front_desk), referral, {"sex_at_birth": "male", "version": 1})
    referral.refresh_from_db()
    return referral


def test_no_letter_before_the_patient_is_seen(front_desk, accepted):
    with pytest.raises(Conflict, match="not been seen"):
        services.generate_letter(ctx_for(front_desk), accepted, "first_seen")


def test_the_first_letter_once_seen_and_sending_is_recorded(front_desk, prescriber, accepted, client_for):
    complete(prescriber, accepted.patient)
    letter = services.generate_letter(ctx_for(front_desk), accepted, "first_seen")
    text = pdf_text(bytes(letter.pdf))
    assert "Dr Amara Lee" in text and "Jonah Whitfield" in text and "first saw them on" in text
    with pytest.raises(Conflict, match="already"):
        services.generate_letter(ctx_for(front_desk), accepted, "first_seen")
    client = client_for(front_desk)
    response = client.get(reverse("referrals:letter_pdf", args=[accepted.public_id, letter.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    letter.refresh_from_db()
    assert letter.sent_by == front_desk and letter.sent_at is not None
    page = client.get(reverse("referrals:detail", args=[accepted.public_id])).content.decode()
    assert "Patient seen" in page and timezone.localtime(letter.sent_at).strftime("%Y-%m-%d") in page


def test_no_letter_without_the_patients_agreement(front_desk, prescriber, accepted):
    Referral.objects.filter(pk=accepted.pk).update(consent_to_letters=False)
    accepted.refresh_from_db()
    complete(prescriber, accepted.patient)
    with pytest.raises(Conflict, match="did not agree"):
        services.generate_letter(ctx_for(front_desk), accepted, "first_seen")


def test_the_induction_letter_reports_the_measured_outcome(front_desk, nurse, prescriber, patient, listing_id, ready, clinic):
    # The referral is for the suite's patient (Jordan Avery): linked after the duplicate check.
    accepted = services.submit(public_ctx(), listing_id, "clinician", {
        **CLINICIAN_REFERRAL, "patient_given_name": "Jordan", "patient_family_name": "Avery",
        "patient_date_of_birth": PATIENT_DATA["date_of_birth"], "patient_phone": PATIENT_DATA["phone"]})
    services.accept(ctx_for(front_desk), accepted, {"patient": str(patient.public_id), "version": 1})
    accepted.refresh_from_db()
    with pytest.raises(Conflict, match="not finished"):
        services.generate_letter(ctx_for(front_desk), accepted, "induction_end")
    ready("iv", who=patient)
    plan = plans.create_plan(ctx_for(nurse), patient, plan_data(clinic), now=NOW)
    plan, _ = plans.activate_plan(ctx_for(prescriber), plan, now=NOW)
    Appointment.objects.filter(plan=plan, kind="dosing").update(status="done")  # the session module's mark
    start = timezone.now() - dt.timedelta(days=21)
    for week, total in enumerate([20, 12, 4]):
        assessments.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=total), mode="staff_paper",
                                    completed_at=start + dt.timedelta(days=7 * week))
    text = pdf_text(bytes(services.generate_letter(ctx_for(front_desk), accepted, "induction_end").pdf))
    assert "completed the treatment series" in text
    assert "PHQ-9 baseline 20" in text and "latest 4" in text and "(-80%)" in text
    assert "Response (as the clinic defines it): yes" in text and "Remission: yes" in text


def test_a_self_referral_gets_no_letter(front_desk, prescriber, listing_id):
    r = services.submit(public_ctx(), listing_id, "self", SELF_REFERRAL)
    services.accept(ctx_for(front_desk), r, {"sex_at_birth": "female", "version": 1})
    r.refresh_from_db()
    with pytest.raises(Conflict, match="referring clinician"):
        services.generate_letter(ctx_for(front_desk), r, "first_seen")


def test_the_inbox_lists_letters_due_until_they_are_generated(front_desk, prescriber, nurse, accepted, client_for,
                                                               outsider):
    inbox = reverse("referrals:inbox")
    assert services.letters_due_for(ctx_for(front_desk)) == []  # accepted, not yet seen
    complete(prescriber, accepted.patient)
    assert [(r, kind) for r, kind, _ in services.letters_due_for(ctx_for(nurse))] == [(accepted, "first_seen")]
    page = client_for(front_desk).get(inbox).content.decode()
    assert "Letters due to referring clinicians" in page and "Patient seen" in page and "Dr Amara Lee" in page
    assert "Dr Amara Lee" not in client_for(outsider).get(inbox).content.decode()  # another clinic's inbox
    services.generate_letter(ctx_for(front_desk), accepted, "first_seen")
    assert services.letters_due_for(ctx_for(front_desk)) == []
    assert "None due." in client_for(front_desk).get(inbox).content.decode()


def test_the_letters_due_take_the_same_queries_for_one_referral_or_three(front_desk, prescriber, accepted, listing_id,
                                                                          django_assert_max_num_queries):
    complete(prescriber, accepted.patient)
    with CaptureQueriesContext(connection) as one:
        assert len(services.letters_due_for(ctx_for(front_desk))) == 1
    for n, address in enumerate(("203.0.113.21", "203.0.113.22")):
        other = services.submit(public_ctx(address), listing_id, "clinician",
                                dict(CLINICIAN_REFERRAL, patient_given_name=f"Other{n}", patient_phone=f"555-010-00{n}0"))
        services.accept(ctx_for(front_desk), other, {"sex_at_birth": "female", "version": 1, "no_match": "on"})
        complete(prescriber, Referral.objects.get(pk=other.pk).patient)
    with django_assert_max_num_queries(len(one)):
        assert len(services.letters_due_for(ctx_for(front_desk))) == 3
