"""The referral inbox: reads scoped to the actor's clinic, and the status flow."""

import re

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed, require_own_clinic, validated
from ketamine_clinic.patients.models import Patient

from .. import rules
from ..forms import StatusForm
from ..models import Referral, ReferralStatus, ReferralStatusChange


def referrals_for(ctx: Context, status: str = "") -> QuerySet[Referral]:
    require(ctx.user, "referrals.view")
    qs = Referral.objects.filter(organization_id=ctx.user.organization_id)
    if status:
        if status not in ReferralStatus.values:
            raise ValidationFailed({"status": [f"Choose one of: {', '.join(ReferralStatus.values)}."]})
        qs = qs.filter(status=status)
    return qs.select_related("patient")


def get_referral_for(ctx: Context, public_id, *, audit: bool = True) -> Referral:
    """One referral of the actor's clinic (404 for another clinic's); opening it is audited."""
    referral = referrals_for(ctx).filter(public_id=public_id).first()
    if referral is None:
        raise NotFound("No such referral.")
    if audit:
        record(ctx, Action.REFERRAL_VIEW, obj=referral, patient=referral.patient)
    return referral


def locked(referral: Referral, expected_version: int) -> Referral:
    """The referral locked for update; 409 when someone changed it since ``expected_version``."""
    row = Referral.objects.select_for_update().get(pk=referral.pk)
    if row.version != expected_version:
        raise Conflict(f"Someone else changed this referral meanwhile (now {row.get_status_display().lower()}); "
                       "reload it and try again.")
    return row


def move(ctx: Context, row: Referral, to_status: str, reason: str = "") -> None:
    """Write a status change (inside the caller's transaction, on a locked row)."""
    ReferralStatusChange.objects.create(referral=row, from_status=row.status, to_status=to_status, reason=reason, changed_by=ctx.user)
    row.status, row.version = to_status, row.version + 1
    row.updated_at, row.updated_by = timezone.now(), ctx.user
    if to_status == ReferralStatus.DECLINED:
        row.decline_reason = reason


def change_status(ctx: Context, referral: Referral, data) -> Referral:
    """new → contacted → scheduled for evaluation, or declined with a reason (registered: ``accept``)."""
    require(ctx.user, "referrals.manage")
    require_own_clinic(ctx.user, referral.organization_id, "referral")
    cleaned = validated(StatusForm, data)
    to_status, reason = cleaned["status"], (cleaned.get("reason") or "").strip()
    with transaction.atomic():
        row = locked(referral, cleaned["version"])
        if not rules.may_move(row.status, to_status):
            raise Conflict(f"A referral that is {row.get_status_display().lower()} cannot become "
                           f"{ReferralStatus(to_status).label.lower()}.")
        from_status = row.status
        move(ctx, row, to_status, reason)
        row.save()
        record(ctx, Action.REFERRAL_STATUS, obj=row, patient=row.patient,
               detail={"from": from_status, "to": to_status, "version": row.version})
    return row


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def candidates(ctx: Context, referral: Referral) -> QuerySet[Patient]:
    """Patients of the clinic who share at least two of name, date of birth and phone with the referral."""
    require(ctx.user, "referrals.view")
    name = Q(given_name__iexact=referral.patient_given_name, family_name__iexact=referral.patient_family_name)
    dob = Q(date_of_birth=referral.patient_date_of_birth)
    phone = Q(phone_digits=_digits(referral.patient_phone)) if _digits(referral.patient_phone) else Q(pk__in=[])
    return Patient.objects.filter(organization_id=ctx.user.organization_id).filter(
        (name & dob) | (dob & phone) | (name & phone)).order_by("family_name", "given_name")
