"""The same client assertion sent twice at the same moment gets exactly one token: the jti unique
constraint decides, under real concurrent transactions on PostgreSQL (threads, each with its own
connection, bounded in time); SQLite's in-memory test database runs the two requests one after another."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client
from joserfc.jwk import RSAKey

from ketamine_clinic.fhir.smart import services
from ketamine_clinic.fhir.smart.models import SmartAccessToken
from tests.support.people import ctx_for

from .test_smart import assertion

ROUNDS, BOUND_SECONDS = 3, 60


@pytest.mark.django_db(transaction=True)
def test_a_replay_racing_the_original_is_refused(clinic_admin, prescriber):
    concurrent = connection.vendor == "postgresql"
    key = RSAKey.generate_key(2048, parameters={"kid": "race"})
    client = services.register_client(ctx_for(clinic_admin), "Racer", json.dumps({"keys": [key.as_dict(private=False)]}),
                                      "system/Patient.read", prescriber)
    for n in range(ROUNDS):
        signed = assertion(client.client_id, key, jti=f"race-{n}")
        barrier, statuses, errors = threading.Barrier(2), [], []

        def send():
            try:
                if concurrent:
                    barrier.wait(timeout=30)
                response = Client().post("/fhir/r4/auth/token", {
                    "grant_type": "client_credentials", "scope": "system/Patient.read", "client_assertion": signed,
                    "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"})
                statuses.append(response.status_code)
            except Exception as exc:  # reported below, never swallowed
                errors.append(repr(exc))
            finally:
                connection.close()

        workers = [threading.Thread(target=send, daemon=True) for _ in range(2)]
        for w in workers:
            w.start()
            if not concurrent:
                w.join(BOUND_SECONDS)
        for w in workers:
            w.join(BOUND_SECONDS)
        assert not any(w.is_alive() for w in workers), "a request hung"
        assert errors == []
        assert sorted(statuses) == [200, 401]
    assert SmartAccessToken.objects.count() == ROUNDS
