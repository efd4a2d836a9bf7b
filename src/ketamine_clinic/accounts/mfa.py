"""Two-factor rule: staff of a clinic that requires it need an enrolled authenticator for every
way in (pages, the API with the session cookie, API tokens), and a token counts only if it was
made after the second factor was enrolled."""

from ketamine_clinic.core.errors import ServiceError

# Authenticator types that are a second factor (recovery codes alone are not).
SECOND_FACTOR_TYPES = ("totp", "webauthn")


class MfaRequired(ServiceError):
    status = 403

    def __init__(self):
        super().__init__("Your clinic requires two-factor sign-in: set up an authenticator app (Two-factor) first.")


def mfa_required(user) -> bool:
    org = getattr(user, "organization", None)
    return bool(getattr(user, "is_staff_member", False) and org is not None and org.require_mfa)


def enrolled_at(user):
    """When the user's earliest current second factor was set up, or None."""
    from allauth.mfa.models import Authenticator

    first = Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).order_by("created_at").first()
    return first.created_at if first else None


def mfa_satisfied(user) -> bool:
    return not mfa_required(user) or enrolled_at(user) is not None


def token_allowed(user, token_created_at) -> bool:
    """A token of a user whose clinic requires MFA works only if it was made after enrolment."""
    if not mfa_required(user):
        return True
    since = enrolled_at(user)
    return since is not None and token_created_at >= since
