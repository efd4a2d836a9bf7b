"""Invoices from finalized visits, and the append-only ledger: payments, refunds, adjustments.

Every ledger write locks the invoice row first, so two payments at once are applied one after the
other against the true balance: an invoice is never over-applied unless a payment is marked as a
credit. No card number is stored: a card payment keeps only the processor's or terminal's reference.
"""

import re
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from ketamine_clinic.accounts.models import Organization
from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core import batch
from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.core.prepared import Prepared

from ..models import BillableVisit, GoodFaithEstimate, Invoice, LedgerEntry
from ..processor import ProcessorError, configured_processor
from ..rules.money import exceeds_estimate
from ._common import Errors, audit, flag

CARD_NUMBER_RE = re.compile(r"(?:\d[ -]?){13,19}")  # looks like a card number: refuse to store it
ZERO = Decimal("0.00")


def balance_of(invoice: Invoice) -> Decimal:
    """Total plus adjustments and refunds, minus payments."""
    effect = ZERO
    for kind, amount in invoice.entries.values_list("kind", "amount_usd"):
        effect += -amount if kind == LedgerEntry.Kind.PAYMENT else amount
    return invoice.total_usd + effect


def paid_of(invoice: Invoice) -> Decimal:
    sums = {k: v or ZERO for k, v in invoice.entries.values("kind").annotate(s=Sum("amount_usd")).values_list("kind", "s")}
    return sums.get(LedgerEntry.Kind.PAYMENT, ZERO) - sums.get(LedgerEntry.Kind.REFUND, ZERO)


# What a patient owes, whatever the number of invoices: every invoice's total, plus its adjustments
# and refunds, minus its payments (``balance_of`` summed), as two sums read in one statement.
_INVOICED = Prepared(lambda patient_id: Invoice.objects.filter(patient_id=patient_id).values("patient_id")
                     .annotate(total=Sum("total_usd")).order_by())
_ENTRIES = Prepared(lambda patient_id: LedgerEntry.objects.filter(invoice__patient_id=patient_id).values("kind")
                    .annotate(total=Sum("amount_usd")).order_by("kind"))


def balance_reads(patient) -> dict:
    """The sums ``patient_balance`` reads (for ``core.batch``; compiled once per process)."""
    return {("billing.invoiced", patient.pk): _INVOICED(patient.pk), ("billing.entries", patient.pk): _ENTRIES(patient.pk)}


def patient_balance(patient) -> Decimal:
    read = batch.lists(balance_reads(patient))
    invoiced = sum((row["total"] or ZERO for row in read[("billing.invoiced", patient.pk)]), ZERO)
    entries = {row["kind"]: row["total"] or ZERO for row in read[("billing.entries", patient.pk)]}
    payments = entries.pop(LedgerEntry.Kind.PAYMENT, ZERO)
    return invoiced + sum(entries.values(), ZERO) - payments


def estimate_check(visit: BillableVisit, total: Decimal) -> tuple[GoodFaithEstimate | None, Decimal | None, bool]:
    """(estimate covering the visit, billed in its period including this bill, over by $400 or more?)."""
    estimate = (GoodFaithEstimate.objects.filter(patient_id=visit.patient_id, period_start__lte=visit.service_date,
                                                 period_end__gte=visit.service_date).order_by("-version").first())
    if estimate is None:
        return None, None, False
    earlier = (Invoice.objects.filter(patient_id=visit.patient_id, visit__service_date__gte=estimate.period_start,
                                      visit__service_date__lte=estimate.period_end)
               .aggregate(s=Sum("total_usd"))["s"] or ZERO)
    billed = earlier + total
    return estimate, billed, exceeds_estimate(billed, estimate.total_usd)


def invoice_warnings(visit: BillableVisit) -> list[str]:
    total = sum((ln.charge_usd for ln in visit.active_lines()), ZERO)
    estimate, billed, over = estimate_check(visit, total)
    if over:
        return [f"Billed ${billed} in the estimate's period is ${billed - estimate.total_usd} above the good-faith "
                f"estimate (${estimate.total_usd}): the patient may dispute it (45 CFR 149.620). The invoice will "
                "carry the dispute notice."]
    return []


def issue_invoice(ctx: Context, visit: BillableVisit, data: dict | None = None) -> Invoice:
    require(ctx.user, "billing.collect")
    data = data or {}
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=visit.organization_id)  # serializes invoice numbers
        locked = BillableVisit.objects.select_for_update().get(pk=visit.pk)
        if not locked.is_final:
            raise Conflict("Finalize the visit's lines before invoicing.")
        if Invoice.objects.filter(visit=locked).exists():
            raise Conflict("This visit already has an invoice.")
        total = sum((ln.charge_usd for ln in locked.active_lines()), ZERO)
        estimate, billed, over = estimate_check(locked, total)
        if over and not flag(data, "acknowledge_dispute_notice"):
            raise ValidationFailed({"acknowledge_dispute_notice": invoice_warnings(locked)},
                                   "This bill is $400 or more above the good-faith estimate; confirm to issue it "
                                   "with the dispute notice.")
        number = (Invoice.objects.filter(organization=org).aggregate(n=Max("number"))["n"] or 0) + 1
        invoice = Invoice.objects.create(organization=org, patient=locked.patient, number=number, visit=locked,
                                         total_usd=total, estimate=estimate, billed_to_date_usd=billed,
                                         dispute_notice=over, issued_by=ctx.user)
        audit(ctx, Action.BILLING_INVOICE_ISSUE, invoice, patient=locked.patient,
              detail={"number": number, "total_usd": str(total), "dispute_notice": over})
    return invoice


