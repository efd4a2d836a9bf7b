"""SMART Backend Services: client registration (clinic admin) and the token endpoint's checks.

The client authenticates with a JWT it signs with its private key (RFC 7523, SMART App Launch 2.x
"client-confidential-asymmetric"): iss = sub = client_id, aud = the token URL, exp at most five
minutes ahead, a jti never seen before, signed RS384 or ES384 with a key of its registered JWKS.
The access token is random, stored hashed, lives five minutes, and acts as the client's service user
(the permission matrix applies) narrowed to the granted scopes.
"""

import datetime as dt
import hashlib
import json
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import ValidationFailed, require_own_clinic

from . import scopes as smart_scopes
from .models import SmartAccessToken, SmartAssertionJti, SmartClient

ALGORITHMS = ["RS384", "ES384"]  # SMART Backend Services: servers SHALL support RS384 and ES384
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_ASSERTION_LIFETIME = dt.timedelta(minutes=5)  # SMART: exp SHALL be no more than five minutes in the future
TOKEN_LIFETIME = dt.timedelta(minutes=5)  # SMART: an access token lifetime SHOULD NOT exceed five minutes
TOKEN_PREFIX = "smart."


class OAuthError(Exception):
    """An OAuth 2.0 token error (RFC 6749 §5.2): HTTP status, error code, description."""

    def __init__(self, status: int, error: str, description: str):
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


def register_client(ctx, name: str, jwks_text: str, scope_text: str, service_user) -> SmartClient:
    """A clinic admin registers a backend client: its public keys, its scopes, the staff user it acts as."""
    require(ctx.user, "org.manage")
    require_own_clinic(ctx.user, service_user.organization_id, "user")
    errors = {}
    try:
        jwks = json.loads(jwks_text)
        KeySet.import_key_set(jwks)
        if any(k.get("d") or k.get("kty") == "oct" for k in jwks["keys"]):
            errors["jwks"] = ["Paste the public keys only (no private 'd', no shared secret)."]
    except (ValueError, KeyError, TypeError, JoseError):
        errors["jwks"] = ['Not a JWK Set: expected {"keys": [...]} with RSA or EC public keys.']
    try:
        smart_scopes.parse(scope_text)
    except ValueError as exc:
        errors["scopes"] = [str(exc)]
    if not scope_text.split():
        errors["scopes"] = ["Give at least one scope, e.g. system/Patient.read."]
    if not name.strip():
        errors["name"] = ["Give the client a name."]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        client = SmartClient.objects.create(organization_id=ctx.user.organization_id, name=name.strip(), jwks=jwks,
                                            scopes=" ".join(scope_text.split()), service_user=service_user, created_by=ctx.user)
        record(ctx, Action.FHIR_SMART_CLIENT_REGISTER, obj=client, organization=client.organization,
               detail={"client_id": client.client_id, "scopes": client.scopes, "service_user": service_user.username})
    return client


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(form, token_url: str, source_ip: str | None = None) -> dict:
    """The token response for a client-credentials request; OAuthError for anything wrong."""
    if form.get("grant_type") != "client_credentials":
        raise OAuthError(400, "unsupported_grant_type", "grant_type must be client_credentials.")
    if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
        raise OAuthError(400, "invalid_request", f"Send client_assertion_type={ASSERTION_TYPE} and a client_assertion.")
    client, claims = _verified(form["client_assertion"], token_url)
    granted = _granted_scopes(client, form.get("scope", ""))
    now = timezone.now()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        SmartAssertionJti.objects.filter(expires_at__lt=now).delete()  # expired ones can no longer be replayed
        try:
            with transaction.atomic():
                SmartAssertionJti.objects.create(client=client, jti=str(claims["jti"])[:255],
                                                 expires_at=dt.datetime.fromtimestamp(claims["exp"], dt.timezone.utc))
        except IntegrityError:
            raise OAuthError(401, "invalid_client", "This client assertion (jti) was already used.") from None
        SmartAccessToken.objects.create(token_hash=_hash(token), client=client, scopes=granted, expires_at=now + TOKEN_LIFETIME)
        record(Context(user=client.service_user, source_ip=source_ip), Action.FHIR_SMART_TOKEN, obj=client,
               organization=client.organization, detail={"client_id": client.client_id, "scopes": granted})
    return {"access_token": token, "token_type": "bearer", "expires_in": int(TOKEN_LIFETIME.total_seconds()), "scope": granted}


def _verified(assertion: str, token_url: str) -> tuple[SmartClient, dict]:
    try:
        unverified = json.loads(jws.extract_compact(assertion.encode()).payload)
    except (JoseError, ValueError, TypeError):
        raise OAuthError(400, "invalid_request", "client_assertion is not a compact JWS.") from None
    client = SmartClient.objects.filter(client_id=str(unverified.get("iss", "")), is_active=True).select_related(
        "service_user", "organization").first()
    if client is None:
        raise OAuthError(401, "invalid_client", "Unknown or inactive client.")
    try:
        claims = jwt.decode(assertion, KeySet.import_key_set(client.jwks), algorithms=ALGORITHMS).claims
    except JoseError as exc:
        raise OAuthError(401, "invalid_client", f"The assertion's signature does not verify with the client's keys ({exc.error}).") from None
    _check_claims(client, claims, token_url)
    return client, claims


def _check_claims(client, claims: dict, token_url: str) -> None:
    now = timezone.now().timestamp()
    problems = []
    if claims.get("iss") != client.client_id or claims.get("sub") != client.client_id:
        problems.append("iss and sub must both be the client_id")
    audience = claims.get("aud")
    if token_url not in (audience if isinstance(audience, list) else [audience]):
        problems.append(f"aud must be {token_url}")
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or exp <= now:
        problems.append("the assertion has expired (or has no exp)")
    elif exp > now + MAX_ASSERTION_LIFETIME.total_seconds():
        problems.append("exp is more than five minutes ahead")
    if not claims.get("jti"):
        problems.append("jti is required")
    if problems:
        raise OAuthError(401, "invalid_client", "; ".join(problems) + ".")


def _granted_scopes(client, requested: str) -> str:
    """The requested scopes, each of which the client must be registered for (else refused)."""
    if not requested.split():
        raise OAuthError(400, "invalid_scope", "Request at least one scope, e.g. system/Patient.read.")
    try:
        smart_scopes.parse(requested)
    except ValueError as exc:
        raise OAuthError(400, "invalid_scope", str(exc)) from None
    allowed = smart_scopes.parse(client.scopes)
    beyond = [s for s in requested.split() if not all(smart_scopes.allows(allowed, kind, letter) for kind, letter in smart_scopes.parse(s))]
    if beyond:
        raise OAuthError(400, "invalid_scope", f"Not registered for this client: {' '.join(beyond)}.")
    return " ".join(requested.split())


def user_for_token(raw: str):
    """The service user for a live SMART token, with ``smart_scopes`` set on it; None otherwise."""
    token = SmartAccessToken.objects.filter(token_hash=_hash(raw), expires_at__gt=timezone.now(), client__is_active=True
                                            ).select_related("client__service_user").first()
    if token is None or not token.client.service_user.is_active:
        return None
    user = token.client.service_user
    user.smart_scopes = smart_scopes.parse(token.scopes)
    return user
