from django import template

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.clinical.routes import ROUTE_LABELS, Route

from .. import content
from ..models import EducationAssignment

register = template.Library()


@register.simple_tag
def chart_education(user, patient) -> dict:
    """The chart's education card: what was sent, opened and acknowledged (and which version)."""
    if not has_permission(user, "education.view") or patient.organization_id != user.organization_id:
        return {"visible": False}
    return {
        "visible": True,
        "rows": EducationAssignment.objects.filter(patient=patient).select_related("assigned_by"),
        "can_assign": has_permission(user, "education.assign"),
        "pages": sorted(content.library().values(), key=lambda p: p.title),
        "routes": [(r.value, ROUTE_LABELS[r]) for r in Route],
    }


@register.simple_tag
def portal_education(patient):
    return EducationAssignment.objects.filter(patient=patient)


@register.simple_tag
def rems_education(patient):
    from ..gates import rems_education_item

    return rems_education_item(patient)
