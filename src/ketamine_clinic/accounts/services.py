"""Writes on organizations, locations, users, roles and tokens; each audited."""

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.validators import validate_email
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed

from . import lockout, mfa
from .models import ApiToken, Organization, RoleAssignment, User
from .permissions import Role, has_permission, require


MAX_TOKEN_DAYS = 366


def create_token(ctx: Context | None, user: User, name: str = "cli", expires_in_days: int | None = None) -> str:
    """A new bearer token for ``user``; the raw value is returned once and never stored.

    Staff of a clinic that requires MFA must have enrolled a second factor first."""
    if ctx is not None and ctx.user != user:
        require(ctx.user, "org.manage")
        if user.organization_id != ctx.user.organization_id:
            raise NotFound("No such user.")
    if not user.is_active:
        raise ValidationFailed({"user": ["This account is deactivated."]})
    if expires_in_days is not None and (not isinstance(expires_in_days, int) or not 1 <= expires_in_days <= MAX_TOKEN_DAYS):
        raise ValidationFailed({"expires_in_days": [f"Choose between 1 and {MAX_TOKEN_DAYS} days, or no expiry."]})
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed({"name": ["Give the token a name of 1–100 characters."]})
    if not mfa.mfa_satisfied(user):
        raise mfa.MfaRequired()
    raw = ApiToken.new_raw_token()
    now = timezone.now()
    expires_at = now + dt.timedelta(days=expires_in_days) if expires_in_days else None
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], token_sha256=ApiToken.digest(raw),
                                        created_at=now, expires_at=expires_at)
        record(ctx or Context(user=user), "auth.token_create", obj=token, organization=user.organization,
               detail={"for": user.username, "expires_at": expires_at.isoformat() if expires_at else None})
    return raw


def user_for_token(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None (unknown, revoked, expired token).

    Raises MfaRequired when the user's clinic requires MFA and the token predates enrolment."""
    if not raw or not raw.startswith(ApiToken.TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.select_related("user__organization").filter(token_sha256=ApiToken.digest(raw)).first()
    now = timezone.now()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if not mfa.token_allowed(token.user, token.created_at):
        raise mfa.MfaRequired()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # bookkeeping, not a clinical write
    return token.user


def tokens_for(actor: User, *, whole_clinic: bool = False):
    """The actor's own tokens, or (clinic admins) every staff token of the clinic; newest first."""
    require(actor, "api.token_self")
    tokens = ApiToken.objects.select_related("user").order_by("-created_at")
    if whole_clinic:
        require(actor, "org.manage")
        return tokens.filter(user__organization_id=actor.organization_id)
    return tokens.filter(user=actor)


def revoke_token(ctx: Context | None, public_id) -> ApiToken:
    """Revoke one token: one's own, or (clinic admins) any of the clinic's; ``ctx=None`` is the
    server's operator (the CLI). Revoking twice is a no-op."""
    if ctx is not None:
        require(ctx.user, "api.token_self")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update(of=("self",)).select_related("user__organization").filter(public_id=public_id).first()
        if token is None:
            raise NotFound("No such token.")
        if ctx is not None:
            own = token.user_id == ctx.user.pk
            admin_of = token.user.organization_id == ctx.user.organization_id and has_permission(ctx.user, "org.manage")
            if not (own or admin_of):
                raise NotFound("No such token.")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record(ctx, "auth.token_revoke", obj=token, organization=token.user.organization,
                   detail={"for": token.user.username, "name": token.name, "by": "user" if ctx else "cli"})
    return token


def _staff_of_my_clinic(ctx: Context, public_id) -> User:
    require(ctx.user, "org.manage")
    user = User.objects.filter(public_id=public_id, organization_id=ctx.user.organization_id).first()
    if user is None:
        raise NotFound("No such user.")
    return user


def set_active(ctx: Context, public_id, active: bool) -> User:
    """Deactivate (sign-in, sessions and API tokens end at once) or reactivate a user of one's clinic."""
    target = _staff_of_my_clinic(ctx, public_id)
    if target.pk == ctx.user.pk and not active:
        raise ValidationFailed({"user": ["You cannot deactivate your own account."]})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=target.pk)
        if user.is_active != active:
            user.is_active = active
            user.save(update_fields=["is_active"])  # the post_save signal revokes the tokens
            record(ctx, "user.activate" if active else "user.deactivate", obj=user)
    return user


def set_email(ctx: Context, public_id, email: str) -> User:
    """A staff member's email address (where password-reset links go)."""
    target = _staff_of_my_clinic(ctx, public_id)
    email = (email or "").strip()
    try:
        if email:
            validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed({"email": ["Enter a valid email address."]}) from None
    if len(email) > 254:
        raise ValidationFailed({"email": ["At most 254 characters."]})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=target.pk)
        user.email = email
        user.save(update_fields=["email"])
        record(ctx, "user.email", obj=user, detail={"has_email": bool(email)})
    return user


