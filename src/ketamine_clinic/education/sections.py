"""The education app's part of the chart, as a plain function returning the context its template
(``education/_chart_section.html``) renders from alone: what was sent, opened and acknowledged, and
the forms to send a page or a route's pack."""

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.clinical.routes import ROUTE_LABELS, Route

from .clinic_pages import pages_for
from .models import EducationAssignment


def chart_context(request, patient) -> dict:
    user = request.user
    if not has_permission(user, "education.view") or patient.organization_id != user.organization_id:
        return {"visible": False}
    return {
        "visible": True, "patient": patient,
        "rows": list(EducationAssignment.objects.filter(patient=patient).select_related("assigned_by")),
        "can_assign": has_permission(user, "education.assign"),
        "pages": sorted(pages_for(patient.organization_id).values(), key=lambda p: (p.title, p.language)),
        "routes": [(r.value, ROUTE_LABELS[r]) for r in Route],
    }
