"""Two systems PUT the same Condition from the same version at the same moment: one correction wins,
the other gets 409 and writes nothing (no lost update). Real concurrent transactions on PostgreSQL
(threads, each with its own connection), bounded in time; on SQLite one after the other."""

import json

import pytest
from django.test import Client

from ketamine_clinic.accounts.services import create_token
from ketamine_clinic.patients import services as patient_services
from ketamine_clinic.patients.models import Diagnosis, Revision
from tests.support.concurrency import race
from tests.support.people import ctx_for

from .support import fhir, ok

ROUNDS = 3


@pytest.mark.django_db(transaction=True)
def test_two_puts_from_the_same_version_one_wins(nurse, prescriber, patient):
    tokens = [create_token(None, nurse), create_token(None, prescriber)]
    for n in range(ROUNDS):
        diagnosis = patient_services.add_subrecord(ctx_for(nurse), patient, "diagnosis", {"icd10_code": "F33.2"})
        current = ok(fhir(nurse, "get", f"/Condition/{diagnosis.public_id}"))

        def send(token, code):
            body = dict(current, code={"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": code}]})
            return Client().put(f"/fhir/r4/Condition/{diagnosis.public_id}", json.dumps(body),
                                content_type="application/fhir+json", HTTP_AUTHORIZATION=f"Bearer {token}").status_code

        statuses = race(*(lambda t=t, code=code: send(t, code) for t, code in zip(tokens, ("F32.1", "F32.2"))))
        assert sorted(statuses) == [200, 409]
        diagnosis.refresh_from_db()
        assert diagnosis.version == 2 and diagnosis.icd10_code in ("F32.1", "F32.2")
        assert Revision.objects.filter(record_type="diagnosis", record_id=diagnosis.public_id).count() == 2
        assert Diagnosis.objects.filter(patient=patient).count() == n + 1
