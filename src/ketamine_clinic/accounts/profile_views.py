"""The staff profile page: each staff member keeps their own contact details."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import ValidationFailed

from .profile import ProfileForm, update_own_profile


@login_required
@require_http_methods(["GET", "POST"])
def my_profile(request):
    if not request.user.is_staff_member:
        raise Http404("Only staff members have a staff profile.")
    back = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith("/"):
        back = ""
    form, status = ProfileForm.for_user(request.user), 200
    if request.method == "POST":
        try:
            update_own_profile(Context.from_request(request), request.POST)
        except ValidationFailed as exc:
            form, status = ProfileForm(data=request.POST), exc.status
            for field, msgs in exc.errors.items():
                if field not in form.fields:
                    form.add_error(None, "; ".join(msgs))
        else:
            messages.success(request, "Profile saved.")
            return redirect(back or "clinic_admin:profile")
    return render(request, "accounts/profile.html", {"form": form, "next": back}, status=status)
