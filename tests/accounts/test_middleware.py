"""``accounts.middleware.AuthenticationMiddleware``: ``request.user`` is the user itself (no lazy
proxy), anonymous without a session, and still replaced by a sign-out during the request."""

from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from ketamine_clinic.accounts.models import User
from ketamine_clinic.front.middleware import SESSION_KEY


def test_a_signed_in_request_carries_the_user_itself(client, nurse):
    client.force_login(nurse)
    response = client.get("/patients/")
    assert response.status_code == 200
    assert type(response.wsgi_request.user) is User and response.wsgi_request.user.pk == nurse.pk
    assert response.wsgi_request.user.role_set  # with its roles, read with it


def test_a_request_without_a_session_is_anonymous(client):
    response = client.get("/healthz")
    assert type(response.wsgi_request.user) is AnonymousUser


@override_settings(INACTIVITY_TIMEOUT_MINUTES=1)
def test_signing_out_for_inactivity_still_replaces_the_user(client, nurse):
    client.force_login(nurse)
    session = client.session
    session[SESSION_KEY] = 0.0  # last seen at the epoch: long idle
    session.save()
    response = client.get("/patients/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert type(response.wsgi_request.user) is AnonymousUser
