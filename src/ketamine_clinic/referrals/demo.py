"""Demo referrals in several states, written through the services (each with its audit event)."""

from django.contrib.auth.models import AnonymousUser

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import Conflict
from ketamine_clinic.directory.rules.identifiers import npi_check_digit

from . import services
from .models import ReferralKind

REFERRER = {"referrer_name": "Dr Amara Lee", "referrer_npi": "104728593" + npi_check_digit("104728593"),
            "referrer_practice": "Hudson Family Medicine", "referrer_phone": "(555) 410-2200", "referrer_fax": "(555) 410-2201"}


def _clinician(patient: dict, **extra) -> dict:
    return {**REFERRER, **patient, "urgency": "routine", "consent_to_contact": "on", "consent_to_letters": "on",
            "reason": "Treatment-resistant depression after two adequate antidepressant trials; please evaluate for ketamine.",
            "diagnoses": "F33.2 Major depressive disorder, recurrent severe without psychotic features",
            "medications": "sertraline 150 mg daily", "trials": "escitalopram, 20, 8, no response\nsertraline, 150, 10, partial",
            **extra}


def _person(given, family, born, phone) -> dict:
    return {"patient_given_name": given, "patient_family_name": family, "patient_date_of_birth": born, "patient_phone": phone}


def seed_referrals(listing_id, front_ctx: Context, known_patient) -> None:
    """Riverbend's inbox: a new urgent clinician referral, a new appointment request, one contacted,
    one scheduled for evaluation, one declined, and one accepted into an existing chart (the
    duplicate check found it), with the first letter generated when the patient has been seen."""
    public = Context(user=AnonymousUser(), source_ip="192.0.2.10")  # a documentation address (RFC 5737)
    submit = lambda kind, data: services.submit(public, listing_id, kind, data)  # noqa: E731
    submit(ReferralKind.CLINICIAN, _clinician(_person("Jonah", "Whitfield", "1984-03-12", "(555) 610-1001"), urgency="urgent"))
    submit(ReferralKind.SELF, {**_person("Rosa", "Delgado", "1991-07-30", "(555) 610-1002"), "patient_email": "rosa@example.org",
                               "reason": "I have had depression for years and read about ketamine.", "consent_to_contact": "on"})
    for given, family, born, moves in (("Colin", "Marsh", "1977-11-02", ["contacted"]),
                                       ("Ines", "Barros", "1969-05-21", ["contacted", "scheduled"]),
                                       ("Victor", "Hale", "2001-01-15", ["declined"])):
        r = submit(ReferralKind.CLINICIAN, _clinician(_person(given, family, born, "(555) 610-1003")))
        for status in moves:
            reason = "Bipolar I with current mania: referred to psychiatry instead." if status == "declined" else ""
            r = services.change_status(front_ctx, r, {"status": status, "reason": reason, "version": r.version})
    p = known_patient
    r = submit(ReferralKind.CLINICIAN, _clinician(_person(p.given_name, p.family_name, p.date_of_birth.isoformat(), p.phone or "(555) 610-1004")))
    services.accept(front_ctx, r, {"patient": str(p.public_id), "version": r.version})
    r.refresh_from_db()
    try:
        services.generate_letter(front_ctx, r, "first_seen")
    except Conflict:
        pass  # not seen yet in this seed: the letter waits
