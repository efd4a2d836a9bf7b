"""Organizations (clinic businesses), their locations, users with roles, and API tokens."""

import uuid
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from ketamine_clinic.core.tokens import HashedToken

from .permissions import MATRIX, Role, has_permission


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. America/New_York).")


class Organization(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    mrn_prefix = models.CharField(max_length=6, default="KC", help_text="Prefix of generated MRNs")
    require_mfa = models.BooleanField(default=False, help_text="Every staff member must use two-factor sign-in")
    inactivity_timeout_minutes = models.PositiveSmallIntegerField(default=15)
    crisis_line = models.CharField(max_length=120, default="988 Suicide & Crisis Lifeline (call or text 988)")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(max_length=200)
    address_line = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validate_time_zone])
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="location_name_unique_per_org")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class User(AbstractUser):
    """A staff member (one or more roles) or a patient using the portal."""

    class Kind(models.TextChoices):
        STAFF = "staff", "Staff"
        PATIENT = "patient", "Patient"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STAFF)
    display_name = models.CharField(max_length=150, blank=True)
    credentials = models.CharField(max_length=60, blank=True, help_text="e.g. MD, NP, RN, LCSW")
    phone = models.CharField(max_length=40, blank=True)
    default_location = models.ForeignKey(Location, on_delete=models.SET_NULL, null=True, blank=True)

    @property
    def role_set(self) -> frozenset[Role]:
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = self.remember_roles(self.roles.values_list("role", flat=True) if self.kind == self.Kind.STAFF else ())
        return cached

    def remember_roles(self, values) -> frozenset[Role]:
        """Keep the roles read for this user (role values); a patient has none, whatever is assigned."""
        self._role_cache = frozenset(Role(r) for r in values) if self.kind == self.Kind.STAFF else frozenset()
        return self._role_cache

    @property
    def is_staff_member(self) -> bool:
        return self.kind == self.Kind.STAFF and self.organization_id is not None

    def may(self, action: str) -> bool:
        """Whether this user's role allows ``action`` (the one permission matrix). The view toolkit in
        ``web`` asks the user object, so that it sits below accounts and every app's views can use it."""
        return has_permission(self, action)

    @staticmethod
    def action_label(action: str) -> str:
        """The matrix's words for ``action``, shown on the 403 page."""
        return MATRIX[action][1]

    @property
    def is_portal_patient(self) -> bool:
        return self.kind == self.Kind.PATIENT

    @property
    def name(self) -> str:
        full = self.display_name or self.get_full_name() or self.username
        return f"{full}, {self.credentials}" if self.credentials else full

    def set_password(self, raw_password):
        super().set_password(raw_password)
        # Seen by the post_save signal, which revokes every API token of the user (see signals.py).
        self._password_changed = self.pk is not None and not getattr(self, "_rehashing", False)

    def check_password(self, raw_password):
        # A correct password may be re-hashed with newer parameters; that is not a password change.
        self._rehashing = True
        try:
            return super().check_password(raw_password)
        finally:
            self._rehashing = False

    def role_labels(self) -> str:
        return ", ".join(sorted(r.label for r in self.role_set)) or ("Patient" if self.is_portal_patient else "—")


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=[(r.value, r.label) for r in Role])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_once_per_user")]


class ApiToken(HashedToken, models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="cli")
    prefix = models.CharField(max_length=12)
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Refused from this moment on; empty = no expiry")

    TOKEN_PREFIX = "kc_"

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)
