"""Billing pages: the work queue, a visit's lines, an invoice with its ledger, a patient's financial
page, billing setup, PDFs and the A/R CSV. Thin: every write is a service call; a service error
re-renders the page with the field messages (4xx), nothing written."""

import csv
import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.permissions import Role, has_permission
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.db_router import report_reads
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.plans.models import TreatmentPlan
from ketamine_clinic.web.access import staff_required
from ketamine_clinic.web.refusals import attempt

from . import services
from .forms import METHOD_CHOICES, PAYER_CHOICES
from .models import FeeSchedule
from .pdf import estimate_pdf, superbill_pdf
from .clinic_policy import billing_policy
from .rules.codes import CODES
from .rules.sources import SOURCES
from .services import reports
from .services.invoices import balance_of, invoice_warnings, paid_of, patient_balance
from .services.setup import current_practice_profile, current_provider_numbers, schedule_on
from .services.superbill import superbill_content, visits_in_period


def _ctx(request) -> Context:
    return Context.from_request(request)


def _fail(request, exc: ValidationFailed | Conflict, page, *args, form: str = ""):
    """Re-render ``page`` with the service's messages and the status it chose (nothing was written)."""
    return page(request, *args, errors=exc.errors, error=exc.message, form=form, posted=request.POST, status=exc.status)


# --- the work queue ---------------------------------------------------------------------------
@staff_required("billing.view_codes")
def index(request):
    ctx = _ctx(request)
    money = services.can_view_money(request.user)
    context = {"active_nav": "billing", "to_code": reports.sessions_to_code(ctx), "to_review": reports.visits_to_review(ctx),
               "evaluations": reports.evaluations_to_code(ctx),
               "money": money, "can_code": has_permission(request.user, "billing.code")}
    if money:
        context.update(to_invoice=reports.visits_to_invoice(ctx), estimates_due=reports.estimates_due(ctx),
                       ageing=reports.ageing(ctx), today=timezone.localdate())
    if has_permission(request.user, "billing.coverage"):
        context["authorizations"] = reports.authorizations_to_watch(ctx)
    return render(request, "billing/index.html", context)


