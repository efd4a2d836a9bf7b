from allauth.account.adapter import DefaultAccountAdapter


class ClinicAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by a clinic admin, never by self sign-up."""

    def is_open_for_signup(self, request):
        return False
