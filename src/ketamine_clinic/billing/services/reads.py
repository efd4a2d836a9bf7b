"""Reads scoped to the actor's organization; another clinic's rows are 404, never 403."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from ketamine_clinic.accounts.permissions import CLINICAL_ROLES_FOR_MONEY, denied, has_permission, require, user_roles
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import NotFound
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.patients.services import get_patient_for
from ketamine_clinic.screening.models import IntakeEvaluation
from ketamine_clinic.treatments.models import TreatmentSession

from ..models import BillableVisit, Coverage, GoodFaithEstimate, Invoice, PriorAuthorization
from ..clinic_policy import billing_policy
from ._common import audit

__all__ = ["can_view_money", "require_money", "patient_for", "get_visit_for", "get_invoice_for", "get_estimate_for",
           "get_coverage_for", "get_prior_auth_for", "get_session_for_billing", "get_evaluation_for_billing",
           "visits_for", "invoices_for", "audit_export", "audit_document"]


def can_view_money(user) -> bool:
    """Billing roles always; clinical roles only where the clinic allows it (a clinic setting)."""
    if has_permission(user, "billing.view_money"):
        return True
    return bool(user_roles(user) & CLINICAL_ROLES_FOR_MONEY) and billing_policy(user.organization_id)["clinical_roles_see_payments"]


def require_money(user) -> None:
    if not can_view_money(user):
        raise denied("billing.view_money")


def _get(qs: QuerySet, public_id, what: str):
    try:
        return qs.get(public_id=public_id)
    except (qs.model.DoesNotExist, ValueError, TypeError, ValidationError):  # a malformed id is not found too
        raise NotFound(f"No such {what}.") from None


def patient_for(ctx: Context, public_id, action: str = "billing.view_codes", audit_action: Action | None = None) -> Patient:
    """The clinic's patient (404 for another clinic's) when the role allows ``action``; audited when asked."""
    return get_patient_for(ctx, public_id, action=action, audit_action=audit_action)


def get_session_for_billing(ctx: Context, public_id, action: str = "billing.view_codes"):
    require(ctx.user, action)
    qs = TreatmentSession.objects.filter(organization_id=ctx.user.organization_id).select_related(
        "patient", "location", "organization", "ordered_by")
    return _get(qs, public_id, "session")


def get_evaluation_for_billing(ctx: Context, public_id, action: str = "billing.code"):
    require(ctx.user, action)
    qs = IntakeEvaluation.objects.filter(patient__organization_id=ctx.user.organization_id).select_related(
        "patient", "completed_by")
    return _get(qs, public_id, "evaluation")


def visits_for(ctx: Context, action: str = "billing.view_codes") -> QuerySet[BillableVisit]:
    require(ctx.user, action)
    return BillableVisit.objects.filter(organization_id=ctx.user.organization_id).select_related(
        "patient", "rendering_provider", "session", "coverage")


def get_visit_for(ctx: Context, public_id, action: str = "billing.view_codes") -> BillableVisit:
    return _get(visits_for(ctx, action), public_id, "visit")


def invoices_for(ctx: Context) -> QuerySet[Invoice]:
    require_money(ctx.user)
    return Invoice.objects.filter(organization_id=ctx.user.organization_id).select_related("patient", "visit")


def get_invoice_for(ctx: Context, public_id, action: str | None = None) -> Invoice:
    if action:
        require(ctx.user, action)
    return _get(invoices_for(ctx), public_id, "invoice")


def get_estimate_for(ctx: Context, public_id) -> GoodFaithEstimate:
    require_money(ctx.user)
    return _get(GoodFaithEstimate.objects.filter(organization_id=ctx.user.organization_id).select_related("patient"),
                public_id, "estimate")


def get_coverage_for(ctx: Context, public_id, action: str = "billing.coverage") -> Coverage:
    require(ctx.user, action)
    return _get(Coverage.objects.filter(organization_id=ctx.user.organization_id).select_related("patient"),
                public_id, "coverage")


def get_prior_auth_for(ctx: Context, public_id) -> PriorAuthorization:
    require(ctx.user, "billing.coverage")
    return _get(PriorAuthorization.objects.filter(organization_id=ctx.user.organization_id), public_id,
                "prior authorization")


def audit_export(ctx: Context, rows: int) -> None:
    _audit_plain(ctx, Action.BILLING_AR_EXPORT, {"rows": rows})


def _audit_plain(ctx: Context, action: str, detail: dict) -> None:
    record(ctx, action, object_type="billing.report", object_id="ar-ageing", organization=ctx.user.organization,
           detail=detail)


def audit_document(ctx: Context, action: str, obj, patient) -> None:
    """Printing a document with PHI (estimate, superbill) is an opening of the record: audited."""
    audit(ctx, action, obj, patient=patient)
