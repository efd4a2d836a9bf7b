"""Two-factor sign-in is required for every way in when the clinic requires it: pages, the API by
session cookie, and bearer tokens (which must also be newer than the enrolment)."""

import datetime as dt

import pytest
from django.utils import timezone

from ketamine_clinic.accounts import services
from ketamine_clinic.accounts.mfa import MfaRequired
from ketamine_clinic.accounts.models import ApiToken

from tests.support.people import ctx_for


def enrol(user, when=None):
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"},
                                        created_at=when or timezone.now())


@pytest.fixture
def mfa_org(org):
    org.require_mfa = True
    org.save()
    return org


def bearer(client, raw):
    return client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_unenrolled_staff_cannot_use_the_api_with_the_session_cookie(client_for, nurse, mfa_org):
    response = client_for(nurse).get("/api/v1/me")
    assert response.status_code == 403 and "two-factor" in response.json()["detail"]


def test_enrolled_staff_use_the_api_with_the_session_cookie(client_for, nurse, mfa_org):
    enrol(nurse)
    assert client_for(nurse).get("/api/v1/me").status_code == 200


def test_unenrolled_staff_cannot_create_a_token(nurse, mfa_org):
    with pytest.raises(MfaRequired):
        services.create_token(ctx_for(nurse), nurse, name="x")
    assert not ApiToken.objects.exists()


def test_token_made_before_the_clinic_required_mfa_stops_working_until_enrolment_and_stays_dead(client, nurse, org):
    raw = services.create_token(ctx_for(nurse), nurse, name="old")
    assert bearer(client, raw).status_code == 200
    org.require_mfa = True
    org.save()
    refused = bearer(client, raw)
    assert refused.status_code == 403 and "two-factor" in refused.json()["detail"]
    enrol(nurse)  # enrolling later does not revive a token made without the second factor
    assert bearer(client, raw).status_code == 403
    fresh = services.create_token(ctx_for(nurse), nurse, name="new")
    assert bearer(client, fresh).status_code == 200


def test_token_made_after_enrolment_works_when_mfa_is_required(client, nurse, mfa_org):
    enrol(nurse, timezone.now() - dt.timedelta(days=1))
    raw = services.create_token(ctx_for(nurse), nurse, name="ok")
    assert bearer(client, raw).status_code == 200


def test_outsider_clinic_without_mfa_is_not_affected(client, outsider, mfa_org):
    raw = services.create_token(ctx_for(outsider), outsider, name="theirs")
    assert bearer(client, raw).status_code == 200


def test_unenrolled_staff_are_sent_to_set_up_mfa_from_the_token_page(client_for, nurse, mfa_org):
    # pages send unenrolled staff to the set-up page first
    response = client_for(nurse).get("/clinic-admin/token/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"
