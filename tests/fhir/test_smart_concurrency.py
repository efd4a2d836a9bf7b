"""The same client assertion sent twice at the same moment gets exactly one token: the jti unique
constraint decides, under real concurrent transactions on PostgreSQL (threads, each with its own
connection, bounded in time); SQLite's in-memory test database runs the two requests one after another."""

import json

import pytest
from django.test import Client
from joserfc.jwk import RSAKey

from ketamine_clinic.fhir.smart import services
from ketamine_clinic.fhir.smart.models import SmartAccessToken
from tests.support.concurrency import race
from tests.support.people import ctx_for

from .test_smart import assertion

ROUNDS = 3


@pytest.mark.django_db(transaction=True)
def test_a_replay_racing_the_original_is_refused(clinic_admin, prescriber):
    key = RSAKey.generate_key(2048, parameters={"kid": "race"})
    client = services.register_client(ctx_for(clinic_admin), "Racer", json.dumps({"keys": [key.as_dict(private=False)]}),
                                      "system/Patient.read", prescriber)
    for n in range(ROUNDS):
        signed = assertion(client.client_id, key, jti=f"race-{n}")

        def send():
            return Client().post("/fhir/r4/auth/token", {
                "grant_type": "client_credentials", "scope": "system/Patient.read", "client_assertion": signed,
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}).status_code

        statuses = race(send, send)
        assert sorted(statuses) == [200, 401]
    assert SmartAccessToken.objects.count() == ROUNDS
