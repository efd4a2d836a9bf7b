"""REST API of billing (full paths; mounted at /api/v1): the code list, fee schedules and billing
numbers, coverage, coding a visit, invoices and the ledger, estimates and prior authorizations.
Thin: schema in, the same service the pages call, schema out. Money is a decimal string in USD."""

from decimal import Decimal
from uuid import UUID

from ninja import Router, Status

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import NotFound
from ketamine_clinic.core.schemas import errors
from ketamine_clinic.web.api import form_data

from . import services
from .models import (
    BillableVisit, ChargeLine, Coverage, FeeSchedule, GoodFaithEstimate, Invoice, LedgerEntry, PriorAuthorization,
)
from .rules.codes import CODES
from .rules.sources import SOURCES
from .schemas import (
    AdjustmentEntryIn, BenefitsCheckIn, BenefitsCheckOut, BillingCodeOut, ChargeLineIn, ChargeLineOut,
    CoverageErrorIn, CoverageIn, CoverageOut, EstimateDueIn, EstimateDueOut, EstimateIn, EstimateOut,
    FeeScheduleIn, FeeScheduleOut, FinalizeIn, InstalmentOut, InvoiceOut, IssueInvoiceIn, LedgerEntryOut,
    LineRemoveIn, PatientBalanceOut, PaymentEntryIn, PaymentPlanIn, PracticeIn, PracticeOut, PriorAuthIn,
    PriorAuthOut, ProposeLinesIn, ProviderNumbersIn, ProviderNumbersOut, RefundEntryIn, VisitOut,
)
from .services.invoices import balance_of, invoice_warnings, paid_of

router = Router(tags=["billing"])


# --- mapping ----------------------------------------------------------------------------------
def _ctx(request) -> Context:
    return Context.from_request(request)


def code_out(c) -> dict:
    return {"code": c.code, "system": c.system, "display": c.display, "kind": c.kind.value, "rule": c.rule,
            "add_on": c.add_on, "per_mg": c.per_mg, "needs_ndc": c.needs_ndc, "max_units": c.max_units,
            "verify": c.verify, "sources": [SOURCES[s].citation for s in c.sources]}


def line_out(ln: ChargeLine) -> dict:
    return {"id": ln.public_id, "position": ln.position, "code": ln.code,
            "display": CODES[ln.code].display if ln.code in CODES else "", "modifiers": ln.modifiers, "units": ln.units,
            "drug_mg": ln.drug_mg, "ndc": ln.ndc, "diagnosis_pointers": ln.diagnosis_pointers,
            "unit_price_usd": ln.unit_price_usd, "charge_usd": ln.charge_usd, "rule": ln.rule, "sources": ln.sources,
            "reason": ln.reason}


def visit_out(v: BillableVisit) -> dict:
    lines = list(v.active_lines())
    return {"id": v.public_id, "patient_id": v.patient.public_id, "session_id": v.session.public_id if v.session_id else None,
            "service_date": v.service_date, "place_of_service": v.place_of_service,
            "rendering_provider": v.rendering_provider.name, "payer": v.payer, "established_patient": v.established_patient,
            "clinician_minutes": v.clinician_minutes, "psychotherapy_minutes": v.psychotherapy_minutes,
            "diagnosis_codes": v.diagnosis_codes, "notes": v.notes, "status": v.status, "version": v.version,
            "total_usd": sum((ln.charge_usd for ln in lines), Decimal("0.00")), "lines": [line_out(ln) for ln in lines]}


def entry_out(e: LedgerEntry) -> dict:
    return {"id": e.public_id, "kind": e.kind, "method": e.method, "amount_usd": e.amount_usd, "is_credit": e.is_credit,
            "reference": e.reference, "reason": e.reason, "receipt_number": e.receipt_number, "recorded_at": e.recorded_at}


