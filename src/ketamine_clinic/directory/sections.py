"""What the directory adds to composed pages (registered by front's section registry):
the clinic admin's Today list of licences and DEA registrations expiring soon."""

from django.utils import timezone

from ketamine_clinic.audit.services import Context

from . import services
from .clinic_policy import expiry_warning_days


def today_context(request, patient=None) -> dict:
    """{} for anyone but a clinic admin; else the expiring rows and the window in days."""
    user = request.user
    if not getattr(user, "is_staff_member", False) or not user.may("directory.edit_any"):
        return {}
    rows = services.expiring_for(Context.from_request(request), timezone.localdate())
    return {"expiring": rows, "window_days": expiry_warning_days(user.organization)}
