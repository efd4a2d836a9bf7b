"""The ``api`` fixture: one way to call /api/v1 with a user's bearer token."""

import json

import pytest
from django.test import Client

from ketamine_clinic.accounts.services import create_token

JSON = "application/json"


def _request(client, token, method, path, body=None, raw=None, content_type=JSON):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    kwargs = {"content_type": content_type, "data": data} if data is not None else {}
    return getattr(client, method)(f"/api/v1{path}", **kwargs, **headers)


def caller(user):
    """``call(method, path, body=None, raw=None)`` as ``user``, on its own test client and token: safe to
    use from a thread of its own (the concurrency tests give each writer one)."""
    client, token = Client(), create_token(None, user)

    def call(method, path, body=None, raw=None, content_type=JSON):
        return _request(client, token, method, path, body, raw, content_type)

    return call


class Api:
    """``api(user, "post", "/patients", {...})``: JSON ``body`` (or ``raw`` text); ``user=None`` sends no token."""

    def __init__(self, client):
        self.client = client

    def __call__(self, user, method, path, body=None, raw=None, content_type=JSON):
        token = create_token(None, user) if user else None
        return _request(self.client, token, method, path, body, raw, content_type)

    as_user = staticmethod(caller)


@pytest.fixture
def api(client):
    return Api(client)


def assert_error(response, status, field=None):
    """The API's one error shape, ``{"detail": ..., "errors": {field: [...]}}``, with this status."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["detail"]
    if field:
        assert field in body["errors"], body
