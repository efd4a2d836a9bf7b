"""Prior authorizations: units approved over dates; units used are counted from finalized lines."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ketamine_clinic.accounts.permissions import has_permission, require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import require_own_clinic
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.plans.models import Appointment, AppointmentKind, AppointmentStatus

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
    units_booked: int = 0  # dosing sessions booked from today to the end, not yet billed

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
    # Warn before the units run out: the sessions already booked will use some of what is left.
    booked = len(_booked_dosing_days(pa.patient_id, pa.start_on, pa.end_on, today)) if days >= 0 and left > 0 else 0
    if left <= 0:
        warnings.append(f"Authorization {pa.number}: all {pa.units_approved} units are used.")
    elif booked and left - booked <= policy["prior_auth_warn_units"]:
        warnings.append(f"Authorization {pa.number}: {left} of {pa.units_approved} units left, "
                        f"{max(left - booked, 0)} after the {booked} booked session(s).")
    elif left <= policy["prior_auth_warn_units"]:
        warnings.append(f"Authorization {pa.number}: {left} of {pa.units_approved} units left.")
    return Usage(pa, used, left, days, tuple(warnings), booked)


# --- warnings for scheduling (registered in plans.booking_checks from apps.py) ------------------
# Each booked dosing session not yet billed is counted as one unit: every dosing visit bills at
# least one unit of an authorized code, so this is the least the bookings will use.

def _booked_dosing_days(patient, start_on: dt.date, end_on: dt.date, today: dt.date, exclude_pk=None) -> list[dt.date]:
    from_day = max(start_on, today)
    rows = (Appointment.objects.exclude(pk=exclude_pk).filter(patient=patient, kind=AppointmentKind.DOSING,
                                       status__in=(AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN,
                                                   AppointmentStatus.IN_SESSION),
                                       start_at__gte=timezone.make_aware(dt.datetime.combine(from_day, dt.time.min))
                                       - dt.timedelta(days=1),
                                       start_at__lt=timezone.make_aware(dt.datetime.combine(end_on, dt.time.max))
                                       + dt.timedelta(days=1))
            .select_related("location"))
    return [d for d in (a.local_start().date() for a in rows) if from_day <= d <= end_on]


def booking_problems(patient, kind: str, day: dt.date, today: dt.date, exclude_pk=None) -> list[str]:
    """Why a dosing session on ``day`` goes past the patient's prior authorizations: no authorization
    covers the date, or every one that does has no unit left after the sessions already booked
    (``exclude_pk``: the appointment being moved, not counted). A patient with no authorization
    recorded is not checked (self-pay, or none required)."""
    if kind != AppointmentKind.DOSING:
        return []
    authorizations = list(PriorAuthorization.objects.filter(patient=patient, organization_id=patient.organization_id))
    if not authorizations:
        return []
    covering = [pa for pa in authorizations if pa.start_on <= day <= pa.end_on]
    if not covering:
        last = max(authorizations, key=lambda pa: pa.end_on)
        return [f"No prior authorization covers {day}: {last.number} runs {last.start_on} to {last.end_on}."]
    problems = []
    for pa in covering:
        booked = _booked_dosing_days(patient, pa.start_on, pa.end_on, today, exclude_pk)
        left = authorization_usage(pa, today).units_left - len(booked)
        if left > 0:
            return []
        problems.append(f"Authorization {pa.number}: no unit left for another session (its {pa.units_approved} units "
                        "are billed or already booked).")
    return problems


def plan_warnings(user, plan, today: dt.date) -> list[str]:
    """The plan page: authorizations running out, and booked sessions past an authorization."""
    if not has_permission(user, "billing.view_codes") or user.organization_id != plan.organization_id:
        return []
    authorizations = list(PriorAuthorization.objects.filter(patient_id=plan.patient_id,
                                                            organization_id=plan.organization_id))
    if not authorizations:
        return []
    warnings = [w for pa in authorizations if pa.end_on >= today for w in authorization_usage(pa, today).warnings]
    latest_end = max(pa.end_on for pa in authorizations)
    after = [a for a in plan.appointments.filter(kind=AppointmentKind.DOSING, status=AppointmentStatus.BOOKED)
             .select_related("location") if a.local_start().date() > latest_end]
    if after:
        warnings.append(f"{len(after)} booked session(s) fall after the last authorization ends ({latest_end}).")
    return warnings
