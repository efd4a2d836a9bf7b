"""Demo provider profiles, written through the services (each with its audit event)."""

import datetime as dt

from django.utils import timezone

from .rules.identifiers import dea_check_digit, npi_check_digit
from .services import add_credential, save_licence, save_profile


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
