from allauth.account.adapter import DefaultAccountAdapter

from . import lockout


class ClinicAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by a clinic admin, never by self sign-up."""

    def is_open_for_signup(self, request):
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # Failed sign-ins count per username AND source address (see accounts/lockout.py).
        login = credentials.get("email", credentials.get("username", ""))
        return lockout.login_key(login, self.get_client_ip(request))
