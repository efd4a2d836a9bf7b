"""The demo seed writes through the services, so every record it makes has its audit event, as a
real clinic's would: the clinics, their locations and staff, the patients and chart records, the
screening, plans, appointments, questionnaires and the session in progress."""

import pytest
from django.apps import apps

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.demo.seed import seed_demo

# Records with their own event. Rows written as part of another record's write (revisions, timeline
# lines, appointment changes, role rows, opening hours…) are covered by that record's event.
AUDITED = [
    "accounts.organization", "accounts.location", "accounts.user",
    "patients.patient", "patients.diagnosis", "patients.medication", "patients.antidepressanttrial",
    "patients.allergy", "patients.bodymeasurement",
    "screening.intakeevaluation", "screening.eligibilitydecision", "screening.consent",
    "screening.remsenrollment", "screening.consentdocument",
    "assessments.questionnaireresponse", "assessments.suicideriskalert",
    "plans.treatmentplan", "plans.appointment", "plans.resource",
    "treatments.treatmentsession", "treatments.vitalsreading",
    "referrals.referral",
]

ONLY_AT_FULL_SIZE = {"screening.remsenrollment"}  # esketamine patients come after the first eight screened


@pytest.mark.django_db
def test_every_record_the_demo_seeds_has_its_audit_event():
    assert seed_demo(patients_main=10, patients_outsider=1)
    audited = set(AuditEvent.objects.values_list("object_type", "object_id"))
    for label in AUDITED:
        model = apps.get_model(label)
        rows = list(model.objects.all())
        assert rows or label in ONLY_AT_FULL_SIZE, f"the demo seeds no {label}"
        missing = [r for r in rows if (label, str(getattr(r, "public_id", r.pk))) not in audited]
        assert not missing, f"{len(missing)} of {len(rows)} {label} rows have no audit event"
    # The people acting are the demo's staff (the founding of each clinic is the operator's: no actor;
    # a public referral or appointment request is sent by an anonymous visitor).
    assert set(AuditEvent.objects.filter(actor__isnull=True).values_list("action", flat=True)) <= {
        "org.create", "user.create", "user.roles", "consent.document.seed",
        "referral.submit"}
    assert not seed_demo()  # a second run changes nothing
