"""Automatic logoff after inactivity, two-factor enforcement for organizations that require it,
and no caching of anything that may carry PHI."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.urls import reverse
from django.utils import timezone

from ketamine_clinic.accounts.mfa import MfaRequired, mfa_satisfied
from ketamine_clinic.core.localtime import user_zone

SESSION_KEY = "kc_last_activity"
# The last-activity time is written to the session at most this often: writing it on every request
# cost one UPDATE of the session row per page. Sign-out may so come up to this much earlier than the
# timeout after the last request (never later), which keeps the rule on the safe side.
LAST_SEEN_WRITE_INTERVAL_S = 60
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
            if not request.META.get(PASSIVE_HEADER) and (last is None or now - last >= LAST_SEEN_WRITE_INTERVAL_S):
                request.session[SESSION_KEY] = now
        return self.get_response(request)


# Pages a not-yet-enrolled user needs in order to enrol (allauth's own pages) or that carry no PHI.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz")


class RequireMfaMiddleware:
    """Staff of an organization that requires two-factor sign-in must set it up before anything else.

    Pages redirect to the set-up page; the API (signed in by session cookie) answers 403. Bearer
    tokens are checked in ``accounts.services.user_for_token``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
        ):
            if not mfa_satisfied(user):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": MfaRequired().message, "errors": {}}, status=403)
                messages.warning(request, "Your clinic requires two-factor sign-in. Set up an authenticator app to continue.")
                return redirect("mfa_activate_totp")
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing Django renders may be kept by a browser or proxy cache: pages, API answers and
    calendar feeds carry PHI. (Static files are answered earlier, by WhiteNoise, and stay cacheable.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        response.headers.pop("Expires", None)
        return response


class LocationTimeZoneMiddleware:
    """Show times in the signed-in user's location zone, not the server's (``core.localtime``).

    Every ``|date`` and ``|time`` in a template converts to the active zone; pages about a patient
    or a session narrow it further with ``{% in_zone_of %}`` (base.html) or ``|in_zone_of``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with timezone.override(user_zone(getattr(request, "user", None))):
            return self.get_response(request)
