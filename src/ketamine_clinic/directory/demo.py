"""Demo provider profiles, written through the services (each with its audit event)."""

import datetime as dt

from django.utils import timezone

from .rules.finder import DEFAULT_GFE_NOTICE
from .rules.identifiers import dea_check_digit, npi_check_digit
from .services import add_credential, save_licence, save_listing, save_profile


def _npi(first_nine: str) -> str:
    return first_nine + npi_check_digit(first_nine)


def _dea(letters: str, six: str) -> str:
    return letters + six + dea_check_digit(six)


def seed_profiles(admin_ctx, prescriber, nurse, therapist) -> None:
    """A prescriber with NPI, taxonomy, NY licence and DEA; a nurse whose licence expires within the
    warning window (so the admin's Today lists it); a therapist with a KAP training certificate."""
    today = timezone.localdate()
    in_days = lambda n: (today + dt.timedelta(days=n)).isoformat()  # noqa: E731
    save_profile(admin_ctx, prescriber.public_id, {
        "npi": _npi("104837261"), "taxonomy_codes": ["2084P0800X", "207L00000X"], "primary_taxonomy": "2084P0800X",
        "dea_number": _dea("AR", "482913"), "dea_expires_on": in_days(400), "languages": "English, Tamil"})
    save_licence(admin_ctx, prescriber.public_id, {"state": "NY", "number": "MD-284113", "expires_on": in_days(500)})
    save_profile(admin_ctx, nurse.public_id, {"npi": _npi("173920485"), "taxonomy_codes": ["163W00000X"],
                                               "primary_taxonomy": "163W00000X", "languages": "English"})
    save_licence(admin_ctx, nurse.public_id, {"state": "NY", "number": "RN-771204", "expires_on": in_days(21)})
    save_profile(admin_ctx, therapist.public_id, {"npi": _npi("162884031"), "taxonomy_codes": ["1041C0700X"],
                                                   "primary_taxonomy": "1041C0700X", "languages": "English, Spanish"})
    save_licence(admin_ctx, therapist.public_id, {"state": "NY", "number": "LCSW-09321", "expires_on": in_days(300)})
    add_credential(admin_ctx, therapist.public_id, {"title": "KAP training certificate", "issuer": "Demo training programme",
                                                    "issued_on": (today - dt.timedelta(days=200)).isoformat()})


def seed_listings(riverbend_admin_ctx, harbor_admin_ctx) -> None:
    """Both demo clinics published in the public finder."""
    today = timezone.localdate()
    save_listing(riverbend_admin_ctx, {
        "published": "on", "display_name": "Riverbend Ketamine Clinic", "phone": "(555) 201-0100",
        "about": "IV ketamine and Spravato for treatment-resistant depression, with integration therapy.",
        "routes": ["iv", "esketamine_nasal"], "indications": ["treatment_resistant_depression", "ptsd", "chronic_pain"],
        "spravato_rems_certified": "on", "rems_certified_on": (today - dt.timedelta(days=400)).isoformat(),
        "rems_evidence": "REMS enrollment confirmation e-mail on file", "kap_offered": "on",
        "telehealth_states": ["NY", "VT"], "accepting_new_patients": "on", "insurance_networks": "Medicare, Aetna",
        "self_pay_min_usd": "450", "self_pay_max_usd": "650", "languages": "English, Spanish, Tamil",
        "accessibility": ["wheelchair", "accessible_restroom", "parking"], "good_faith_estimate_notice": DEFAULT_GFE_NOTICE})
    save_listing(harbor_admin_ctx, {
        "published": "on", "display_name": "Harbor Light Wellness", "phone": "(555) 301-0100",
        "routes": ["im", "oral_sublingual"], "indications": ["treatment_resistant_depression", "gad"],
        "accepting_new_patients": "on", "self_pay_min_usd": "300", "self_pay_max_usd": "400", "sliding_scale": "on",
        "languages": "English", "accessibility": ["wheelchair"], "good_faith_estimate_notice": DEFAULT_GFE_NOTICE})
