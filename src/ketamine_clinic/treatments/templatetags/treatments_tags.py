"""Small template tags for the chart's session section and the Today screen (a few queries each)."""

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from ketamine_clinic.accounts.permissions import has_permission

from ..models import OPEN_STATUSES, RemsForm, TreatmentSession

register = template.Library()


@register.simple_tag
def chart_sessions(user, patient, limit: int = 10) -> dict:
    """The patient's recent sessions (one query)."""
    if not has_permission(user, "session.view"):
        return {"visible": False}
    sessions = list(TreatmentSession.objects.filter(patient=patient).select_related("location")
                    .order_by("-checked_in_at")[:limit])
    return {
        "visible": True,
        "sessions": sessions,
        "open": next((s for s in sessions if s.status in OPEN_STATUSES), None),
        "can_run": has_permission(user, "session.run"),
    }


@register.simple_tag
def today_sessions(user) -> dict:
    """Patients in session per location and the clinic's REMS forms due (two queries)."""
    if not getattr(user, "is_staff_member", False) or not has_permission(user, "session.view"):
        return {"visible": False}
    by_location = list(
        TreatmentSession.objects.filter(organization_id=user.organization_id, status__in=OPEN_STATUSES)
        .values("location__public_id", "location__name")
        .annotate(total=Count("id", distinct=True),
                  alerts=Count("alerts", filter=Q(alerts__acknowledged_at__isnull=True), distinct=True))
        .order_by("location__name")
    )
    rems = None
    if has_permission(user, "rems.form"):
        today = timezone.localdate()
        rems = RemsForm.objects.filter(organization_id=user.organization_id, submitted_at__isnull=True).aggregate(
            due=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)))
    return {"visible": True, "locations": by_location, "rems": rems}
