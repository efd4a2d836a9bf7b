"""Writes on organizations, locations, users, roles and tokens; each audited."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed

from .models import ApiToken, Organization, RoleAssignment, User
from .permissions import Role, require


def create_token(ctx: Context | None, user: User, name: str = "cli") -> str:
    """A new bearer token for ``user``; the raw value is returned once and never stored."""
    if ctx is not None and ctx.user != user:
        require(ctx.user, "org.manage")
    raw = ApiToken.new_raw_token()
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:10], token_sha256=ApiToken.digest(raw))
        record(ctx or Context(user=user), "auth.token_create", obj=token, organization=user.organization, detail={"for": user.username})
    return raw


def user_for_token(raw: str) -> User | None:
    if not raw or not raw.startswith(ApiToken.TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(token_sha256=ApiToken.digest(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # bookkeeping, not a clinical write
    return token.user


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
    for field, limit in (("first_name", 150), ("last_name", 150), ("credentials", 60)):
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