@staff_required("billing.view_money")
def ageing_csv(request):
    with report_reads(request):  # an export: on the read replica when one is configured
        report = reports.ageing(_ctx(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ar-ageing.csv"'
    out = csv.writer(response)
    out.writerow(["invoice", "patient", "mrn", "issued", "age_days", "bucket", "total_usd", "balance_usd"])
    for r in report["rows"]:
        inv = r["invoice"]
        out.writerow([inv.number, inv.patient.display_name, inv.patient.mrn, timezone.localdate(inv.issued_at).isoformat(),
                      r["age_days"], r["bucket"], inv.total_usd, r["balance"]])
    services.reads.audit_export(_ctx(request), len(report["rows"]))
    return response


# --- coding a visit -----------------------------------------------------------------------------
@staff_required("billing.code")
@require_POST
def propose(request, session_id):
    ctx = _ctx(request)
    session = services.get_session_for_billing(ctx, session_id, "billing.code")
    visit = attempt(request, lambda: services.propose_for_session(ctx, session, request.POST.dict()), refused="Not coded: ")
    if visit is None:
        return redirect("billing:index")
    messages.success(request, "Lines proposed from the session record; review them below.")
    return redirect("billing:visit", visit.public_id)


@staff_required("billing.code")
@require_POST
def propose_evaluation(request, evaluation_id):
    ctx = _ctx(request)
    evaluation = services.get_evaluation_for_billing(ctx, evaluation_id)
    visit = attempt(request, lambda: services.propose_for_evaluation(ctx, evaluation, request.POST.dict()),
                    refused="Not coded: ")
    return redirect("billing:index") if visit is None else redirect("billing:visit", visit.public_id)


def _visit_page(request, visit_id, *, errors=None, error="", form="", posted=None, status=200):
    ctx = _ctx(request)
    visit = services.get_visit_for(ctx, visit_id)
    lines = list(visit.active_lines())
    for ln in lines:
        ln.definition = CODES.get(ln.code)
    history = list(visit.lines.exclude(status="active").select_related("created_by").order_by("position", "id"))
    money = services.can_view_money(request.user)
    invoice = getattr(visit, "invoice", None) if money and hasattr(visit, "invoice") else None
    return render(request, "billing/visit.html", {
        "active_nav": "billing", "visit": visit, "lines": lines, "history": history,
        "total": sum(ln.charge_usd for ln in lines), "codes": CODES, "sources": SOURCES,
        "pointers": list(zip("ABCDEFGHIJKL", visit.diagnosis_codes)),
        "can_code": has_permission(request.user, "billing.code") and not visit.is_final,
        "can_invoice": money and has_permission(request.user, "billing.collect") and visit.is_final and invoice is None,
        "money": money, "invoice": invoice, "warnings": invoice_warnings(visit) if visit.is_final and invoice is None else [],
        "errors": errors or {}, "error": error, "form": form, "posted": posted or {}}, status=status)


@staff_required("billing.view_codes")
def visit(request, visit_id):
    return _visit_page(request, visit_id)


def _visit_write(request, visit_id, action, form: str):
    ctx = _ctx(request)
    visit = services.get_visit_for(ctx, visit_id, "billing.code")
    try:
        action(ctx, visit, request.POST.dict())
    except (ValidationFailed, Conflict) as exc:
        return _fail(request, exc, _visit_page, visit_id, form=form)
    return redirect("billing:visit", visit.public_id)


def _line_of(visit, line_id):
    line = visit.lines.filter(public_id=line_id).first()
    if line is None:
        raise NotFound("No such line.")
    return line


@staff_required("billing.code")
@require_POST
def line_edit(request, visit_id, line_id):
    return _visit_write(request, visit_id, lambda ctx, v, d: services.edit_line(ctx, _line_of(v, line_id), d), f"edit-{line_id}")


@staff_required("billing.code")
@require_POST
def line_remove(request, visit_id, line_id):
    return _visit_write(request, visit_id, lambda ctx, v, d: services.remove_line(ctx, _line_of(v, line_id), d), f"remove-{line_id}")


@staff_required("billing.code")
@require_POST
def line_add(request, visit_id):
    return _visit_write(request, visit_id, services.add_line, "add")


@staff_required("billing.code")
@require_POST
def finalize(request, visit_id):
    return _visit_write(request, visit_id, services.finalize_visit, "finalize")


@staff_required("billing.collect")
@require_POST
def issue_invoice(request, visit_id):
    ctx = _ctx(request)
    visit = services.get_visit_for(ctx, visit_id, "billing.collect")
    try:
        invoice = services.issue_invoice(ctx, visit, request.POST.dict())
    except (ValidationFailed, Conflict) as exc:
        return _fail(request, exc, _visit_page, visit_id, form="invoice")
    messages.success(request, f"Invoice {invoice.number} issued.")
    return redirect("billing:invoice", invoice.public_id)


# --- invoices and the ledger ----------------------------------------------------------------------
def _invoice_page(request, invoice_id, *, errors=None, error="", form="", posted=None, status=200):
    invoice = services.get_invoice_for(_ctx(request), invoice_id)
    return render(request, "billing/invoice.html", {
        "active_nav": "billing", "invoice": invoice, "patient": invoice.patient, "lines": list(invoice.visit.active_lines()),
        "entries": list(invoice.entries.select_related("recorded_by")), "balance": balance_of(invoice),
        "paid": paid_of(invoice), "methods": METHOD_CHOICES,
        "plan": services.plan_status(invoice.payment_plan) if hasattr(invoice, "payment_plan") else None,
        "dispute_instructions": billing_policy(invoice.organization_id)["dispute_instructions"],
        "can_collect": has_permission(request.user, "billing.collect"),
        "can_adjust": has_permission(request.user, "billing.adjust"),
        "errors": errors or {}, "error": error, "form": form, "posted": posted or {}}, status=status)


@staff_required("billing.view_codes")
def invoice(request, invoice_id):
    return _invoice_page(request, invoice_id)


def _write_named(writes: dict, name: str):
    """(permission action, service) for the write named in the URL; an unknown name is a 404."""
    if name not in writes:
        raise Http404("Not found.")
    return writes[name]


def _post_named_write(request, writes: dict, name: str, *, load, page, record_id, message, url_name: str):
    """A write named in the URL and posted from ``page``: ``load(ctx, record_id, action)`` finds the
    record (404 outside the clinic), the service writes; a refusal shows ``page`` again with the
    service's messages (nothing written); else ``message(result)`` and back to ``url_name``."""
    action, write = _write_named(writes, name)
    ctx = _ctx(request)
    record = load(ctx, record_id, action)
    try:
        result = write(ctx, record, request.POST.dict())
    except (ValidationFailed, Conflict) as exc:
        return _fail(request, exc, page, record_id, form=name)
    messages.success(request, message(result))
    return redirect(url_name, record.public_id)


_LEDGER = {"payment": ("billing.collect", services.record_payment), "refund": ("billing.adjust", services.record_refund),
           "adjustment": ("billing.adjust", services.record_adjustment),
           "payment-plan": ("billing.collect", services.create_payment_plan)}


@staff_required("billing.collect", "billing.adjust")
@require_POST
def ledger(request, invoice_id, kind):
    def message(entry) -> str:
        if kind == "payment-plan":
            return "Payment plan saved."
        return f"{entry.get_kind_display()} of ${entry.amount_usd} recorded (receipt {entry.receipt_number})."
    return _post_named_write(request, _LEDGER, kind, load=services.get_invoice_for, page=_invoice_page,
                             record_id=invoice_id, message=message, url_name="billing:invoice")


@staff_required("billing.view_codes")
def receipt(request, invoice_id, receipt_number):
    invoice = services.get_invoice_for(_ctx(request), invoice_id)
    entry = invoice.entries.filter(receipt_number=receipt_number).first()
    if entry is None:
        raise Http404("Not found.")
    return render(request, "billing/receipt.html", {"invoice": invoice, "entry": entry, "patient": invoice.patient,
                                                    "practice": current_practice_profile(invoice.organization_id)})


# --- a patient's financial page -----------------------------------------------------------------
def _patient_page(request, patient_id, *, errors=None, error="", form="", posted=None, status=200):
    ctx = _ctx(request)
    patient = services.patient_for(ctx, patient_id, "patient.view", audit_action=Action.PATIENT_VIEW)
    money = services.can_view_money(request.user)
    context = {"active_nav": "patients", "patient": patient, "money": money, "payers": PAYER_CHOICES,
               "coverages": list(patient.coverages.select_related("created_by")),
               "visits": list(patient.billable_visits.all()[:50]),
               "can_coverage": has_permission(request.user, "billing.coverage"),
               "can_collect": has_permission(request.user, "billing.collect"),
               "errors": errors or {}, "error": error, "form": form, "posted": posted or {}, "today": timezone.localdate()}
    if has_permission(request.user, "billing.coverage"):
        context["authorizations"] = [services.authorization_usage(pa) for pa in patient.prior_authorizations.all()]
        context["benefits_checks"] = list(patient.benefits_checks.select_related("coverage", "checked_by"))
    if money:
        context.update(invoices=[(i, balance_of(i)) for i in patient.invoices.select_related("visit")],
                       balance=patient_balance(patient), estimates=list(patient.estimates.all()),
                       dues=list(patient.estimates_due.filter(fulfilled_by__isnull=True)),
                       plans=list(TreatmentPlan.objects.filter(patient=patient, organization_id=ctx.user.organization_id)))
    return render(request, "billing/patient.html", context, status=status)


@staff_required("patient.view")
def patient(request, patient_id):
    return _patient_page(request, patient_id)


_PATIENT_WRITES = {
    "coverage": ("billing.coverage", services.add_coverage),
    "prior-auth": ("billing.coverage", services.add_prior_authorization),
    "estimate": ("billing.collect", services.issue_estimate),
    "estimate-due": ("billing.collect", services.record_estimate_due),
    "benefits-check": ("billing.coverage", lambda ctx, patient, data: _benefits_check(ctx, patient, data)),
}


def _benefits_check(ctx, patient, data):
    coverage = services.get_coverage_for(ctx, data.get("coverage", ""))
    if coverage.patient_id != patient.pk:
        raise NotFound("No such coverage for this patient.")
    return services.record_benefits_check(ctx, coverage, data)


@staff_required("billing.coverage", "billing.collect")
@require_POST
def patient_write(request, patient_id, what):
    return _post_named_write(request, _PATIENT_WRITES, what, load=services.patient_for, page=_patient_page,
                             record_id=patient_id, message=lambda _: "Saved.", url_name="billing:patient")


@staff_required("billing.coverage")
@require_POST
def coverage_in_error(request, patient_id, coverage_id):
    ctx = _ctx(request)
    coverage = services.get_coverage_for(ctx, coverage_id)
    try:
        services.mark_coverage_in_error(ctx, coverage, request.POST.get("reason", ""))
    except (ValidationFailed, Conflict) as exc:
        return _fail(request, exc, _patient_page, patient_id, form=f"coverage-{coverage_id}")
    return redirect("billing:patient", coverage.patient.public_id)


# --- PDFs ---------------------------------------------------------------------------------------
def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@staff_required("billing.view_money")
def estimate_file(request, estimate_id):
    est = services.get_estimate_for(_ctx(request), estimate_id)
    services.reads.audit_document(_ctx(request), Action.BILLING_ESTIMATE_PRINT, est, est.patient)
    return _pdf(estimate_pdf(est.content, timezone.localdate(est.issued_at).isoformat()), f"estimate-v{est.version}.pdf")


@staff_required("billing.view_money")
def superbill_file(request, patient_id):
    ctx = _ctx(request)
    patient = services.patient_for(ctx, patient_id, "patient.view")
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("from") or (today - dt.timedelta(days=31)).isoformat())
        end = dt.date.fromisoformat(request.GET.get("to") or today.isoformat())
    except ValueError:
        return _patient_page(request, patient_id, errors={"superbill": ["Enter dates as YYYY-MM-DD."]}, form="superbill",
                             status=422)
    try:
        bill = superbill_content(ctx, patient, visits_in_period(patient, start, end), f"{start} to {end}")
    except ValidationFailed as exc:
        return _fail(request, exc, _patient_page, patient_id, form="superbill")
    services.reads.audit_document(ctx, Action.BILLING_SUPERBILL_PRINT, patient, patient)
    return _pdf(superbill_pdf(bill), f"superbill-{start}-{end}.pdf")


# --- setup ---------------------------------------------------------------------------------------
def _setup_page(request, *, errors=None, error="", form="", posted=None, status=200):
    org_id = request.user.organization_id
    clinicians = (User.objects.filter(organization_id=org_id, kind=User.Kind.STAFF, is_active=True,
                                      roles__role__in=[Role.PRESCRIBER, Role.NURSE, Role.THERAPIST]).distinct()
                  .order_by("last_name", "username"))
    schedule = schedule_on(org_id, timezone.localdate())
    practice = current_practice_profile(org_id)
    fields = ("legal_name", "tin", "npi", "address", "phone")
    pv = posted if form == "practice" else {f: getattr(practice, f, "") for f in fields}
    return render(request, "billing/setup.html", {
        "active_nav": "billing", "practice": practice, "pv": pv,
        "clinicians": [(u, current_provider_numbers(u)) for u in clinicians],
        "schedule": schedule, "items": list(schedule.items.all()) if schedule else [],
        "schedules": FeeSchedule.objects.filter(organization_id=org_id)[:20], "codes": CODES,
        "can_setup": has_permission(request.user, "billing.setup"),
        "errors": errors or {}, "error": error, "form": form, "posted": posted or {}}, status=status)


@staff_required("billing.view_codes")
def setup(request):
    return _setup_page(request)


@staff_required("billing.setup")
@require_POST
def setup_write(request, what):
    if what not in ("practice", "provider", "fees"):
        raise Http404("Not found.")
    ctx = _ctx(request)
    try:
        if what == "practice":
            services.save_practice_profile(ctx, request.POST.dict())
        elif what == "provider":
            services.save_provider_numbers(ctx, request.POST.get("provider", ""), request.POST.dict())
        else:
            services.save_fee_schedule(ctx, request.POST.dict())
    except (ValidationFailed, Conflict) as exc:
        return _fail(request, exc, _setup_page, form=what)
    messages.success(request, "Saved as a new version.")
    return redirect("billing:setup")
