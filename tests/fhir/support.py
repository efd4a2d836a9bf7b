"""Calling /fhir/r4 with a bearer token, and validating what comes back with fhir.resources (R4B)."""

import json

from django.test import Client
from fhir.resources.R4B import get_fhir_model_class

from ketamine_clinic.accounts.services import create_token

BASE = "/fhir/r4"


def fhir(user, method, path, body=None, raw=None, **headers):
    """``fhir(user, "get", "/Patient?name=x")``; ``user=None`` sends no token. Returns the response."""
    client = Client()
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {create_token(None, user)}"
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    kwargs = {"data": data, "content_type": "application/fhir+json"} if data is not None else {}
    return getattr(client, method)(BASE + path, **kwargs, **headers)


def valid(resource: dict) -> dict:
    """The resource, once its R4B model accepts it (a Bundle validates every entry's resource too)."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resource


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    return valid(response.json())


def refused(response, status) -> dict:
    """A 4xx OperationOutcome with this status."""
    assert response.status_code == status, response.content
    body = valid(response.json())
    assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["diagnostics"]
    return body


def resources(bundle) -> list[dict]:
    return [e["resource"] for e in bundle.get("entry", [])]