def invoice_out(i: Invoice) -> dict:
    return {"id": i.public_id, "number": i.number, "patient_id": i.patient.public_id, "visit_id": i.visit.public_id,
            "total_usd": i.total_usd, "paid_usd": paid_of(i), "balance_usd": balance_of(i),
            "dispute_notice": i.dispute_notice, "issued_at": i.issued_at, "entries": [entry_out(e) for e in i.entries.all()],
            "payment_plan": services.plan_status(i.payment_plan) if hasattr(i, "payment_plan") else None}


def benefits_out(b) -> dict:
    return {"id": b.public_id, "coverage_id": b.coverage.public_id, "checked_by": b.checked_by.name,
            **{f: getattr(b, f) for f in ("service_type_codes", "method", "reference", "coverage_active",
                                          "mental_health_covered", "copay_usd", "coinsurance_percent",
                                          "deductible_remaining_usd", "answer", "checked_at")}}


def coverage_out(c: Coverage) -> dict:
    return {"id": c.public_id, **{f: getattr(c, f) for f in (
        "kind", "payer_name", "plan_name", "member_id", "subscriber_name", "subscriber_relationship", "in_network",
        "effective_from", "effective_to", "status")}}


def estimate_out(e: GoodFaithEstimate) -> dict:
    return {"id": e.public_id, "version": e.version, "total_usd": e.total_usd, "period_start": e.period_start,
            "period_end": e.period_end, "issued_at": e.issued_at, "content": e.content}


def prior_auth_out(pa: PriorAuthorization) -> dict:
    u = services.authorization_usage(pa)
    return {"id": pa.public_id, "payer_name": pa.payer_name, "number": pa.number, "codes": pa.codes,
            "units_approved": pa.units_approved, "units_used": u.units_used, "units_left": u.units_left,
            "units_booked": u.units_booked, "start_on": pa.start_on, "end_on": pa.end_on, "warnings": list(u.warnings)}


def _patient_rows(request, patient_id: UUID, action: str, rows, out) -> list[dict]:
    """A list endpoint under a patient: the patient of the actor's clinic (404 otherwise), its ``rows(patient)``, each ``out``."""
    patient = services.patient_for(_ctx(request), patient_id, action)
    return [out(row) for row in rows(patient)]


def _yes_no(value: bool | None) -> str:
    """An optional JSON boolean as the services' form value: "yes", "no" or "" (not said)."""
    return {True: "yes", False: "no"}.get(value, "")


# --- code list, prices, numbers ---------------------------------------------------------------
@router.get("/billing/codes", response={200: list[BillingCodeOut], **errors(401, 403)}, summary="The code list with rules and sources")
def list_codes(request):
    require(request.user, "billing.view_codes")
    return [code_out(c) for c in CODES.values()]


@router.get("/billing/fee-schedules", response={200: list[FeeScheduleOut], **errors(401, 403)},
            summary="Every version of the clinic's fee schedule, newest first")
def list_fee_schedules(request):
    require(request.user, "billing.view_codes")
    rows = FeeSchedule.objects.filter(organization_id=request.user.organization_id).prefetch_related("items")
    return [{"id": s.public_id, "version": s.version, "effective_from": s.effective_from, "reason": s.reason,
             "items": list(s.items.all())} for s in rows]


@router.post("/billing/fee-schedules", response={201: FeeScheduleOut, **errors(400, 401, 403, 422)},
             summary="Save a new version of the fee schedule (prices per unit; per mg for drug codes)")
def save_fee_schedule(request, payload: FeeScheduleIn):
    data = payload.dict()
    data["items"] = [dict(i, price_usd=str(i["price_usd"])) for i in data["items"]]
    s = services.save_fee_schedule(_ctx(request), data)
    return Status(201, {"id": s.public_id, "version": s.version, "effective_from": s.effective_from, "reason": s.reason,
                        "items": list(s.items.all())})


@router.post("/billing/practice", response={201: PracticeOut, **errors(400, 401, 403, 422)},
             summary="Save the practice's billing identity (a new version)")
def save_practice(request, payload: PracticeIn):
    return Status(201, services.save_practice_profile(_ctx(request), form_data(payload)))


