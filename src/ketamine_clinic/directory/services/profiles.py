"""Provider profiles: read helpers scoped to the actor's clinic, and the audited writes."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from ketamine_clinic.accounts.permissions import P, N, T, denied, has_permission, require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import NotFound, ValidationFailed, validated

from .. import forms as dforms
from ..models import ProviderCredential, ProviderLicence, ProviderProfile
from ..clinic_policy import expiry_warning_days

CLINICAL_ROLES = {P, N, T}


def _staff_user(ctx: Context, user_id):
    """The clinician ``user_id`` (public id) of the actor's clinic, else NotFound (also for another clinic's)."""
    User = get_user_model()
    user = User.objects.filter(public_id=user_id, organization_id=ctx.user.organization_id,
                               kind=User.Kind.STAFF).first() if ctx.user.organization_id else None
    if user is None or not (user.role_set & CLINICAL_ROLES):
        raise NotFound("No such clinician in this clinic.")
    return user


def may_edit(actor, user) -> bool:
    if actor.organization_id != user.organization_id:
        return False
    if has_permission(actor, "directory.edit_any"):
        return True
    return actor.pk == user.pk and has_permission(actor, "directory.edit_own")


def _require_edit(ctx: Context, user) -> None:
    if not may_edit(ctx.user, user):
        raise denied("directory.edit_own" if ctx.user.pk == user.pk else "directory.edit_any")


def clinicians_for(ctx: Context) -> list:
    """The clinic's active clinicians with their profiles (None where none is recorded)."""
    require(ctx.user, "directory.view")
    User = get_user_model()
    users = (User.objects.filter(organization_id=ctx.user.organization_id, kind=User.Kind.STAFF, is_active=True,
                                 roles__role__in=[r.value for r in CLINICAL_ROLES])
             .distinct().order_by("last_name", "first_name", "username"))
    profiles = {p.user_id: p for p in ProviderProfile.objects.filter(user__in=users)}
    return [(u, profiles.get(u.pk)) for u in users]


def get_profile_for(ctx: Context, user_id):
    """(clinician, profile or None) for a clinician of the actor's clinic."""
    require(ctx.user, "directory.view")
    user = _staff_user(ctx, user_id)
    return user, ProviderProfile.objects.filter(user=user).prefetch_related("licences", "credentials").first()


def _locked_profile(ctx: Context, user) -> ProviderProfile:
    profile, _ = ProviderProfile.objects.get_or_create(user=user, defaults={"organization_id": user.organization_id})
    return ProviderProfile.objects.select_for_update().get(pk=profile.pk)


def save_profile(ctx: Context, user_id, data: dict) -> ProviderProfile:
    """Save NPI, taxonomy codes (one primary), DEA number and expiry, languages."""
    user = _staff_user(ctx, user_id)
    _require_edit(ctx, user)
    cleaned = validated(dforms.ProfileForm, data, last_name=user.last_name)
    with transaction.atomic():
        profile = _locked_profile(ctx, user)
        if cleaned["npi"] and ProviderProfile.objects.filter(
                organization_id=user.organization_id, npi=cleaned["npi"]).exclude(pk=profile.pk).exists():
            raise ValidationFailed({"npi": ["Another clinician of this clinic has this NPI."]})
        before = {f: getattr(profile, f) for f in ("npi", "primary_taxonomy", "dea_number")}
        profile.npi = cleaned["npi"]
        profile.taxonomy_codes = cleaned["taxonomy_codes"]
        profile.primary_taxonomy = cleaned["primary_taxonomy"]
        profile.dea_number = cleaned["dea_number"]
        profile.dea_expires_on = cleaned["dea_expires_on"]
        profile.languages = cleaned["languages"]
        profile.updated_by = ctx.user
        try:
            with transaction.atomic():  # a savepoint: the same NPI claimed at the same moment by another clinician
                profile.save()
        except IntegrityError:
            raise ValidationFailed({"npi": ["Another clinician of this clinic has this NPI."]}) from None
        record(ctx, Action.DIRECTORY_PROFILE_SAVE, obj=profile, detail={
            "clinician": user.username, "before": before,
            "after": {f: getattr(profile, f) for f in before},
            "dea_expires_on": str(profile.dea_expires_on or ""), "taxonomy_codes": profile.taxonomy_codes})
    return profile


