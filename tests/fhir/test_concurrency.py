"""Two systems send a transaction Bundle for the same new patient (same MRN) at the same moment: one
wins, the other gets 409 and writes nothing (no half bundle, no duplicate). Real concurrent
transactions on PostgreSQL (threads, each with its own connection), bounded in time; SQLite's
in-memory test database runs the same requests one after another."""

import json

import pytest
from django.test import Client

from ketamine_clinic.accounts.services import create_token
from ketamine_clinic.patients.models import Diagnosis, Patient

from tests.support.concurrency import race

from .samples import condition_resource, patient_resource

ROUNDS = 3


def _bundle(mrn):
    ref = "urn:uuid:new-patient"
    return {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": ref, "resource": patient_resource(mrn=mrn), "request": {"method": "POST", "url": "Patient"}},
        {"fullUrl": "urn:uuid:dx", "resource": condition_resource(ref), "request": {"method": "POST", "url": "Condition"}},
    ]}


@pytest.mark.django_db(transaction=True)
def test_the_same_patient_sent_twice_at_once_is_created_once(nurse, prescriber):
    tokens = [create_token(None, nurse), create_token(None, prescriber)]
    for n in range(ROUNDS):
        mrn = f"RACE-{n}"
        statuses = race(*(lambda t=t: Client().post("/fhir/r4", json.dumps(_bundle(mrn)), content_type="application/fhir+json",
                                                    HTTP_AUTHORIZATION=f"Bearer {t}").status_code
                          for t in tokens))
        assert sorted(statuses) == [200, 409]
        patient = Patient.objects.get(mrn=mrn)
        assert Diagnosis.objects.filter(patient=patient).count() == 1
