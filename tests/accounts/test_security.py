import time

import pytest
from django.conf import settings

from tests.support.people import PASSWORD


def login(client, username, password):
    return client.post("/accounts/login/", {"login": username, "password": password})


def test_correct_password_signs_in(client, prescriber):
    response = login(client, prescriber.username, PASSWORD)
    assert response.status_code == 302 and client.get("/").status_code == 200


def test_five_failed_logins_lock_the_username_even_with_the_right_password(client, prescriber):
    for _ in range(5):
        assert login(client, prescriber.username, "not-the-password").status_code == 200
    locked = login(client, prescriber.username, PASSWORD)
    assert locked.status_code in (200, 429)
    assert "Too many failed login attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_argon2_is_the_production_password_hasher():
    assert "django.contrib.auth.hashers.Argon2PasswordHasher" in settings.PASSWORD_HASHERS


def test_inactive_session_is_signed_out(client_for, nurse, monkeypatch):
    client = client_for(nurse)
    assert client.get("/").status_code == 200
    session = client.session
    session["kc_last_activity"] = time.time() - (16 * 60)
    session.save()
    response = client.get("/patients/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/patients/").status_code == 302


def test_organization_timeout_setting_is_honoured(client_for, nurse, org):
    org.inactivity_timeout_minutes = 30
    org.save()
    client = client_for(nurse)
    client.get("/")
    session = client.session
    session["kc_last_activity"] = time.time() - (16 * 60)
    session.save()
    assert client.get("/patients/").status_code == 200


def test_organization_requiring_mfa_sends_staff_to_set_up_totp(client_for, nurse, org):
    org.require_mfa = True
    org.save()
    response = client_for(nurse).get("/patients/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_with_totp_pass_the_mfa_requirement(client_for, nurse, org):
    from allauth.mfa.models import Authenticator

    org.require_mfa = True
    org.save()
    Authenticator.objects.create(user=nurse, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    assert client_for(nurse).get("/patients/").status_code == 200


def test_signup_is_closed(client):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200 and "closed" in response.content.decode().lower()


def test_admin_turns_on_mfa_through_the_admin_page(client_for, clinic_admin, org):
    response = client_for(clinic_admin).post("/clinic-admin/security/", {"require_mfa": "on", "inactivity_timeout_minutes": "10"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.require_mfa and org.inactivity_timeout_minutes == 10


def test_bad_timeout_is_refused(client_for, clinic_admin, org):
    client_for(clinic_admin).post("/clinic-admin/security/", {"inactivity_timeout_minutes": "0"})
    org.refresh_from_db()
    assert org.inactivity_timeout_minutes == 15


def test_searched_names_never_reach_the_log(client_for, nurse, patient, caplog):
    import logging

    from ketamine_clinic.core.logging import StripQueryStringFilter

    record = logging.LogRecord("x", logging.WARNING, __file__, 1, 'Not Found: "GET /patients/?q=Avery"', None, None)
    StripQueryStringFilter().filter(record)
    assert "Avery" not in record.getMessage()
    with caplog.at_level(logging.DEBUG):
        client_for(nurse).get("/patients/", {"q": "Avery"})
    assert "Avery" not in caplog.text


def test_totp_sign_in_asks_for_the_code_and_accepts_the_right_one(client, nurse):
    import time as _time

    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

    secret = generate_totp_secret()
    TOTP.activate(nurse, secret)
    response = login(client, nurse.username, PASSWORD)
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    assert client.get("/patients/").status_code == 302  # password alone is not enough
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000" if hotp_value(secret, int(_time.time()) // 30) else "111111"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    code = format_hotp_value(hotp_value(secret, int(_time.time()) // 30))
    right = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert right.status_code == 302 and client.get("/patients/").status_code == 200


def test_setting_up_totp_asks_for_the_password_again_then_shows_the_secret(client, nurse):
    login(client, nurse.username, PASSWORD)
    first = client.get("/accounts/2fa/totp/activate/")
    assert first.status_code == 302 and first["Location"].startswith("/accounts/reauthenticate/")
    client.post(first["Location"], {"password": PASSWORD})
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200 and "secret" in response.content.decode().lower()