def _receipt_number(entry_public_id) -> str:
    return f"R{timezone.now():%Y%m%d}-{entry_public_id.hex[:8].upper()}"


def _reference(e: Errors, data: dict, method: str) -> str:
    reference = e.text(data, "reference", 80)
    if CARD_NUMBER_RE.search(reference):
        e.add("reference", "Never enter a card number: give the terminal's or processor's reference.")
    if method in ("card", "hsa_fsa", "check") and not reference and not data.get("token"):
        e.add("reference", "Give the card terminal's reference or the check number.")
    return reference


def _new_entry(ctx, invoice, kind, amount, **fields) -> LedgerEntry:
    entry = LedgerEntry(organization_id=invoice.organization_id, patient_id=invoice.patient_id, invoice=invoice,
                        kind=kind, amount_usd=amount, recorded_by=ctx.user, **fields)
    entry.receipt_number = _receipt_number(entry.public_id)
    entry.save()
    return entry


def record_payment(ctx: Context, invoice: Invoice, data: dict) -> LedgerEntry:
    require(ctx.user, "billing.collect")
    e = Errors()
    method = str(data.get("method") or "").strip()
    if method not in ("card", "cash", "check", "hsa_fsa"):
        e.add("method", "Choose card, cash, check or HSA/FSA.")
    amount = e.money(data, "amount_usd", allow_zero=False)
    reference = _reference(e, data, method)
    is_credit = flag(data, "is_credit")
    e.raise_if_any()
    processor = configured_processor() if method in ("card", "hsa_fsa") and data.get("token") else None
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        balance = balance_of(locked)
        if amount > balance and not is_credit:
            raise ValidationFailed({"amount_usd": [f"More than the balance (${balance}); mark it as a credit to keep "
                                                   "the difference on the account."]})
        if processor is not None:
            try:
                reference = processor.capture(amount_usd=amount, token=str(data["token"]),
                                              description=f"Invoice {locked.number}")
            except ProcessorError as exc:
                raise Conflict(f"The card was not charged: {exc}") from None
        entry = _new_entry(ctx, locked, LedgerEntry.Kind.PAYMENT, amount, method=method, reference=reference,
                           is_credit=is_credit and amount > balance)
        audit(ctx, Action.BILLING_PAYMENT, entry, patient=locked.patient,
              detail={"invoice": locked.number, "amount_usd": str(amount), "method": method,
                      "balance_after_usd": str(balance - amount)})
    return entry


def record_refund(ctx: Context, invoice: Invoice, data: dict) -> LedgerEntry:
    require(ctx.user, "billing.adjust")
    e = Errors()
    amount = e.money(data, "amount_usd", allow_zero=False)
    method = str(data.get("method") or "").strip()
    if method not in ("card", "cash", "check", "hsa_fsa"):
        e.add("method", "Choose how the money goes back: card, cash, check or HSA/FSA.")
    reason = e.text(data, "reason", 300, required=True, label="A reason")
    reference = e.text(data, "reference", 80)
    if CARD_NUMBER_RE.search(reference):
        e.add("reference", "Never enter a card number: give the terminal's or processor's reference.")
    e.raise_if_any()
    processor = configured_processor() if method in ("card", "hsa_fsa") and flag(data, "through_processor") else None
    if processor is not None and not reference:
        raise ValidationFailed({"reference": ["Give the processor's reference of the payment to refund."]})
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        paid = paid_of(locked)
        if amount > paid:
            raise ValidationFailed({"amount_usd": [f"More than was paid on this invoice (${paid})."]})
        if processor is not None:
            try:
                reference = processor.refund(amount_usd=amount, reference=reference)
            except ProcessorError as exc:
                raise Conflict(f"The refund was not made: {exc}") from None
        entry = _new_entry(ctx, locked, LedgerEntry.Kind.REFUND, amount, method=method, reference=reference,
                           reason=reason)
        audit(ctx, Action.BILLING_REFUND, entry, patient=locked.patient,
              detail={"invoice": locked.number, "amount_usd": str(amount), "reason": reason})
    return entry


def record_adjustment(ctx: Context, invoice: Invoice, data: dict) -> LedgerEntry:
    """A signed change of what the patient owes (negative = discount or write-off), with a reason."""
    require(ctx.user, "billing.adjust")
    e = Errors()
    amount = e.money(data, "amount_usd", allow_negative=True, allow_zero=False)
    reason = e.text(data, "reason", 300, required=True, label="A reason")
    e.raise_if_any()
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        balance = balance_of(locked)
        if balance + amount < 0:
            raise ValidationFailed({"amount_usd": [f"This would take the balance (${balance}) below zero; "
                                                   "record a refund instead."]})
        entry = _new_entry(ctx, locked, LedgerEntry.Kind.ADJUSTMENT, amount, reason=reason)
        audit(ctx, Action.BILLING_ADJUSTMENT, entry, patient=locked.patient,
              detail={"invoice": locked.number, "amount_usd": str(amount), "reason": reason})
    return entry
