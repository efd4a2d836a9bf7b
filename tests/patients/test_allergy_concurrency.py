"""'No known allergies' and a new allergy recorded at the same moment by two nurses: the chart never
ends up claiming both. Real concurrent transactions on PostgreSQL (threads, each with its own
connection), bounded in time; SQLite's in-memory test database runs the same workers one after
another (it serializes writers anyway)."""

import pytest

from ketamine_clinic.core.errors import Conflict
from ketamine_clinic.patients import services
from ketamine_clinic.patients.models import Patient, RecordStatus

from tests.support.concurrency import race
from tests.support.people import PATIENT_DATA, ctx_for

ROUNDS = 4


@pytest.mark.django_db(transaction=True)
def test_no_known_allergies_and_an_allergy_at_once_never_both_stand(nurse, prescriber, front_desk):
    for n in range(ROUNDS):
        patient = services.register_patient(ctx_for(front_desk), dict(PATIENT_DATA, given_name=f"Race{n}"))

        def nka():
            services.record_no_known_allergies(ctx_for(nurse), patient)
            return "nka"

        def allergy():
            services.add_subrecord(ctx_for(prescriber), patient, "allergy", {"substance": f"Latex {n}", "severity": "mild"})
            return "allergy"

        outcomes = race(*((nka, allergy) if n % 2 else (allergy, nka)), expect=(Conflict,))
        fresh = Patient.objects.get(pk=patient.pk)
        assert fresh.allergies.filter(status=RecordStatus.ACTIVE).count() == 1  # the allergy is never lost
        assert fresh.no_known_allergies_at is None  # and "no known allergies" never stands beside it
        assert "allergy" in outcomes
