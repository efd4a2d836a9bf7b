"""What the inventory shows on pages other apps compose: the chart (the patient's administrations
with their container ids) and Today (DEA deadlines for clinic admins, draws still open for the
clinicians who draw). Each loads its data in a fixed number of queries."""

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.core import batch
from ketamine_clinic.core.prepared import Prepared

from .models import Deadline, Draw, LedgerEvent
from .rules.ledger import EventType
from .services.draws import draw_open_quantity


def _may_see(user, patient) -> bool:
    return has_permission(user, "inventory.view") and patient.organization_id == user.organization_id


_GIVEN = Prepared(lambda organization_id, patient_id: LedgerEvent.objects.filter(
    organization_id=organization_id, patient_id=patient_id, event_type=EventType.ADMINISTER, correction__isnull=True)
    .select_related("container__product", "actor", "location").order_by("-occurred_at", "-id")[:50])


def chart_context_reads(request, patient) -> dict:
    """The patient's administrations, latest 50 (for ``core.batch``; compiled once per process);
    nothing for who may not see them."""
    user = request.user
    if not _may_see(user, patient):
        return {}
    return {("inventory.chart.given", patient.pk): _GIVEN(user.organization_id, patient.pk).knowing(patient=patient)}


def chart_context(request, patient) -> dict:
    """The chart section: the patient's administrations (latest 50) with their container ids."""
    if not _may_see(request.user, patient):
        return {"visible": False}
    given = batch.lists(chart_context_reads(request, patient))[("inventory.chart.given", patient.pk)]
    return {"visible": True, "administrations": given}


def today_context(request, patient=None) -> dict:
    """Today: DEA deadlines not yet done (clinic admins), draws still open (the clinician who drew)."""
    user = request.user
    deadlines = []
    if has_permission(user, "inventory.count"):
        deadlines = list(Deadline.objects.filter(organization=user.organization, done_at__isnull=True)
                         .select_related("discrepancy__container").order_by("due_on", "id"))
    open_draws = []
    if has_permission(user, "inventory.administer"):
        recent = (Draw.objects.filter(organization=user.organization, drawn_by=user).select_related("container", "event", "patient")
                  .order_by("-drawn_at")[:20])
        open_draws = [(d, q) for d in recent if (q := draw_open_quantity(d)).mg > 0]
    return {"visible": bool(deadlines or open_draws), "deadlines": deadlines, "open_draws": open_draws}
