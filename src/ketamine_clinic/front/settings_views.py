from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ketamine_clinic import clinic_settings
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical.sources import SOURCES
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.web.access import staff_required
from ketamine_clinic.web.refusals import flash_refusal


@staff_required("org.manage")
def settings_list(request):
    org = request.user.organization
    values = clinic_settings.policy_for(org)
    rows = [
        {"setting": s, "value": values[k], "changed": values[k] != s.default, "source": SOURCES[s.source]}
        for k, s in clinic_settings.all_settings().items()
    ]
    return render(request, "front/settings.html", {"rows": rows})


@staff_required("org.manage")
@require_POST
def settings_change(request, key):
    try:
        clinic_settings.change_setting(Context.from_request(request), key, request.POST.get("value", ""), request.POST.get("reason", ""))
    except ValidationFailed as exc:
        flash_refusal(request, exc, f"{key} not changed: ")
    else:
        messages.success(request, f"{key} changed; the previous value stays in its history.")
    return redirect(f"{reverse('clinic_admin:settings')}#{key}")
