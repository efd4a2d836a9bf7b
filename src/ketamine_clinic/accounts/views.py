"""Clinic administration: staff accounts and roles, security settings, API tokens."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed, error_text
from ketamine_clinic.core.views_util import staff_required

from . import services
from .models import User
from .permissions import MATRIX, Role


@staff_required("org.manage")
def admin_index(request):
    org = request.user.organization
    users = User.objects.filter(organization=org).prefetch_related("roles").order_by("kind", "username")
    return render(
        request,
        "accounts/admin_index.html",
        {
            "org": org,
            "users": users,
            "locations": org.locations.all(),
            "roles": list(Role),
            "matrix": [(action, desc, [r in allowed for r in Role]) for action, (allowed, desc) in MATRIX.items()],
        },
    )


@staff_required("org.manage")
@require_POST
def security_settings(request):
    ctx = Context.from_request(request)
    try:
        minutes = int(request.POST.get("inactivity_timeout_minutes", ""))
    except ValueError:
        minutes = -1
    try:
        services.update_security_settings(ctx, require_mfa=request.POST.get("require_mfa") == "on", inactivity_timeout_minutes=minutes)
    except ValidationFailed as exc:
        messages.error(request, f"Not saved: {error_text(exc)}")
    else:
        messages.success(request, "Security settings saved.")
    return redirect("clinic_admin:index")


@staff_required("org.manage")
@require_http_methods(["GET", "POST"])
def user_create(request):
    ctx = Context.from_request(request)
    if request.method == "POST":
        data = request.POST.dict()
        data["roles"] = request.POST.getlist("roles")
        try:
            user = services.create_staff_user(ctx, data)
        except (ValidationFailed, Conflict) as exc:
            return render(request, "accounts/user_form.html", {"roles": list(Role), "data": data, "errors": exc.errors, "error": exc.message}, status=exc.status)
        messages.success(request, f"Created {user.username}.")
        return redirect("clinic_admin:index")
    return render(request, "accounts/user_form.html", {"roles": list(Role), "data": {"roles": []}, "errors": {}})


@staff_required("org.manage")
@require_POST
def user_roles(request, public_id):
    ctx = Context.from_request(request)
    user = get_object_or_404(User, public_id=public_id, organization=request.user.organization)
    try:
        services.set_roles(ctx, user, request.POST.getlist("roles"))
    except (ValidationFailed, NotFound) as exc:
        messages.error(request, f"Not saved: {error_text(exc)}")
    else:
        messages.success(request, f"Roles of {user.username} saved.")
    return redirect("clinic_admin:index")


@staff_required("api.token_self")
@require_http_methods(["GET", "POST"])
def my_token(request):
    """Staff create their own API token; it is shown once."""
    raw = None
    if request.method == "POST":
        raw = services.create_token(Context.from_request(request), request.user, name=request.POST.get("name", "web")[:100] or "web")
    return render(request, "accounts/token.html", {"raw": raw})
