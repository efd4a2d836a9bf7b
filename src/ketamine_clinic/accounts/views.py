"""Clinic administration: staff accounts (roles, email, deactivation, password reset, unlock),
security settings, API tokens."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import Conflict, NotFound, ServiceError, ValidationFailed, error_text
from ketamine_clinic.web.access import staff_required
from ketamine_clinic.web.refusals import flash_refusal

from . import services
from .models import User
from .permissions import MATRIX, Role, has_permission


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
        flash_refusal(request, exc, "Not saved: ")
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
        flash_refusal(request, exc, "Not saved: ")
    else:
        messages.success(request, f"Roles of {user.username} saved.")
    return redirect("clinic_admin:index")


def _user_action(request, public_id, service, done: str, *args):
    """Run one admin action on a user of the clinic; its outcome becomes a flash message."""
    try:
        user = service(Context.from_request(request), public_id, *args)
    except (ValidationFailed, NotFound) as exc:
        flash_refusal(request, exc, "Not done: ")
    else:
        messages.success(request, done.format(username=user.username))
    return redirect("clinic_admin:index")


@staff_required("org.manage")
@require_POST
def user_active(request, public_id):
    active = request.POST.get("active") == "1"
    return _user_action(request, public_id, services.set_active,
                        "{username} can sign in again." if active else "{username} is deactivated; their sessions and API tokens have ended.", active)


@staff_required("org.manage")
@require_POST
def user_email(request, public_id):
    return _user_action(request, public_id, services.set_email, "Email address of {username} saved.", request.POST.get("email", ""))


@staff_required("org.manage")
@require_POST
def user_password_reset(request, public_id):
    return _user_action(request, public_id, services.start_password_reset, "A password-reset link was sent to {username}'s email address.")


@staff_required("org.manage")
@require_POST
def user_unlock(request, public_id):
    return _user_action(request, public_id, services.unlock_user, "Sign-in and co-signature lockouts of {username} are lifted.")


def _parse_days(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return -1  # refused by the service with its message


@staff_required("api.token_self")
@require_http_methods(["GET", "POST"])
def my_token(request):
    """Staff create their own API tokens (each shown once) and list and revoke them; clinic admins
    see and can revoke every token of the clinic."""
    raw, error, status = None, None, 200
    if request.method == "POST":
        try:
            raw = services.create_token(Context.from_request(request), request.user, name=request.POST.get("name", "web"),
                                        expires_in_days=_parse_days(request.POST.get("expires_in_days", "")))
        except ServiceError as exc:
            error, status = error_text(exc), exc.status
    whole_clinic = has_permission(request.user, "org.manage")
    tokens = services.tokens_for(request.user, whole_clinic=whole_clinic)
    return render(request, "accounts/token.html", {"raw": raw, "error": error, "tokens": tokens, "whole_clinic": whole_clinic,
                                                   "now": timezone.now()}, status=status)


@staff_required("api.token_self")
@require_POST
def token_revoke(request, public_id):
    try:
        token = services.revoke_token(Context.from_request(request), public_id)
    except NotFound as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Token “{token.name}” of {token.user.username} is revoked.")
    return redirect("clinic_admin:token")
