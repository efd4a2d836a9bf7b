"""Writes on organizations, locations, users, roles and tokens; each audited."""

import datetime as dt
import re

from django.contrib.auth.password_validation import validate_password
from django.core.validators import validate_email
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.core.ids import uuid_or_none

from . import lockout, mfa
from .models import ApiToken, Location, Organization, RoleAssignment, User
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
        record(ctx or Context(user=user), Action.AUTH_TOKEN_CREATE, obj=token, organization=user.organization,
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
            record(ctx, Action.AUTH_TOKEN_REVOKE, obj=token, organization=token.user.organization,
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
            record(ctx, Action.USER_ACTIVATE if active else Action.USER_DEACTIVATE, obj=user)
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
        record(ctx, Action.USER_EMAIL, obj=user, detail={"has_email": bool(email)})
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
    record(ctx, Action.USER_PASSWORD_RESET_SENT, obj=user)
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
    record(ctx, Action.USER_UNLOCK, obj=user)
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
        record(ctx, Action.USER_ROLES, obj=user, detail={"roles": sorted(wanted)})


def _user_errors(data: dict) -> dict[str, list[str]]:
    """Field errors of a new account's username, password, email and names (one check for staff and portal)."""
    errors: dict[str, list[str]] = {}
    username = (data.get("username") or "").strip()
    if not username or len(username) > 150 or not all(c.isalnum() or c in "@.+-_" for c in username):
        errors["username"] = ["Use 1–150 letters, digits and @ . + - _ only."]
    elif User.objects.filter(username__iexact=username).exists():
        raise Conflict("That username is taken.", {"username": ["That username is taken."]})
    try:
        validate_password(data.get("password") or "", User(username=username))
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
    return errors


def _new_user(ctx: Context | None, organization: Organization, kind: str, data: dict, location: Location | None = None) -> User:
    """Insert a validated account and its audit event (inside the caller's transaction)."""
    user = User(
        username=(data.get("username") or "").strip(), organization=organization, kind=kind,
        first_name=data.get("first_name", ""), last_name=data.get("last_name", ""),
        credentials=data.get("credentials", ""), email=(data.get("email") or "").strip(), default_location=location,
    )
    user.set_password(data.get("password") or "")
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same username taken by someone else at the same moment
        raise Conflict("That username is taken.", {"username": ["That username is taken."]}) from None
    record(ctx, Action.USER_CREATE, obj=user, organization=organization, detail={"kind": kind})
    return user


def _location_of(organization: Organization, value, errors: dict) -> Location | None:
    """The clinic's location named by public id (blank: none)."""
    if not value:
        return None
    location = Location.objects.filter(organization=organization, public_id=uuid_or_none(value)).first()
    if location is None:
        errors["default_location"] = ["Choose one of your clinic's locations."]
    return location


def create_staff_user(ctx: Context, data: dict) -> User:
    require(ctx.user, "org.manage")
    org = ctx.user.organization
    errors = _user_errors(data)
    roles = data.get("roles") or []
    if not roles:
        errors["roles"] = ["Give the user at least one role."]
    location = _location_of(org, data.get("default_location"), errors)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        user = _new_user(ctx, org, User.Kind.STAFF, data, location)
        set_roles(ctx, user, roles)
    return user


def create_portal_user(ctx: Context, data: dict) -> User:
    """A patient's sign-in to the portal, in the actor's clinic. Linking it to the chart is the
    patients service's job (``patients.services.open_portal_account``), which calls this."""
    require(ctx.user, "patient.edit_demographics")
    errors = _user_errors(data)
    if errors:
        raise ValidationFailed(errors)
    return _new_user(ctx, ctx.user.organization, User.Kind.PATIENT, data)


def set_default_location(ctx: Context, user: User, location: Location) -> User:
    """The location a staff member's screens open at (one's own, or anyone's by a clinic admin)."""
    if user.pk != ctx.user.pk:
        require(ctx.user, "org.manage")
    if ctx.user.organization_id is None or {user.organization_id, location.organization_id} != {ctx.user.organization_id}:
        raise NotFound("No such user or location.")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(default_location=location)
        record(ctx, Action.USER_DEFAULT_LOCATION, obj=user, detail={"location": str(location.public_id)})
    user.default_location = location
    return user


# --- a new clinic -----------------------------------------------------------------------------
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


def found_clinic(data: dict, admin: dict) -> tuple[Organization, User]:
    """A new clinic (organization) and its first clinic admin, who then adds locations and staff.

    Run by the operator of the installation (the demo, a setup script), never from a page: there is
    no one in the clinic yet to hold a permission, so the audit events have no actor."""
    errors: dict[str, list[str]] = {}
    name = (data.get("name") or "").strip()
    slug = (data.get("slug") or "").strip()
    mrn_prefix = (data.get("mrn_prefix") or "").strip().upper()
    if not name or len(name) > Organization._meta.get_field("name").max_length:
        errors["name"] = ["Give the clinic a name of 1–200 characters."]
    if not SLUG_RE.match(slug):
        errors["slug"] = ["Use 3–60 lowercase letters, digits and '-'."]
    elif Organization.objects.filter(slug=slug).exists():
        raise Conflict("That clinic slug is taken.", {"slug": ["That clinic slug is taken."]})
    if not mrn_prefix.isalnum() or len(mrn_prefix) > Organization._meta.get_field("mrn_prefix").max_length:
        errors["mrn_prefix"] = ["Use 1–6 letters or digits."]
    errors.update({f"admin.{k}": v for k, v in _user_errors(admin).items()})
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                org = Organization.objects.create(name=name, slug=slug, mrn_prefix=mrn_prefix)
        except IntegrityError:  # founded by someone else at the same moment
            raise Conflict("That clinic slug is taken.", {"slug": ["That clinic slug is taken."]}) from None
        record(None, Action.ORG_CREATE, obj=org, organization=org, detail={"slug": slug})
        user = _new_user(None, org, User.Kind.STAFF, admin)
        RoleAssignment.objects.create(user=user, role=Role.CLINIC_ADMIN)
        record(None, Action.USER_ROLES, obj=user, organization=org, detail={"roles": [Role.CLINIC_ADMIN.value]})
    return org, user


def add_location(ctx: Context, data: dict) -> Location:
    """A new location of the actor's clinic (name unique in the clinic, a known time zone)."""
    require(ctx.user, "org.manage")
    fields = ("name", "address_line", "city", "region", "postal_code", "phone", "time_zone")
    location = Location(organization=ctx.user.organization,
                        **{f: str(data.get(f) or "").strip() for f in fields if data.get(f) is not None})
    try:
        location.full_clean(validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        raise ValidationFailed(exc.message_dict) from None
    with transaction.atomic():
        taken = Conflict("Your clinic already has a location of that name.", {"name": ["Already in use."]})
        if Location.objects.filter(organization=location.organization, name=location.name).exists():
            raise taken
        try:
            with transaction.atomic():
                location.save()
        except IntegrityError:  # added by someone else at the same moment
            raise taken from None
        record(ctx, Action.LOCATION_CREATE, obj=location, detail={"name": location.name})
    return location


def update_security_settings(ctx: Context, *, require_mfa: bool, inactivity_timeout_minutes: int) -> Organization:
    require(ctx.user, "org.manage")
    if not isinstance(inactivity_timeout_minutes, int) or not 1 <= inactivity_timeout_minutes <= 240:
        raise ValidationFailed({"inactivity_timeout_minutes": ["Choose between 1 and 240 minutes."]})
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=ctx.user.organization_id)
        org.require_mfa = bool(require_mfa)
        org.inactivity_timeout_minutes = inactivity_timeout_minutes
        org.save(update_fields=["require_mfa", "inactivity_timeout_minutes"])
        record(ctx, Action.ORG_SECURITY_SETTINGS, obj=org, organization=org, detail={"require_mfa": org.require_mfa, "inactivity_timeout_minutes": inactivity_timeout_minutes})
    return org