@router.post("/billing/providers/{user_id}/numbers", response={201: ProviderNumbersOut, **errors(400, 401, 403, 404, 422)},
             summary="Save a rendering provider's NPI and licence (a new version)")
def save_provider_numbers(request, user_id: UUID, payload: ProviderNumbersIn):
    row = services.save_provider_numbers(_ctx(request), user_id, form_data(payload))
    return Status(201, {"provider": row.provider.name, "version": row.version, "npi": row.npi,
                        "license_number": row.license_number, "license_state": row.license_state})


# --- coverage and prior authorizations ----------------------------------------------------------
@router.get("/patients/{patient_id}/coverage", response={200: list[CoverageOut], **errors(401, 403, 404, 422)},
            summary="A patient's coverage records (self-pay included)")
def list_coverage(request, patient_id: UUID):
    return _patient_rows(request, patient_id, "billing.view_codes", lambda p: p.coverages.all(), coverage_out)


@router.post("/patients/{patient_id}/coverage", response={201: CoverageOut, **errors(400, 401, 403, 404, 422)},
             summary="Record coverage or explicit self-pay with effective dates")
def add_coverage(request, patient_id: UUID, payload: CoverageIn):
    ctx = _ctx(request)
    patient = services.patient_for(ctx, patient_id, "billing.coverage")
    data = form_data(payload)
    data["in_network"] = _yes_no(payload.in_network)
    return Status(201, coverage_out(services.add_coverage(ctx, patient, data)))


