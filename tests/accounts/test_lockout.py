"""Sign-in lockout counts per username AND source address; a clinic admin (of the same clinic
only) can unlock; behind a reverse proxy the client address comes from X-Forwarded-For as far as
ALLAUTH_TRUSTED_PROXY_COUNT says."""

import pytest

from ketamine_clinic.accounts import services
from ketamine_clinic.core.errors import NotFound

from tests.support.people import PASSWORD, ctx_for


def login(client, username, password, **extra):
    return client.post("/accounts/login/", {"login": username, "password": password}, **extra)


def lock_out(client, username, **extra):
    for _ in range(5):
        login(client, username, "not-the-password", **extra)


def signed_in(response) -> bool:
    return response.status_code == 302 and "/accounts/2fa" not in response["Location"]


def test_an_attacker_elsewhere_cannot_lock_the_user_out(client, nurse):
    lock_out(client, nurse.username, REMOTE_ADDR="203.0.113.9")
    assert not signed_in(login(client, nurse.username, PASSWORD, REMOTE_ADDR="203.0.113.9"))
    assert signed_in(login(client, nurse.username, PASSWORD, REMOTE_ADDR="192.0.2.10"))


def test_clinic_admin_unlocks_a_locked_user(client_for, client, nurse, clinic_admin):
    lock_out(client, nurse.username)
    assert not signed_in(login(client, nurse.username, PASSWORD))
    from django.test import Client

    admin = Client()
    admin.force_login(clinic_admin)
    assert admin.post(f"/clinic-admin/users/{nurse.public_id}/unlock/").status_code == 302
    assert signed_in(login(client, nurse.username, PASSWORD))


def test_outsider_admin_cannot_unlock_our_staff(client, nurse, outsider):
    lock_out(client, nurse.username)
    with pytest.raises(NotFound):
        services.unlock_user(ctx_for(outsider), nurse.public_id)
    assert not signed_in(login(client, nurse.username, PASSWORD))


def test_behind_one_trusted_proxy_each_client_address_counts_on_its_own(client, nurse, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    lock_out(client, nurse.username, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert not signed_in(login(client, nurse.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy))
    assert signed_in(login(client, nurse.username, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.10", **proxy))


def test_without_a_trusted_proxy_a_forged_forwarded_for_header_is_ignored(client, nurse, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    lock_out(client, nurse.username, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert not signed_in(login(client, nurse.username, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.10"))
