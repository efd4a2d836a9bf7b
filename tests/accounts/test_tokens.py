"""API tokens: list, revoke (UI, API, CLI), optional expiry; all of a user's tokens end when the
password changes or the account is deactivated. Clinic admins manage only their own clinic's."""

import datetime as dt

import pytest
from django.utils import timezone

from ketamine_clinic.accounts import services
from ketamine_clinic.accounts.models import ApiToken
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import NotFound, ValidationFailed

from tests.support.people import ctx_for


def bearer(client, raw, path="/api/v1/me"):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {raw}")


def token_of(raw) -> ApiToken:
    return ApiToken.objects.get(token_sha256=ApiToken.digest(raw))


def test_expired_token_is_refused(client, nurse):
    raw = services.create_token(ctx_for(nurse), nurse, name="short", expires_in_days=1)
    assert bearer(client, raw).status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert bearer(client, raw).status_code == 401


@pytest.mark.parametrize("days", [0, -1, 367, "7"])
def test_bad_expiry_is_refused_and_creates_nothing(nurse, days):
    with pytest.raises(ValidationFailed) as err:
        services.create_token(ctx_for(nurse), nurse, name="x", expires_in_days=days)
    assert "expires_in_days" in err.value.errors and not ApiToken.objects.exists()


def test_password_change_ends_every_token_of_the_user_only(client, nurse, prescriber):
    mine = [services.create_token(ctx_for(nurse), nurse, name=n) for n in ("a", "b")]
    other = services.create_token(ctx_for(prescriber), prescriber, name="c")
    nurse.set_password("a-brand-new-long-password")
    nurse.save()
    assert all(bearer(client, raw).status_code == 401 for raw in mine)
    assert bearer(client, other).status_code == 200
    assert AuditEvent.objects.filter(action="auth.tokens_revoked", detail__why="password changed").exists()


def test_signing_in_does_not_end_tokens(client, nurse):
    from tests.support.people import PASSWORD

    raw = services.create_token(ctx_for(nurse), nurse, name="keep")
    client.post("/accounts/login/", {"login": nurse.username, "password": PASSWORD})
    assert bearer(client, raw).status_code == 200


def test_token_page_lists_and_revokes_own_tokens(client_for, nurse):
    client = client_for(nurse)
    created = client.post("/clinic-admin/token/", {"name": "laptop", "expires_in_days": "30"})
    assert created.status_code == 200 and "kc_" in created.content.decode()
    token = ApiToken.objects.get(name="laptop")
    assert token.expires_at is not None
    page = client.get("/clinic-admin/token/").content.decode()
    assert "laptop" in page and token.prefix in page
    assert client.post(f"/clinic-admin/tokens/{token.public_id}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and AuditEvent.objects.filter(action="auth.token_revoke").count() == 1


def test_token_page_refuses_a_bad_expiry_with_a_message(client_for, nurse):
    response = client_for(nurse).post("/clinic-admin/token/", {"name": "x", "expires_in_days": "soon"})
    assert response.status_code == 422 and "Choose between 1 and 366 days" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_staff_cannot_revoke_a_colleagues_token_but_their_clinic_admin_can(nurse, prescriber, clinic_admin):
    raw = services.create_token(ctx_for(prescriber), prescriber, name="p")
    token = token_of(raw)
    with pytest.raises(NotFound):
        services.revoke_token(ctx_for(nurse), token.public_id)
    assert [t.name for t in services.tokens_for(clinic_admin, whole_clinic=True)] == ["p"]
    services.revoke_token(ctx_for(clinic_admin), token.public_id)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_outsider_admin_can_neither_see_nor_revoke_our_tokens(client_for, prescriber, outsider):
    token = token_of(services.create_token(ctx_for(prescriber), prescriber, name="p"))
    assert list(services.tokens_for(outsider, whole_clinic=True)) == []
    client = client_for(outsider)
    assert client.post(f"/clinic-admin/tokens/{token.public_id}/revoke/").status_code == 302
    assert client.post(f"/api/v1/tokens/{token.public_id}/revoke").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_api_creates_lists_and_revokes_tokens(client, nurse):
    raw = services.create_token(ctx_for(nurse), nurse, name="bootstrap")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    created = client.post("/api/v1/tokens", {"name": "script", "expires_in_days": 7}, content_type="application/json", **auth)
    assert created.status_code == 201 and created.json()["token"].startswith("kc_") and created.json()["expires_at"]
    listed = client.get("/api/v1/tokens", **auth).json()
    assert {t["name"] for t in listed} == {"bootstrap", "script"} and all("token" not in t for t in listed)
    revoked = client.post(f"/api/v1/tokens/{created.json()['id']}/revoke", **auth)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert bearer(client, created.json()["token"]).status_code == 401
    assert client.post("/api/v1/tokens", {"name": "", "expires_in_days": 0}, content_type="application/json", **auth).status_code == 422


def test_api_whole_clinic_listing_is_for_clinic_admins_only(client, nurse):
    raw = services.create_token(ctx_for(nurse), nurse, name="n")
    assert bearer(client, raw, "/api/v1/tokens?whole_clinic=true").status_code == 403


def test_cli_lists_and_revokes_tokens(nurse, capsys):
    from ketamine_clinic.cli import main

    token = token_of(services.create_token(ctx_for(nurse), nurse, name="cli-made"))
    assert main(["token", "list", nurse.username]) == 0
    out = capsys.readouterr().out
    assert str(token.public_id) in out and "cli-made" in out and "active" in out
    assert main(["token", "revoke", str(token.public_id)]) == 0
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert main(["token", "revoke", "not-a-uuid"]) == 2
