import datetime as dt

from django.core.paginator import Paginator
from django.shortcuts import render

from ketamine_clinic.core.views_util import staff_required

from .models import AuditEvent
from .verify import verify_chain


@staff_required("audit.view")
def audit_log(request):
    """Clinic admins browse their organization's events, filtered by user, action, patient and date."""
    qs = AuditEvent.objects.filter(organization_id=request.user.organization_id).select_related("actor")
    filters = {k: request.GET.get(k, "").strip() for k in ("user", "action", "patient", "date_from", "date_to")}
    if filters["user"]:
        qs = qs.filter(actor_username__iexact=filters["user"])
    if filters["action"]:
        qs = qs.filter(action__startswith=filters["action"])
    if filters["patient"]:
        qs = qs.filter(patient_id=filters["patient"])
    errors = []
    for key, lookup in (("date_from", "occurred_at__date__gte"), ("date_to", "occurred_at__date__lte")):
        if filters[key]:
            try:
                qs = qs.filter(**{lookup: dt.date.fromisoformat(filters[key])})
            except ValueError:
                errors.append(f"{key.replace('_', ' ')}: use YYYY-MM-DD")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    chain = verify_chain() if request.GET.get("verify") else None
    return render(request, "audit/log.html", {"page": page, "filters": filters, "errors": errors, "chain": chain})
