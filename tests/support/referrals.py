"""Referral fixtures: a published clinic listing and public submissions through the service."""

import pytest
from django.contrib.auth.models import AnonymousUser

from ketamine_clinic.directory.rules.finder import DEFAULT_GFE_NOTICE

from .people import ctx_for

REFERRER_NPI = "1234567893"  # valid check digit

CLINICIAN_REFERRAL = {
    "referrer_name": "Dr Amara Lee", "referrer_npi": REFERRER_NPI, "referrer_practice": "Hudson Family Medicine",
    "referrer_phone": "(555) 410-2200", "referrer_fax": "(555) 410-2201",
    "reason": "Treatment-resistant depression; please evaluate for ketamine.", "urgency": "soon",
    "diagnoses": "F33.2 Major depressive disorder, recurrent severe\nF41.1",
    "medications": "sertraline 150 mg daily\nzolpidem 5 mg at night",
    "trials": "escitalopram, 20, 8, no response\nsertraline, 150, 10, partial",
    "patient_given_name": "Jonah", "patient_family_name": "Whitfield", "patient_date_of_birth": "1984-03-12",
    "patient_phone": "(555) 610-1001", "patient_email": "jonah@example.org",
    "consent_to_contact": "on", "consent_to_letters": "on",
}

SELF_REFERRAL = {
    "patient_given_name": "Rosa", "patient_family_name": "Delgado", "patient_date_of_birth": "1991-07-30",
    "patient_phone": "(555) 610-1002", "reason": "Depression for years.", "urgency": "routine", "consent_to_contact": "on",
}


def public_ctx(address="203.0.113.7"):
    from ketamine_clinic.audit.services import Context

    return Context(user=AnonymousUser(), source_ip=address)


@pytest.fixture
def listing_id(clinic_admin):
    from ketamine_clinic.directory import services

    listing = services.save_listing(ctx_for(clinic_admin), {
        "published": "on", "display_name": "Test Clinic Ketamine", "accepting_new_patients": "on",
        "good_faith_estimate_notice": DEFAULT_GFE_NOTICE})
    return listing.public_id


@pytest.fixture
def referral(listing_id):
    """A clinician referral in the inbox (new, quarantined)."""
    from ketamine_clinic.referrals import services

    return services.submit(public_ctx(), listing_id, "clinician", dict(CLINICIAN_REFERRAL))
