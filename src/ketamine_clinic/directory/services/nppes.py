"""Import CMS NPPES data from a file to pre-fill and cross-check the clinic's provider profiles."""

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.models import Location
from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import ValidationFailed

from ..models import ProviderProfile
from ..rules import nppes
from ..rules.taxonomy import BY_CODE

# An upload is an extract (the clinic's NPIs, or one state): the full national file (about 11.7 GB)
# is filtered first, e.g. with `grep` on the NPIs. A technical limit, not clinic policy.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


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
            rec = by_npi[profile.npi]
            profile.nppes_snapshot, profile.nppes_imported_at = rec.as_dict(), now
            fields = ["nppes_snapshot", "nppes_imported_at"]
            known = [t.code for t in rec.taxonomies if t.code in BY_CODE]
            if not profile.taxonomy_codes and known:
                primary = rec.primary_taxonomy if rec.primary_taxonomy in known else known[0]
                profile.taxonomy_codes = [primary] + [c for c in known if c != primary]
                profile.primary_taxonomy = primary
                fields += ["taxonomy_codes", "primary_taxonomy"]
                prefilled += 1
            profile.save(update_fields=fields)
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
