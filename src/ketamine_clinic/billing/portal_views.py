"""The patient portal's billing page: the patient's own balance, invoices and payment plans,
estimates (PDF) and a superbill of the last 12 months (PDF). Only the signed-in patient's record."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import ServiceError, ValidationFailed
from ketamine_clinic.patients.services import get_own_patient_record

from . import services
from .pdf import estimate_pdf, superbill_pdf
from .clinic_policy import billing_policy
from .services.invoices import balance_of, patient_balance
from .services.superbill import visits_in_period
from .views import _pdf


def _own_patient(request):
    """The signed-in patient's own record; None for staff; NotFound when no record is linked."""
    if not request.user.is_authenticated or not request.user.is_portal_patient:
        return None
    return get_own_patient_record(Context.from_request(request))


def portal(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        patient = _own_patient(request)
    except ServiceError:
        return render(request, "portal/unlinked.html", status=404)
    if patient is None:
        return redirect("home")
    invoices = [(i, balance_of(i), services.plan_status(i.payment_plan) if hasattr(i, "payment_plan") else None)
                for i in patient.invoices.select_related("visit").order_by("-issued_at")]
    return render(request, "billing/portal.html", {
        "patient": patient, "invoices": invoices, "balance": patient_balance(patient),
        "estimates": list(patient.estimates.all()), "today": timezone.localdate(),
        "dispute_instructions": billing_policy(patient.organization_id)["dispute_instructions"]})


def portal_estimate(request, estimate_id):
    try:
        patient = _own_patient(request)
    except ServiceError:
        patient = None
    est = patient.estimates.filter(public_id=estimate_id).first() if patient else None
    if est is None:
        raise Http404("Not found.")
    services.reads.audit_document(Context.from_request(request), Action.BILLING_ESTIMATE_PRINT, est, patient)
    return _pdf(estimate_pdf(est.content, timezone.localdate(est.issued_at).isoformat()), f"estimate-v{est.version}.pdf")


def portal_superbill(request):
    """The patient's superbill of every finalized visit in the last 12 months (for out-of-network claims)."""
    try:
        patient = _own_patient(request)
    except ServiceError:
        patient = None
    if patient is None:
        raise Http404("Not found.")
    today = timezone.localdate()
    start = today - dt.timedelta(days=365)
    visits = visits_in_period(patient, start, today)
    try:
        bill = services.superbill.build(patient, visits, f"{start} to {today}")
    except ValidationFailed as exc:
        messages.error(request, "; ".join(m for ms in exc.errors.values() for m in ms))
        return redirect("billing:portal")
    services.reads.audit_document(Context.from_request(request), Action.BILLING_SUPERBILL_PRINT, patient, patient)
    return _pdf(superbill_pdf(bill), "superbill.pdf")
