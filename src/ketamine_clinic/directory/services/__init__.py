"""The directory's reads and writes (every write: permission, validation, one transaction, audit)."""

from .finder import listing_for, public_clinic, save_listing, search, telehealth_licence_gaps
from .gate import location_state_warning, prescriber_block_reason, refuse_if_blocked
from .nppes import import_nppes, nppes_mismatches, registry_lookup
from .profiles import (
    add_credential,
    clinicians_for,
    expiring_for,
    get_profile_for,
    may_edit,
    remove_licence,
    save_licence,
    save_profile,
)

__all__ = [
    "add_credential", "listing_for", "public_clinic", "save_listing", "search", "clinicians_for", "import_nppes", "nppes_mismatches", "expiring_for", "get_profile_for", "may_edit", "prescriber_block_reason",
    "refuse_if_blocked", "remove_licence", "location_state_warning", "registry_lookup", "telehealth_licence_gaps", "save_licence", "save_profile",
]
