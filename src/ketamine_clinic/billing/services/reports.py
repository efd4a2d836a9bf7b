"""The billing work queue and the accounts-receivable ageing report (reads, scoped to the clinic)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.services import Context
from ketamine_clinic.plans.models import Appointment, AppointmentStatus
from ketamine_clinic.screening.models import IntakeEvaluation
from ketamine_clinic.treatments.models import SessionStatus, TreatmentSession

from ..clinic_policy import billing_policy
from ..models import BillableVisit, Coverage, EstimateDue, GoodFaithEstimate, Invoice, PriorAuthorization, VisitStatus
from ..rules.money import gfe_due_date
from ..rules.propose import Payer
from .invoices import balance_of
from .prior_auth import authorization_usage
from .reads import require_money

QUEUE_DAYS = 120  # sessions older than this drop off the "to code" list (clinic policy of the screen)
AGEING_BUCKETS = ((0, 30, "0–30 days"), (31, 60, "31–60 days"), (61, 90, "61–90 days"), (91, None, "Over 90 days"))


def sessions_to_code(ctx: Context) -> list[TreatmentSession]:
    require(ctx.user, "billing.view_codes")
    since = timezone.now() - dt.timedelta(days=QUEUE_DAYS)
    return list(TreatmentSession.objects.filter(organization_id=ctx.user.organization_id, status=SessionStatus.DISCHARGED,
                                                billable_visit__isnull=True, checked_in_at__gte=since)
                .select_related("patient", "location").order_by("checked_in_at")[:200])


def evaluations_to_code(ctx: Context):
    require(ctx.user, "billing.view_codes")
    since = timezone.now() - dt.timedelta(days=QUEUE_DAYS)
    return list(IntakeEvaluation.objects.filter(patient__organization_id=ctx.user.organization_id,
                                                completed_at__gte=since, billable_visit__isnull=True)
                .exclude(completed_by=None).select_related("patient", "completed_by").order_by("completed_at")[:200])


def visits_to_review(ctx: Context) -> list[BillableVisit]:
    require(ctx.user, "billing.view_codes")
    return list(BillableVisit.objects.filter(organization_id=ctx.user.organization_id, status=VisitStatus.DRAFT)
                .select_related("patient").order_by("service_date")[:200])


def visits_to_invoice(ctx: Context) -> list[BillableVisit]:
    require_money(ctx.user)
    return list(BillableVisit.objects.filter(organization_id=ctx.user.organization_id, status=VisitStatus.FINALIZED,
                                             invoice__isnull=True).select_related("patient").order_by("service_date")[:200])


def estimates_due(ctx: Context) -> list:
    """Estimates owed: requests recorded by staff, plus self-pay or uninsured patients with a service
    booked since their last estimate (the booking time starts the 1- or 3-business-day deadline:
    cfr-149-610)."""
    require_money(ctx.user)
    recorded = list(EstimateDue.objects.filter(organization_id=ctx.user.organization_id, fulfilled_by__isnull=True)
                    .select_related("patient"))
    owed = {d.patient_id for d in recorded}
    no_coverage_counts = billing_policy(ctx.user.organization)["estimate_when_no_coverage_on_file"]
    derived = [d for d in _scheduled_without_insurance(ctx.user.organization_id, no_coverage_counts)
               if d.patient.pk not in owed]
    return sorted(recorded + derived, key=lambda d: d.due_on)


@dataclass(frozen=True)
class ScheduledDue:
    """An estimate owed because a self-pay or uninsured patient's service was booked (read from the schedule)."""

    patient: object
    asked_on: dt.date
    service_on: dt.date
    due_on: dt.date
    requested: bool = False
    no_coverage_on_file: bool = False


def _scheduled_without_insurance(organization_id, no_coverage_counts: bool) -> list[ScheduledDue]:
    """Per patient, the first service booked since their last estimate, when the patient is self-pay
    (an active self-pay entry) or, if the clinic counts it, has no current insurance on file."""
    today = timezone.localdate()
    active = Coverage.objects.filter(patient_id=OuterRef("patient_id"), status=Coverage.Status.ACTIVE)
    self_pay = active.filter(kind=Payer.SELF_PAY)
    insured = active.exclude(kind=Payer.SELF_PAY).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
    last_estimate = GoodFaithEstimate.objects.filter(patient_id=OuterRef("patient_id")).order_by("-issued_at")
    wanted = Q(self_pay=True) | Q(insured=False) if no_coverage_counts else Q(self_pay=True)
    booked = (Appointment.objects.filter(organization_id=organization_id, status=AppointmentStatus.BOOKED,
                                         start_at__gte=timezone.now())
              .annotate(self_pay=Exists(self_pay), insured=Exists(insured),
                        last_estimate_at=Subquery(last_estimate.values("issued_at")[:1]))
              .filter(wanted)
              .filter(Q(last_estimate_at__isnull=True) | Q(created_at__gt=F("last_estimate_at")))
              .select_related("patient", "location").order_by("patient_id", "created_at", "id"))
    out, seen = [], set()
    for first in booked:
        if first.patient_id in seen:
            continue
        seen.add(first.patient_id)
        asked_on = timezone.localtime(first.created_at, first.location.tz).date()
        service_on = timezone.localtime(first.start_at, first.location.tz).date()
        due = gfe_due_date(asked_on=asked_on, service_on=service_on, requested=False)
        if due is not None and due >= today - dt.timedelta(days=365):
            out.append(ScheduledDue(first.patient, asked_on, service_on, due, no_coverage_on_file=not first.self_pay))
    return out


def authorizations_to_watch(ctx: Context, today: dt.date | None = None):
    require(ctx.user, "billing.coverage")
    today = today or timezone.localdate()
    rows = PriorAuthorization.objects.filter(organization_id=ctx.user.organization_id,
                                             end_on__gte=today - dt.timedelta(days=30)).select_related("patient")
    return [u for u in (authorization_usage(pa, today) for pa in rows) if u.warnings]


def open_invoices(ctx: Context) -> list[tuple[Invoice, Decimal]]:
    require_money(ctx.user)
    out = []
    for inv in (Invoice.objects.filter(organization_id=ctx.user.organization_id).select_related("patient", "visit")
                .prefetch_related("entries").order_by("issued_at")):
        balance = balance_of(inv)
        if balance != 0:
            out.append((inv, balance))
    return out


def ageing(ctx: Context, today: dt.date | None = None) -> dict:
    """Open balances by the age of the invoice: rows per invoice and totals per bucket."""
    today = today or timezone.localdate()
    rows, totals = [], {label: Decimal("0.00") for _, _, label in AGEING_BUCKETS}
    for inv, balance in open_invoices(ctx):
        age = (today - timezone.localdate(inv.issued_at)).days
        label = next(lb for lo, hi, lb in AGEING_BUCKETS if age >= lo and (hi is None or age <= hi))
        totals[label] += balance
        rows.append({"invoice": inv, "balance": balance, "age_days": age, "bucket": label})
    return {"rows": rows, "totals": totals, "total": sum(totals.values(), Decimal("0.00"))}
