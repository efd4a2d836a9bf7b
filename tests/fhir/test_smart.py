"""SMART Backend Services: a client registered by the clinic admin signs a real assertion with its
private key (RS384 or ES384), gets a five-minute token, reads within its scopes, and is refused out
of scope, with an expired, replayed or wrongly signed assertion, or with an unknown token."""

import datetime as dt
import time
import uuid

import pytest
from django.test import Client
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.fhir.smart import services
from ketamine_clinic.fhir.smart.models import SmartAccessToken, SmartClient
from tests.support.people import ctx_for

from .support import ok, refused, resources

pytestmark = pytest.mark.django_db

TOKEN_URL = "http://testserver/fhir/r4/auth/token"
ALGS = ["RS384", "ES384"]


@pytest.fixture
def rsa_key():
    return RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})


def register(admin, key, scopes, user):
    jwks = '{"keys": [%s]}' % __import__("json").dumps(key.as_dict(private=False))
    return services.register_client(ctx_for(admin), "Outcomes warehouse", jwks, scopes, user)


def assertion(client_id, key, alg="RS384", exp_in=240, jti=None, aud=TOKEN_URL):
    claims = {"iss": client_id, "sub": client_id, "aud": aud, "exp": int(time.time()) + exp_in, "jti": jti or str(uuid.uuid4())}
    return jwt.encode({"alg": alg, "kid": key.kid}, claims, key, algorithms=ALGS)