def save_licence(ctx: Context, user_id, data: dict) -> ProviderLicence:
    """Add a state licence, or renew the one of that state (new number and expiry)."""
    user = _staff_user(ctx, user_id)
    _require_edit(ctx, user)
    cleaned = validated(dforms.LicenceForm, data)
    with transaction.atomic():
        profile = _locked_profile(ctx, user)
        licence, created = ProviderLicence.objects.update_or_create(
            profile=profile, state=cleaned["state"],
            defaults={"number": cleaned["number"].strip(), "expires_on": cleaned["expires_on"]})
        record(ctx, Action.DIRECTORY_LICENCE_SAVE, obj=licence, organization=profile.organization, detail={
            "clinician": user.username, "state": licence.state, "number": licence.number,
            "expires_on": str(licence.expires_on), "created": created})
    return licence


def remove_licence(ctx: Context, user_id, state: str) -> None:
    """Remove the licence of ``state`` (entered in error or surrendered); the audit keeps what it was."""
    user = _staff_user(ctx, user_id)
    _require_edit(ctx, user)
    with transaction.atomic():
        profile = _locked_profile(ctx, user)
        licence = profile.licences.filter(state=state).first()
        if licence is None:
            raise NotFound("No licence for that state.")
        record(ctx, Action.DIRECTORY_LICENCE_REMOVE, obj=licence, organization=profile.organization, detail={
            "clinician": user.username, "state": licence.state, "number": licence.number,
            "expires_on": str(licence.expires_on)})
        licence.delete()


def add_credential(ctx: Context, user_id, data: dict) -> ProviderCredential:
    user = _staff_user(ctx, user_id)
    _require_edit(ctx, user)
    cleaned = validated(dforms.CredentialForm, data)
    with transaction.atomic():
        profile = _locked_profile(ctx, user)
        credential = ProviderCredential.objects.create(profile=profile, **cleaned)
        record(ctx, Action.DIRECTORY_CREDENTIAL_ADD, obj=credential, organization=profile.organization, detail={
            "clinician": user.username, "title": credential.title,
            "expires_on": str(credential.expires_on or "")})
    return credential


def expiring_for(ctx: Context, on_date: dt.date) -> list[dict]:
    """Licences and DEA registrations of the clinic expiring within the clinic's warning window
    (or already expired), soonest first. For the clinic admin."""
    require(ctx.user, "directory.edit_any")
    org = ctx.user.organization
    until = on_date + dt.timedelta(days=expiry_warning_days(org))
    rows = []
    for profile in (ProviderProfile.objects.filter(organization=org, dea_expires_on__lte=until)
                    .exclude(dea_number="").select_related("user")):
        rows.append(_expiry_row(profile.user, "DEA registration", profile.dea_number, profile.dea_expires_on, on_date))
    for licence in ProviderLicence.objects.filter(profile__organization=org, expires_on__lte=until).select_related("profile__user"):
        rows.append(_expiry_row(licence.profile.user, f"{licence.state} licence", licence.number, licence.expires_on, on_date))
    return sorted(rows, key=lambda r: (r["expires_on"], r["clinician"]))


def _expiry_row(user, what: str, number: str, expires_on: dt.date, on_date: dt.date) -> dict:
    days = (expires_on - on_date).days
    return {"clinician": user.get_full_name() or user.username, "clinician_id": user.public_id, "what": what,
            "number": number, "expires_on": expires_on, "days_left": days, "days_ago": -days, "expired": days < 0}
