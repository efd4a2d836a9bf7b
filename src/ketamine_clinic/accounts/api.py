from uuid import UUID

from ninja import Router, Schema

from ketamine_clinic.core.schemas import errors

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
