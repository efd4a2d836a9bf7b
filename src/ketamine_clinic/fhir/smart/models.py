"""SMART backend clients (registered by a clinic admin), the assertion ids seen (replay protection)
and the short-lived access tokens issued to them (stored as SHA-256 hashes)."""

import secrets
import uuid

from django.conf import settings
from django.db import models


def new_client_id() -> str:
    return secrets.token_urlsafe(18)


class SmartClient(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="smart_clients")
    client_id = models.CharField(max_length=64, unique=True, default=new_client_id)
    name = models.CharField(max_length=200)
    jwks = models.JSONField()  # {"keys": [public JWKs]}
    scopes = models.CharField(max_length=2000)  # space-separated system/<Type>.<read|rs|…> the client may get
    service_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SmartAssertionJti(models.Model):
    """A client assertion's ``jti``, kept until it expires: the unique constraint refuses a replay,
    even from two concurrent requests."""

    client = models.ForeignKey(SmartClient, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "jti"], name="smart_jti_once_per_client")]


class SmartAccessToken(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(SmartClient, on_delete=models.CASCADE, related_name="tokens")
    scopes = models.CharField(max_length=2000)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
