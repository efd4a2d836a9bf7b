from datetime import datetime
from uuid import UUID

from ninja import Field, Router, Schema, Status

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.schemas import errors

from . import services
from .models import ApiToken
from .permissions import MATRIX, has_permission

router = Router(tags=["me"])


class OrganizationOut(Schema):
    id: UUID
    name: str


class MeOut(Schema):
    id: UUID
    username: str
    name: str
    kind: str
    roles: list[str]
    organization: OrganizationOut | None
    permissions: list[str]


@router.get("/me", response={200: MeOut, **errors(401)}, summary="The signed-in user, their roles and permissions")
def me(request):
    user = request.user
    org = user.organization
    return {
        "id": user.public_id,
        "username": user.username,
        "name": user.name,
        "kind": user.kind,
        "roles": sorted(user.role_set),
        "organization": {"id": org.public_id, "name": org.name} if org else None,
        "permissions": [a for a in MATRIX if has_permission(user, a)],
    }


# --- API tokens: list, create, revoke ---------------------------------------------------------
class ApiTokenOut(Schema):
    id: UUID
    username: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreateIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(default=None, ge=1, le=services.MAX_TOKEN_DAYS)


class ApiTokenCreatedOut(ApiTokenOut):
    token: str


def _token(t: ApiToken) -> dict:
    return {"id": t.public_id, "username": t.user.username, "name": t.name, "prefix": t.prefix, "created_at": t.created_at,
            "last_used_at": t.last_used_at, "expires_at": t.expires_at, "revoked_at": t.revoked_at}


@router.get("/tokens", response={200: list[ApiTokenOut], **errors(401, 403, 422)},
            summary="API tokens: your own, or with whole_clinic=true (clinic admins) every staff token of the clinic")
def list_tokens(request, whole_clinic: bool = False):
    return [_token(t) for t in services.tokens_for(request.user, whole_clinic=whole_clinic)]


@router.post("/tokens", response={201: ApiTokenCreatedOut, **errors(400, 401, 403, 422)},
             summary="Create an API token for yourself (the token is in this answer only)")
def create_token(request, payload: ApiTokenCreateIn):
    raw = services.create_token(Context.from_request(request), request.user, name=payload.name, expires_in_days=payload.expires_in_days)
    token = ApiToken.objects.select_related("user").get(token_sha256=ApiToken.digest(raw))
    return Status(201, {**_token(token), "token": raw})


@router.post("/tokens/{token_id}/revoke", response={200: ApiTokenOut, **errors(401, 403, 404, 422)},
             summary="Revoke a token: your own, or (clinic admins) any of the clinic's")
def revoke_token(request, token_id: UUID):
    return _token(services.revoke_token(Context.from_request(request), token_id))
