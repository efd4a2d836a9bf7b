"""Automatic logoff after inactivity, and two-factor enforcement for organizations that require it."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

SESSION_KEY = "kc_last_activity"
# Requests that poll on their own (live boards) must not keep an idle session alive.
PASSIVE_HEADER = "HTTP_X_PASSIVE_REFRESH"


def timeout_seconds(user) -> int:
    org = getattr(user, "organization", None)
    minutes = getattr(org, "inactivity_timeout_minutes", None) or settings.INACTIVITY_TIMEOUT_MINUTES
    return int(minutes) * 60


class InactivityLogoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last = request.session.get(SESSION_KEY)
            if last is not None and now - last > timeout_seconds(user):
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(request, "You were signed out after a period of inactivity.")
                return redirect(f"{reverse('account_login')}?next={request.path}")
            if not request.META.get(PASSIVE_HEADER):
                request.session[SESSION_KEY] = now
        return self.get_response(request)


MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/api/")


class RequireMfaMiddleware:
    """Staff of an organization that requires two-factor sign-in must set it up before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "is_staff_member", False)
            and user.organization.require_mfa
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
        ):
            from allauth.mfa.models import Authenticator

            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                messages.warning(request, "Your clinic requires two-factor sign-in. Set up an authenticator app to continue.")
                return redirect("mfa_activate_totp")
        return self.get_response(request)


class LocationTimeZoneMiddleware:
    """Show times in the signed-in user's location zone, not the server's (``core.localtime``).

    Every ``|date`` and ``|time`` in a template converts to the active zone; pages about a patient
    or a session narrow it further with ``{% in_zone_of %}`` (base.html) or ``|in_zone_of``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .localtime import user_zone

        with timezone.override(user_zone(getattr(request, "user", None))):
            return self.get_response(request)
