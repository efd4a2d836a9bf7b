from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical.sources import SOURCES

from ketamine_clinic import clinic_settings
from ketamine_clinic.core.errors import NotFound, ValidationFailed, error_text
from ketamine_clinic.core.views_util import staff_required


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
    except NotFound:
        raise Http404("No such setting.") from None
    except ValidationFailed as exc:
        messages.error(request, f"{key} not changed: {error_text(exc)}")
    else:
        messages.success(request, f"{key} changed; the previous value stays in its history.")
    return redirect(f"{reverse('clinic_admin:settings')}#{key}")
