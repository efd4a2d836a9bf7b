"""The billing parts of the chart and Today pages, as plain data: the integrator registers
``chart_context`` and ``today_context`` with the section registry; the templates
``billing/_chart_section.html`` and ``billing/_today.html`` render from the dict alone."""

from django.utils import timezone

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core import batch
from ketamine_clinic.core.prepared import Prepared

from .models import EstimateDue, PriorAuthorization
from .services import reads, reports
from .services.coverage import coverage_on, coverages_read
from .services.invoices import balance_reads, patient_balance
from .services.prior_auth import authorization_usage


_ESTIMATES_OWED = Prepared(lambda patient_id: EstimateDue.objects.filter(patient_id=patient_id, fulfilled_by__isnull=True)
                           .order_by("due_on"))
_AUTHORIZATIONS_RUNNING = Prepared(lambda patient_id, today: PriorAuthorization.objects.filter(patient_id=patient_id, end_on__gte=today))


@batch.reads
def chart_context_reads(request, patient) -> dict:
    """The coverages; for who may see money, the balance's sums and the estimates owed; for who
    keeps coverage, the authorizations still running (for ``core.batch``; each authorization's
    units used are then read apart)."""
    user = request.user
    if not has_permission(user, "billing.view_codes"):
        return {}
    out = coverages_read(patient)
    if reads.can_view_money(user):
        out.update(balance_reads(patient))
        out[("billing.estimates_owed", patient.pk)] = _ESTIMATES_OWED(patient.pk).knowing(patient=patient)
    if has_permission(user, "billing.coverage"):
        out[("billing.authorizations", patient.pk)] = _AUTHORIZATIONS_RUNNING(patient.pk, timezone.localdate()).knowing(patient=patient)
    return out


def chart_context(request, patient) -> dict:
    """Coverage in force, the balance (who may see money), authorizations running out, estimates owed."""
    user = request.user
    if not has_permission(user, "billing.view_codes"):
        return {"show": False}
    today = timezone.localdate()
    money = reads.can_view_money(user)
    context = {"show": True, "patient_id": patient.public_id, "coverage": coverage_on(patient, today), "money": money}
    read = batch.lists(chart_context_reads(request, patient))
    if money:
        context["balance_usd"] = patient_balance(patient)
        context["estimates_due"] = read[("billing.estimates_owed", patient.pk)]
    if has_permission(user, "billing.coverage"):
        context["authorization_warnings"] = [w for pa in read[("billing.authorizations", patient.pk)]
                                             for w in authorization_usage(pa, today).warnings]
    return context


def today_context(request, patient=None) -> dict:
    """For billing roles: visits to code and to invoice, estimates due (overdue first), authorizations running out."""
    user = request.user
    if not (has_permission(user, "billing.code") or has_permission(user, "billing.collect")):
        return {"show": False}
    ctx = Context.from_request(request)
    today = timezone.localdate()
    context = {"show": True, "to_code": len(reports.sessions_to_code(ctx)) + len(reports.evaluations_to_code(ctx)),
               "to_review": len(reports.visits_to_review(ctx))}
    if reads.can_view_money(user):
        due = reports.estimates_due(ctx)
        context.update(to_invoice=len(reports.visits_to_invoice(ctx)), estimates_due=len(due),
                       estimates_overdue=sum(1 for d in due if d.due_on < today))
    if has_permission(user, "billing.coverage"):
        context["authorizations"] = reports.authorizations_to_watch(ctx, today)
    return context
