"""The education app's part of the chart, as a plain function returning the context its template
(``education/_chart_section.html``) renders from alone: what was sent, opened and acknowledged, and
the forms to send a page or a route's pack."""

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.clinical.routes import ROUTE_LABELS, Route

from ketamine_clinic.core import batch
from ketamine_clinic.core.prepared import Prepared

from .clinic_pages import clinic_pages_read, pages_for
from .models import EducationAssignment


def _may_see(user, patient) -> bool:
    return has_permission(user, "education.view") and patient.organization_id == user.organization_id


_SENT = Prepared(lambda patient_id: EducationAssignment.objects.filter(patient_id=patient_id).select_related("assigned_by"))


def chart_context_reads(request, patient) -> dict:
    """What was sent to the patient, and the clinic's page versions (for ``core.batch``; compiled
    once per process)."""
    if not _may_see(request.user, patient):
        return {}
    return {("education.chart", patient.pk): _SENT(patient.pk).knowing(patient=patient),
            **clinic_pages_read(patient.organization_id)}


def chart_context(request, patient) -> dict:
    user = request.user
    if not _may_see(user, patient):
        return {"visible": False}
    return {
        "visible": True, "patient": patient,
        "rows": batch.lists(chart_context_reads(request, patient))[("education.chart", patient.pk)],
        "can_assign": has_permission(user, "education.assign"),
        "pages": sorted(pages_for(patient.organization_id).values(), key=lambda p: (p.title, p.language)),
        "routes": [(r.value, ROUTE_LABELS[r]) for r in Route],
    }
