"""Payment plans (no interest, no fees; at most 4 instalments by default: Reg Z) and benefits checks."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import Conflict, ValidationFailed

from ..models import BenefitsCheck, Coverage, Invoice, LedgerEntry, PaymentPlan
from ..clinic_policy import billing_policy
from ..rules.money import TILA_MAX_INSTALMENTS, instalments
from ._common import Errors, audit
from .estimates import _months_later
from .invoices import balance_of

MAX_INSTALMENTS = 24  # a sanity bound for the form; more than 4 needs the clinic's setting anyway
X12_SERVICE_TYPES = {"30": "Health benefit plan coverage", "MH": "Mental health", "A4": "Psychiatric",
                     "A6": "Psychotherapy"}  # A4/A6 marked verify in PRACTICE.md s.2.4


def create_payment_plan(ctx: Context, invoice: Invoice, data: dict) -> PaymentPlan:
    require(ctx.user, "billing.collect")
    e = Errors()
    count = e.units(data, "instalments")
    first = e.date(data, "first_due_on", required=False) or timezone.localdate()
    if count and count > MAX_INSTALMENTS:
        e.add("instalments", f"At most {MAX_INSTALMENTS} instalments.")
    elif count and count > TILA_MAX_INSTALMENTS and not billing_policy(ctx.user.organization_id)["payment_plan_over_four_instalments"]:
        e.add("instalments", "At most 4 instalments: with more, the clinic may become a creditor under Truth in Lending "
                             "(Reg Z, 12 CFR 1026). A clinic admin can allow more in the clinic settings after legal review.")
    e.raise_if_any()
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if PaymentPlan.objects.filter(invoice=locked).exists():
            raise Conflict("This invoice already has a payment plan.")
        balance = balance_of(locked)
        if balance <= 0:
            raise ValidationFailed({"instalments": ["Nothing is owed on this invoice."]})
        amounts = instalments(balance, count)
        schedule = [{"due_on": _months_later(first, i).isoformat(), "amount_usd": str(a)} for i, a in enumerate(amounts)]
        plan = PaymentPlan.objects.create(organization_id=locked.organization_id, patient_id=locked.patient_id,
                                          invoice=locked, total_usd=balance, instalments=schedule, created_by=ctx.user)
        audit(ctx, Action.BILLING_PAYMENT_PLAN, plan, patient=locked.patient,
              detail={"invoice": locked.number, "total_usd": str(balance), "instalments": count})
    return plan


def plan_status(plan: PaymentPlan, today: dt.date | None = None) -> list[dict]:
    """Each instalment with its state: paid (payments since the plan cover it), due, or overdue."""
    today = today or timezone.localdate()
    paid = sum((e.amount_usd if e.kind == LedgerEntry.Kind.PAYMENT else -e.amount_usd
                for e in plan.invoice.entries.filter(recorded_at__gte=plan.created_at,
                                                     kind__in=[LedgerEntry.Kind.PAYMENT, LedgerEntry.Kind.REFUND])),
               Decimal("0.00"))
    rows, covered = [], Decimal("0.00")
    for item in plan.instalments:
        covered += Decimal(item["amount_usd"])
        due_on = dt.date.fromisoformat(item["due_on"])
        state = "paid" if paid >= covered else ("overdue" if due_on < today else "due")
        rows.append({"due_on": due_on, "amount_usd": Decimal(item["amount_usd"]), "state": state})
    return rows


def record_benefits_check(ctx: Context, coverage: Coverage, data: dict) -> BenefitsCheck:
    require(ctx.user, "billing.coverage")
    e = Errors()
    raw = data.get("service_type_codes") or ["30", "MH"]
    codes = [c.strip().upper() for c in (raw if isinstance(raw, list) else str(raw).replace(" ", ",").split(",")) if c.strip()]
    if not codes or any(c not in X12_SERVICE_TYPES for c in codes):
        e.add("service_type_codes", "Use the X12 service type codes 30, MH, A4 or A6.")
    method = str(data.get("method") or "").strip()
    if method not in BenefitsCheck.Method.values:
        e.add("method", "Choose phone, payer portal or clearinghouse.")
    reference = e.text(data, "reference", 80)
    answer = e.text(data, "answer", 1000, required=True, label="The payer's answer")
    copay = e.money(data, "copay_usd", required=False)
    deductible = e.money(data, "deductible_remaining_usd", required=False)
    coinsurance = e.money(data, "coinsurance_percent", required=False)
    if coinsurance is not None and coinsurance > 100:
        e.add("coinsurance_percent", "At most 100%.")
    yes_no = {"yes": True, "true": True, "no": False, "false": False, "": None}
    active = yes_no.get(str(data.get("coverage_active") or "").strip().lower(), "bad")
    mental = yes_no.get(str(data.get("mental_health_covered") or "").strip().lower(), "bad")
    for field, value in (("coverage_active", active), ("mental_health_covered", mental)):
        if value == "bad":
            e.add(field, "Answer yes, no, or leave it empty.")
    e.raise_if_any()
    if coverage.is_self_pay:
        raise ValidationFailed({"coverage": ["Self-pay has no payer to check."]})
    with transaction.atomic():
        row = BenefitsCheck.objects.create(
            organization_id=ctx.user.organization_id, patient=coverage.patient, coverage=coverage,
            service_type_codes=codes, method=method, reference=reference, coverage_active=active,
            mental_health_covered=mental, copay_usd=copay, coinsurance_percent=coinsurance,
            deductible_remaining_usd=deductible, answer=answer, checked_by=ctx.user)
        audit(ctx, Action.BILLING_BENEFITS_CHECK, row, patient=coverage.patient,
              detail={"coverage": str(coverage.public_id), "codes": codes, "active": active})
    return row



