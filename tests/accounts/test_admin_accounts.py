"""Clinic admins deactivate and reactivate staff, give them an email address and send a
password-reset link, from Admin; never for another clinic's staff."""

import pytest
from django.core import mail

from ketamine_clinic.accounts import services
from ketamine_clinic.accounts.models import ApiToken, User

from tests.support.people import PASSWORD, ctx_for


def test_deactivating_ends_sign_in_sessions_and_tokens(client, client_for, clinic_admin, nurse):
    from django.test import Client

    raw = services.create_token(ctx_for(nurse), nurse, name="n")
    nurse_browser = Client()
    nurse_browser.force_login(nurse)
    response = client_for(clinic_admin).post(f"/clinic-admin/users/{nurse.public_id}/active/", {"active": "0"})
    assert response.status_code == 302
    nurse.refresh_from_db()
    assert not nurse.is_active
    assert nurse_browser.get("/patients/").status_code == 302  # the open session is gone
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert ApiToken.objects.get().revoked_at is not None
    fresh = Client()
    refused = fresh.post("/accounts/login/", {"login": nurse.username, "password": PASSWORD})
    assert refused["Location"] == "/accounts/inactive/" and "_auth_user_id" not in fresh.session


def test_reactivated_user_signs_in_again(client, clinic_admin, nurse):
    services.set_active(ctx_for(clinic_admin), nurse.public_id, False)
    services.set_active(ctx_for(clinic_admin), nurse.public_id, True)
    assert client.post("/accounts/login/", {"login": nurse.username, "password": PASSWORD}).status_code == 302


def test_admin_cannot_deactivate_themselves(clinic_admin):
    from ketamine_clinic.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.set_active(ctx_for(clinic_admin), clinic_admin.public_id, False)


def test_non_admin_cannot_deactivate(client_for, nurse, prescriber):
    assert client_for(nurse).post(f"/clinic-admin/users/{prescriber.public_id}/active/", {"active": "0"}).status_code == 403
    prescriber.refresh_from_db()
    assert prescriber.is_active


def test_outsider_admin_cannot_deactivate_reset_or_unlock_our_staff(client_for, outsider, nurse):
    nurse.email = "nurse@example.org"
    nurse.save()
    client = client_for(outsider)
    for action, data in (("active", {"active": "0"}), ("password-reset", {}), ("unlock", {}), ("email", {"email": "x@evil.example"})):
        client.post(f"/clinic-admin/users/{nurse.public_id}/{action}/", data)
    nurse.refresh_from_db()
    assert nurse.is_active and nurse.email == "nurse@example.org" and not mail.outbox


def test_admin_sets_an_email_and_sends_a_working_password_reset_link(client_for, clinic_admin, nurse, client):
    admin = client_for(clinic_admin)
    admin.post(f"/clinic-admin/users/{nurse.public_id}/email/", {"email": "nurse@example.org"})
    admin.post(f"/clinic-admin/users/{nurse.public_id}/password-reset/")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nurse@example.org"]
    link = next(w for w in mail.outbox[0].body.split() if "/accounts/password/reset/key/" in w)
    path = link[link.index("/accounts/"):]
    client.logout()
    form = client.get(path, follow=True)
    assert form.status_code == 200
    new = "another-long-secret-phrase"
    done = client.post(form.redirect_chain[-1][0] if form.redirect_chain else path, {"password1": new, "password2": new})
    assert done.status_code == 302
    assert User.objects.get(pk=nurse.pk).check_password(new)


def test_bad_email_is_refused_and_reset_needs_an_email(clinic_admin, nurse):
    from ketamine_clinic.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.set_email(ctx_for(clinic_admin), nurse.public_id, "not an email")
    with pytest.raises(ValidationFailed):
        services.start_password_reset(ctx_for(clinic_admin), nurse.public_id)
    assert not mail.outbox


def test_new_staff_member_can_be_created_with_an_email(clinic_admin):
    user = services.create_staff_user(ctx_for(clinic_admin), {"username": "newbie", "password": "a-long-enough-pass-2026",
                                                              "roles": ["nurse"], "email": "newbie@example.org"})
    assert user.email == "newbie@example.org"
