"""Prior authorizations: units approved over dates; units used are counted from finalized lines."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import require_own_clinic
from ketamine_clinic.patients.models import Patient

from ..models import ChargeLine, PriorAuthorization, VisitStatus
from ..clinic_policy import billing_policy
from ._common import Errors, audit
from .setup import CODE_RE


@dataclass(frozen=True)
class Usage:
    authorization: PriorAuthorization
    units_used: int
    units_left: int
    days_left: int
    warnings: tuple[str, ...]

    @property
    def percent_used(self) -> int:
        approved = self.authorization.units_approved
        return min(100, round(100 * self.units_used / approved)) if approved else 100


def add_prior_authorization(ctx: Context, patient: Patient, data: dict) -> PriorAuthorization:
    require(ctx.user, "billing.coverage")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    e = Errors()
    payer = e.text(data, "payer_name", 150, required=True, label="The payer")
    number = e.text(data, "number", 50, required=True, label="The authorization number")
    raw_codes = data.get("codes") or ""
    codes = [c.strip().upper() for c in (raw_codes if isinstance(raw_codes, list) else str(raw_codes).replace(" ", ",").split(","))
             if c.strip()]
    if not codes:
        e.add("codes", "List the service codes it authorizes, e.g. J0013, G2083.")
    elif any(not CODE_RE.match(c) for c in codes):
        e.add("codes", "Each code is a CPT or HCPCS code of five characters.")
    units = e.units(data, "units_approved")
    start = e.date(data, "start_on")
    end = e.date(data, "end_on")
    if start and end and end < start:
        e.add("end_on", "The end is before the start.")
    e.raise_if_any()
    with transaction.atomic():
        row = PriorAuthorization.objects.create(organization_id=ctx.user.organization_id, patient=patient,
                                                payer_name=payer, number=number, codes=codes, units_approved=units,
                                                start_on=start, end_on=end, created_by=ctx.user)
        audit(ctx, Action.BILLING_PRIOR_AUTH_ADD, row, patient=patient, detail={"number": number, "codes": codes, "units": units})
    return row


def authorization_usage(pa: PriorAuthorization, today: dt.date | None = None) -> Usage:
    today = today or timezone.localdate()
    used = (ChargeLine.objects.filter(visit__patient_id=pa.patient_id, visit__status=VisitStatus.FINALIZED,
                                      visit__service_date__gte=pa.start_on, visit__service_date__lte=pa.end_on,
                                      status=ChargeLine.Status.ACTIVE, code__in=pa.codes)
            .aggregate(u=Sum("units"))["u"] or 0)
    left = pa.units_approved - used
    days = (pa.end_on - today).days
    policy = billing_policy(pa.organization_id)
    warnings = []
    if days < 0:
        warnings.append(f"Authorization {pa.number} ended on {pa.end_on}.")
    elif days <= policy["prior_auth_warn_days"]:
        warnings.append(f"Authorization {pa.number} ends in {days} days ({pa.end_on}).")
    if left <= 0:
        warnings.append(f"Authorization {pa.number}: all {pa.units_approved} units are used.")
    elif left <= policy["prior_auth_warn_units"]:
        warnings.append(f"Authorization {pa.number}: {left} of {pa.units_approved} units left.")
    return Usage(pa, used, left, days, tuple(warnings))