def start_password_reset(ctx: Context, public_id) -> User:
    """Email the user a one-time link to choose a new password (allauth's reset-from-key page)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.conf import settings
    from django.core.mail import send_mail
    from django.urls import reverse

    user = _staff_of_my_clinic(ctx, public_id)
    if not user.is_active:
        raise ValidationFailed({"user": ["Reactivate the account first."]})
    if not user.email:
        raise ValidationFailed({"email": ["Give the user an email address first."]})
    path = reverse("account_reset_password_from_key",
                   kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)})
    record(ctx, "user.password_reset_sent", obj=user)
    # Sent after the audit event commits: the message itself holds no PHI, only the link.
    send_mail("Choose a new password for ketamine-clinic",
              f"A clinic admin started a password reset for your account {user.username}.\n"
              f"Choose a new password here (the link works once): {settings.SITE_URL}{path}\n",
              None, [user.email])
    return user


def unlock_user(ctx: Context, public_id) -> User:
    """Lift sign-in and co-signature lockouts of a user of one's clinic."""
    user = _staff_of_my_clinic(ctx, public_id)
    lockout.unlock(user)
    record(ctx, "user.unlock", obj=user)
    return user


def set_roles(ctx: Context, user: User, roles: list[str]) -> None:
    require(ctx.user, "org.manage")
    if user.organization_id != ctx.user.organization_id:
        raise NotFound("No such user.")
    try:
        wanted = {Role(r) for r in roles}
    except ValueError:
        raise ValidationFailed({"roles": ["Unknown role."]}) from None
    if user == ctx.user and Role.CLINIC_ADMIN not in wanted:
        raise ValidationFailed({"roles": ["You cannot remove your own clinic-admin role."]})
    with transaction.atomic():
        RoleAssignment.objects.filter(user=user).exclude(role__in=wanted).delete()
        for role in wanted:
            RoleAssignment.objects.get_or_create(user=user, role=role)
        user._role_cache = None
        record(ctx, "user.roles", obj=user, detail={"roles": sorted(wanted)})


def create_staff_user(ctx: Context, data: dict) -> User:
    require(ctx.user, "org.manage")
    errors: dict[str, list[str]] = {}
    username = (data.get("username") or "").strip()
    if not username or len(username) > 150 or not all(c.isalnum() or c in "@.+-_" for c in username):
        errors["username"] = ["Use 1–150 letters, digits and @ . + - _ only."]
    elif User.objects.filter(username__iexact=username).exists():
        raise Conflict("That username is taken.", {"username": ["That username is taken."]})
    roles = data.get("roles") or []
    if not roles:
        errors["roles"] = ["Give the user at least one role."]
    password = data.get("password") or ""
    try:
        validate_password(password, User(username=username))
    except DjangoValidationError as exc:
        errors["password"] = list(exc.messages)
    email = (data.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors["email"] = ["Enter a valid email address."]
    for field, limit in (("first_name", 150), ("last_name", 150), ("credentials", 60), ("email", 254)):
        if len(data.get(field) or "") > limit:
            errors[field] = [f"At most {limit} characters."]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        user = User(
            username=username,
            organization=ctx.user.organization,
            kind=User.Kind.STAFF,
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            credentials=data.get("credentials", ""),
            email=email,
        )
        user.set_password(password)
        user.save()
        record(ctx, "user.create", obj=user)
        set_roles(ctx, user, roles)
    return user


def update_security_settings(ctx: Context, *, require_mfa: bool, inactivity_timeout_minutes: int) -> Organization:
    require(ctx.user, "org.manage")
    if not isinstance(inactivity_timeout_minutes, int) or not 1 <= inactivity_timeout_minutes <= 240:
        raise ValidationFailed({"inactivity_timeout_minutes": ["Choose between 1 and 240 minutes."]})
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=ctx.user.organization_id)
        org.require_mfa = bool(require_mfa)
        org.inactivity_timeout_minutes = inactivity_timeout_minutes
        org.save(update_fields=["require_mfa", "inactivity_timeout_minutes"])
        record(ctx, "org.security_settings", obj=org, organization=org, detail={"require_mfa": org.require_mfa, "inactivity_timeout_minutes": inactivity_timeout_minutes})
    return org
