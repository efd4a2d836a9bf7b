"""Import CMS NPPES data from a file to pre-fill and cross-check the clinic's provider profiles."""

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.models import Location
from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import Conflict, ValidationFailed

from .. import npi_registry
from ..models import ProviderProfile
from ..rules import nppes
from ..rules.identifiers import npi_problem
from ..rules.taxonomy import BY_CODE
from .profiles import _require_edit, get_profile_for

# An upload is an extract (the clinic's NPIs, or one state): the full national file (about 11.7 GB)
# is filtered first, e.g. with `grep` on the NPIs. A technical limit, not clinic policy.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _store(profile: ProviderProfile, rec: nppes.NppesRecord, now) -> bool:
    """Keep ``rec`` as the profile's NPPES snapshot; pre-fill empty taxonomy codes. True if pre-filled."""
    profile.nppes_snapshot, profile.nppes_imported_at = rec.as_dict(), now
    fields = ["nppes_snapshot", "nppes_imported_at"]
    known = [t.code for t in rec.taxonomies if t.code in BY_CODE]
    prefill = not profile.taxonomy_codes and bool(known)
    if prefill:
        primary = rec.primary_taxonomy if rec.primary_taxonomy in known else known[0]
        profile.taxonomy_codes = [primary] + [c for c in known if c != primary]
        profile.primary_taxonomy = primary
        fields += ["taxonomy_codes", "primary_taxonomy"]
    profile.save(update_fields=fields)
    return prefill


def import_nppes(ctx: Context, upload) -> dict:
    """Store the NPPES record of every clinic profile whose NPI is in the file (bytes, or an uploaded
    file, never read past the limit); pre-fill the taxonomy codes of a profile that has none.
    Returns counts and the names matched."""
    require(ctx.user, "directory.edit_any")
    content = upload if isinstance(upload, bytes) else upload.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationFailed({"file": [f"The file is over {MAX_UPLOAD_BYTES // (1024 * 1024)} MB: import an extract "
                                         "with the clinic's NPIs."]})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed({"file": ["The file is not UTF-8 text."]}) from None
    try:
        records = nppes.parse(text)
    except nppes.NppesFormatError as exc:
        raise ValidationFailed({"file": [str(exc)]}) from None
    by_npi = {r.npi: r for r in records if r.entity_type == "NPI-1"}
    now = timezone.now()
    matched, prefilled = [], 0
    with transaction.atomic():
        profiles = (ProviderProfile.objects.select_for_update().filter(organization_id=ctx.user.organization_id,
                                                                        npi__in=list(by_npi)).select_related("user"))
        for profile in profiles:
            prefilled += _store(profile, by_npi[profile.npi], now)
            matched.append(profile.user.get_full_name() or profile.user.username)
        summary = {"records": len(records), "matched": len(matched), "prefilled": prefilled,
                   "not_in_clinic": len(by_npi) - len(matched)}
        record(ctx, Action.DIRECTORY_NPPES_IMPORT, object_type="directory.nppes", organization=ctx.user.organization,
               detail=summary)
    return {**summary, "names": sorted(matched)}


def nppes_mismatches(profile: ProviderProfile) -> list[str]:
    """How the last imported NPPES record differs from the profile (name, taxonomy, licence, address)."""
    if not profile or not profile.nppes_snapshot:
        return []
    postal = {(p or "")[:5] for p in Location.objects.filter(organization_id=profile.organization_id, is_active=True)
              .values_list("postal_code", flat=True) if p}
    return nppes.mismatches(
        profile.nppes_snapshot, first_name=profile.user.first_name, last_name=profile.user.last_name,
        taxonomy_codes=profile.taxonomy_codes, primary_taxonomy=profile.primary_taxonomy,
        licences={lic.state: lic.number for lic in profile.licences.all()}, clinic_postal_codes=postal)


def registry_lookup(ctx: Context, user_id) -> dict:
    """Look the clinician's recorded NPI up live in the NPI Registry (only when the deployment set
    NPI_REGISTRY_URL), keep the answer as the profile's NPPES snapshot like a file import, and return
    {"found", "prefilled", "mismatches"}. Refused (422) without a valid NPI on the profile; the
    registry's failures are RegistryUnavailable (502) with the reason; 409 when the look-up is off."""
    user, profile = get_profile_for(ctx, user_id)
    _require_edit(ctx, user)
    if not npi_registry.enabled():
        raise Conflict("The NPI Registry look-up is off: the deployment has not set NPI_REGISTRY_URL. Import an NPPES file instead.")
    npi = profile.npi if profile else ""
    if problem := npi_problem(npi):
        raise ValidationFailed({"npi": [f"Record a valid NPI on the profile first. {problem}"]})
    rec = npi_registry.lookup(npi)  # outside the transaction: no row lock is held while the network answers
    if rec is None:
        raise ValidationFailed({"npi": [f"The NPI Registry has no record of NPI {npi}."]})
    with transaction.atomic():
        profile = ProviderProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
        prefilled = _store(profile, rec, timezone.now())
        record(ctx, Action.DIRECTORY_NPPES_LOOKUP, obj=profile, detail={"npi": npi, "prefilled": prefilled,
                                                                        "entity_type": rec.entity_type})
    return {"found": rec.as_dict(), "prefilled": prefilled, "mismatches": nppes_mismatches(profile)}