@router.post("/coverage/{coverage_id}/entered-in-error", response={200: CoverageOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Mark a coverage record entered in error (with a reason)")
def coverage_in_error(request, coverage_id: UUID, payload: CoverageErrorIn):
    ctx = _ctx(request)
    return coverage_out(services.mark_coverage_in_error(ctx, services.get_coverage_for(ctx, coverage_id), payload.reason))


@router.get("/patients/{patient_id}/prior-authorizations", response={200: list[PriorAuthOut], **errors(401, 403, 404, 422)},
            summary="Prior authorizations with units used (from finalized lines) and warnings")
def list_prior_auths(request, patient_id: UUID):
    return _patient_rows(request, patient_id, "billing.coverage", lambda p: p.prior_authorizations.all(), prior_auth_out)


@router.post("/patients/{patient_id}/prior-authorizations", response={201: PriorAuthOut, **errors(400, 401, 403, 404, 422)},
             summary="Record a prior authorization")
def add_prior_auth(request, patient_id: UUID, payload: PriorAuthIn):
    ctx = _ctx(request)
    patient = services.patient_for(ctx, patient_id, "billing.coverage")
    return Status(201, prior_auth_out(services.add_prior_authorization(ctx, patient, payload.dict())))


# --- coding -------------------------------------------------------------------------------------
@router.post("/billing/sessions/{session_id}/visit", response={200: VisitOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Propose (or propose again) the billing lines of a completed session")
def propose(request, session_id: UUID, payload: ProposeLinesIn):
    ctx = _ctx(request)
    session = services.get_session_for_billing(ctx, session_id, "billing.code")
    data = form_data(payload)
    data["established"] = {True: "yes", False: "no"}.get(payload.established, "")
    return visit_out(services.propose_for_session(ctx, session, data))


@router.post("/billing/evaluations/{evaluation_id}/visit", response={200: VisitOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Propose the lines of a completed intake evaluation (90791, or 90792 by a prescriber)")
def propose_evaluation(request, evaluation_id: UUID, payload: ProposeLinesIn):
    ctx = _ctx(request)
    evaluation = services.get_evaluation_for_billing(ctx, evaluation_id)
    return visit_out(services.propose_for_evaluation(ctx, evaluation, form_data(payload)))


@router.get("/billing/visits/{visit_id}", response={200: VisitOut, **errors(401, 403, 404, 422)}, summary="A visit's lines")
def read_visit(request, visit_id: UUID):
    return visit_out(services.get_visit_for(_ctx(request), visit_id))


@router.post("/billing/visits/{visit_id}/lines", response={201: ChargeLineOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Add a line (with a reason)")
def add_line(request, visit_id: UUID, payload: ChargeLineIn):
    ctx = _ctx(request)
    visit = services.get_visit_for(ctx, visit_id, "billing.code")
    return Status(201, line_out(services.add_line(ctx, visit, form_data(payload))))


def _line(ctx, line_id) -> ChargeLine:
    try:
        return ChargeLine.objects.select_related("visit__patient").get(
            public_id=line_id, visit__organization_id=ctx.user.organization_id)
    except ChargeLine.DoesNotExist:
        raise NotFound("No such line.") from None


@router.post("/billing/lines/{line_id}/edit", response={201: ChargeLineOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Edit a line (a new line replaces it; the reason is kept)")
def edit_line(request, line_id: UUID, payload: ChargeLineIn):
    ctx = _ctx(request)
    services.get_visit_for(ctx, _line(ctx, line_id).visit.public_id, "billing.code")
    return Status(201, line_out(services.edit_line(ctx, _line(ctx, line_id), form_data(payload))))


@router.post("/billing/lines/{line_id}/remove", response={200: ChargeLineOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Remove a line (kept, marked removed, with the reason)")
def remove_line(request, line_id: UUID, payload: LineRemoveIn):
    ctx = _ctx(request)
    services.get_visit_for(ctx, _line(ctx, line_id).visit.public_id, "billing.code")
    return line_out(services.remove_line(ctx, _line(ctx, line_id), form_data(payload)))


@router.post("/billing/visits/{visit_id}/finalize", response={200: VisitOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Finalize the lines (every line priced and pointing to a diagnosis)")
def finalize(request, visit_id: UUID, payload: FinalizeIn):
    ctx = _ctx(request)
    return visit_out(services.finalize_visit(ctx, services.get_visit_for(ctx, visit_id, "billing.code"), form_data(payload)))


# --- invoices and the ledger ----------------------------------------------------------------------
@router.post("/billing/visits/{visit_id}/invoice", response={201: InvoiceOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Issue the invoice of a finalized visit")
def issue_invoice(request, visit_id: UUID, payload: IssueInvoiceIn):
    ctx = _ctx(request)
    visit = services.get_visit_for(ctx, visit_id, "billing.collect")
    return Status(201, invoice_out(services.issue_invoice(ctx, visit, payload.dict())))


@router.get("/billing/visits/{visit_id}/invoice-warnings", response={200: list[str], **errors(401, 403, 404, 422)},
            summary="Warnings before issuing (e.g. $400 or more above the good-faith estimate)")
def warnings(request, visit_id: UUID):
    ctx = _ctx(request)
    return invoice_warnings(services.get_visit_for(ctx, visit_id, "billing.collect"))


@router.get("/billing/invoices/{invoice_id}", response={200: InvoiceOut, **errors(401, 403, 404, 422)}, summary="An invoice")
def read_invoice(request, invoice_id: UUID):
    return invoice_out(services.get_invoice_for(_ctx(request), invoice_id))


def _ledger_entry(request, invoice_id, action: str, write, payload):
    """One ledger entry on the invoice (found with ``action``), written by ``write``: 201 with the entry."""
    ctx = _ctx(request)
    invoice = services.get_invoice_for(ctx, invoice_id, action)
    return Status(201, entry_out(write(ctx, invoice, form_data(payload))))


@router.post("/billing/invoices/{invoice_id}/payments", response={201: LedgerEntryOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Record a payment (never more than the balance unless marked as a credit)")
def pay(request, invoice_id: UUID, payload: PaymentEntryIn):
    return _ledger_entry(request, invoice_id, "billing.collect", services.record_payment, payload)


@router.post("/billing/invoices/{invoice_id}/refunds", response={201: LedgerEntryOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Record a refund (with a reason)")
def refund(request, invoice_id: UUID, payload: RefundEntryIn):
    return _ledger_entry(request, invoice_id, "billing.adjust", services.record_refund, payload)


@router.post("/billing/invoices/{invoice_id}/adjustments", response={201: LedgerEntryOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Record an adjustment (signed, with a reason)")
def adjust(request, invoice_id: UUID, payload: AdjustmentEntryIn):
    return _ledger_entry(request, invoice_id, "billing.adjust", services.record_adjustment, payload)


@router.get("/patients/{patient_id}/balance", response={200: PatientBalanceOut, **errors(401, 403, 404, 422)},
            summary="A patient's balance and invoices")
def patient_balance(request, patient_id: UUID):
    ctx = _ctx(request)
    patient = services.patient_for(ctx, patient_id, "patient.view")
    invoices = [invoice_out(i) for i in services.invoices_for(ctx).filter(patient=patient)]
    return {"patient_id": patient.public_id, "invoices": invoices,
            "balance_usd": sum((i["balance_usd"] for i in invoices), Decimal("0.00"))}


# --- estimates ------------------------------------------------------------------------------------
@router.post("/patients/{patient_id}/estimates", response={201: EstimateOut, **errors(400, 401, 403, 404, 422)},
             summary="Issue a good-faith estimate (a new version) from a treatment plan")
def issue_estimate(request, patient_id: UUID, payload: EstimateIn):
    ctx = _ctx(request)
    patient = services.patient_for(ctx, patient_id, "billing.collect")
    data = form_data(payload)
    data["extra_items"] = payload.dict()["extra_items"]
    return Status(201, estimate_out(services.issue_estimate(ctx, patient, data)))


@router.get("/billing/estimates/{estimate_id}", response={200: EstimateOut, **errors(401, 403, 404, 422)},
            summary="An issued estimate, as issued")
def read_estimate(request, estimate_id: UUID):
    return estimate_out(services.get_estimate_for(_ctx(request), estimate_id))


@router.post("/patients/{patient_id}/estimates-due", response={201: EstimateDueOut, **errors(400, 401, 403, 404, 422)},
             summary="Record that an estimate is owed (request or scheduling); its deadline is computed")
def estimate_due(request, patient_id: UUID, payload: EstimateDueIn):
    ctx = _ctx(request)
    patient = services.patient_for(ctx, patient_id, "billing.collect")
    row = services.record_estimate_due(ctx, patient, form_data(payload))
    return Status(201, {"id": row.public_id, "requested": row.requested, "asked_on": row.asked_on,
                        "service_on": row.service_on, "due_on": row.due_on, "fulfilled": row.fulfilled_by_id is not None})


@router.post("/billing/invoices/{invoice_id}/payment-plan", response={201: list[InstalmentOut], **errors(400, 401, 403, 404, 409, 422)},
             summary="Spread an invoice's balance over instalments (no interest, no fees)")
def payment_plan(request, invoice_id: UUID, payload: PaymentPlanIn):
    ctx = _ctx(request)
    invoice = services.get_invoice_for(ctx, invoice_id, "billing.collect")
    return Status(201, services.plan_status(services.create_payment_plan(ctx, invoice, form_data(payload))))


@router.post("/coverage/{coverage_id}/benefits-checks", response={201: BenefitsCheckOut, **errors(400, 401, 403, 404, 422)},
             summary="Record the answer of an eligibility and benefits check")
def benefits_check(request, coverage_id: UUID, payload: BenefitsCheckIn):
    ctx = _ctx(request)
    data = form_data(payload)
    for field in ("coverage_active", "mental_health_covered"):
        data[field] = _yes_no(getattr(payload, field))
    data["service_type_codes"] = payload.service_type_codes
    return Status(201, benefits_out(services.record_benefits_check(ctx, services.get_coverage_for(ctx, coverage_id), data)))


@router.get("/patients/{patient_id}/benefits-checks", response={200: list[BenefitsCheckOut], **errors(401, 403, 404, 422)},
            summary="Every benefits check of a patient, newest first")
def list_benefits_checks(request, patient_id: UUID):
    return _patient_rows(request, patient_id, "billing.coverage",
                         lambda p: p.benefits_checks.select_related("coverage", "checked_by"), benefits_out)