def token_request(client_id, key, scope="system/Patient.read", **kwargs):
    return Client().post("/fhir/r4/auth/token", {
        "grant_type": "client_credentials", "scope": scope,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": kwargs.pop("signed", None) or assertion(client_id, key, **kwargs)})


def get(token, path, **headers):
    return Client().get("/fhir/r4" + path, HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def test_discovery_names_the_token_endpoint_and_algorithms():
    security = ok(Client().get("/fhir/r4/metadata"))["rest"][0]["security"]
    assert security["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"
    assert security["extension"][0]["extension"][0]["valueUri"] == TOKEN_URL
    body = Client().get("/fhir/r4/.well-known/smart-configuration").json()
    assert body["token_endpoint"] == TOKEN_URL and body["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert set(body["token_endpoint_auth_signing_alg_values_supported"]) == {"RS384", "ES384"}


def test_a_signed_assertion_gets_a_token_that_reads_within_its_scopes(clinic_admin, prescriber, patient, rsa_key):
    client = register(clinic_admin, rsa_key, "system/Patient.read system/Condition.rs", prescriber)
    response = token_request(client.client_id, rsa_key, scope="system/Patient.read")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 300 and body["scope"] == "system/Patient.read"
    token = body["access_token"]
    assert [r["id"] for r in resources(ok(get(token, "/Patient")))] == [str(patient.public_id)]
    ok(get(token, f"/Patient/{patient.public_id}"))
    refused(get(token, f"/Condition?patient={patient.public_id}"), 403)  # registered, but not asked for
    everything = ok(get(token, f"/Patient/{patient.public_id}/$everything"))
    assert {r["resourceType"] for r in resources(everything)} <= {"Patient", "OperationOutcome"}
    assert AuditEvent.objects.filter(action="fhir.smart_token", actor=prescriber).exists()
    assert not SmartAccessToken.objects.filter(token_hash=token).exists()  # stored hashed


def test_es384_and_v2_scopes_work_too(clinic_admin, prescriber, patient):
    key = ECKey.generate_key("P-384", parameters={"kid": "ec-1"})
    client = register(clinic_admin, key, "system/*.rs", prescriber)
    token = token_request(client.client_id, key, alg="ES384", scope="system/Condition.rs").json()["access_token"]
    ok(get(token, f"/Condition?patient={patient.public_id}"))
    refused(get(token, "/Patient"), 403)


def test_scopes_beyond_the_registration_are_refused(clinic_admin, prescriber, rsa_key):
    client = register(clinic_admin, rsa_key, "system/Patient.read", prescriber)
    for scope in ("system/Condition.read", "system/*.read", "user/Patient.read", ""):
        response = token_request(client.client_id, rsa_key, scope=scope)
        assert response.status_code == 400 and response.json()["error"] == "invalid_scope", scope


def test_expired_far_future_replayed_wrong_key_and_wrong_audience_are_refused(clinic_admin, prescriber, rsa_key):
    client = register(clinic_admin, rsa_key, "system/Patient.read", prescriber)
    other_key = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})
    jti = str(uuid.uuid4())
    assert token_request(client.client_id, rsa_key, jti=jti).status_code == 200
    cases = {
        "replayed jti": dict(jti=jti),
        "expired": dict(exp_in=-10),
        "exp beyond five minutes": dict(exp_in=3600),
        "wrong key": dict(signed=assertion(client.client_id, other_key)),
        "wrong audience": dict(aud="https://elsewhere.example/token"),
        "unknown client": dict(signed=assertion("nobody", rsa_key)),
        "not a JWT": dict(signed="not.a.jwt"),
    }
    for label, kwargs in cases.items():
        response = token_request(client.client_id, rsa_key, **kwargs)
        assert response.status_code in (400, 401) and response.json()["error"] in ("invalid_client", "invalid_request"), label
    assert SmartAccessToken.objects.count() == 1


def test_a_token_does_not_outlive_its_five_minutes_or_its_client(clinic_admin, prescriber, rsa_key, time_machine):
    client = register(clinic_admin, rsa_key, "system/Patient.read", prescriber)
    token = token_request(client.client_id, rsa_key).json()["access_token"]
    ok(get(token, "/Patient"))
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=5, seconds=1), tick=False)
    refused(get(token, "/Patient"), 401)
    time_machine.move_to(timezone.now() - dt.timedelta(minutes=5, seconds=2), tick=False)
    ok(get(token, "/Patient"))
    SmartClient.objects.filter(pk=client.pk).update(is_active=False)
    refused(get(token, "/Patient"), 401)
    refused(get("smart.not-a-token", "/Patient"), 401)


def test_the_matrix_still_applies_under_the_scopes(clinic_admin, front_desk, rsa_key):
    client = register(clinic_admin, rsa_key, "system/*.read", front_desk)
    token = token_request(client.client_id, rsa_key, scope="system/*.read").json()["access_token"]
    refused(get(token, "/$export", HTTP_PREFER="respond-async"), 403)  # front desk may not bulk-export, whatever the scopes


def test_only_a_clinic_admin_registers_and_bad_keys_or_scopes_are_refused(clinic_admin, prescriber, outsider, rsa_key):
    with pytest.raises(Exception):
        register(prescriber, rsa_key, "system/Patient.read", prescriber)
    with pytest.raises(Exception):
        register(outsider, rsa_key, "system/Patient.read", prescriber)  # another clinic's user
    ctx = ctx_for(clinic_admin)
    for jwks, scopes in (("{}", "system/Patient.read"), ('{"keys": [%s]}' % __import__("json").dumps(rsa_key.as_dict(private=True)), "system/Patient.read"),
                         ('{"keys": []}', "patient/Patient.read")):
        with pytest.raises(ValidationFailed):
            services.register_client(ctx, "x", jwks, scopes, prescriber)
    assert not SmartClient.objects.exists()


def test_the_admin_page_registers_a_client(client_for, clinic_admin, prescriber, rsa_key):
    jwks = '{"keys": [%s]}' % __import__("json").dumps(rsa_key.as_dict(private=False))
    page = client_for(clinic_admin)
    response = page.post("/fhir/smart-clients/", {"name": "Registry", "service_user": prescriber.pk,
                                                   "scopes": "system/Patient.read", "jwks": jwks})
    assert response.status_code == 200 and SmartClient.objects.get().client_id in response.content.decode()
    assert page.post("/fhir/smart-clients/", {"name": "Bad", "service_user": prescriber.pk, "scopes": "x", "jwks": "{}"}).status_code == 400
    assert client_for(prescriber).get("/fhir/smart-clients/").status_code == 403
