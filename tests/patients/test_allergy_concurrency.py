"""'No known allergies' and a new allergy recorded at the same moment by two nurses: the chart never
ends up claiming both. Real concurrent transactions on PostgreSQL (threads, each with its own
connection), bounded in time; SQLite's in-memory test database runs the same workers one after
another (it serializes writers anyway)."""

import threading

import pytest
from django.db import connection

from ketamine_clinic.core.errors import Conflict
from ketamine_clinic.patients import services
from ketamine_clinic.patients.models import Patient, RecordStatus

from tests.support.people import PATIENT_DATA, ctx_for

ROUNDS, BOUND_SECONDS = 4, 60


@pytest.mark.django_db(transaction=True)
def test_no_known_allergies_and_an_allergy_at_once_never_both_stand(nurse, prescriber, front_desk):
    concurrent = connection.vendor == "postgresql"
    for n in range(ROUNDS):
        patient = services.register_patient(ctx_for(front_desk), dict(PATIENT_DATA, given_name=f"Race{n}"))
        barrier, errors, outcomes = threading.Barrier(2), [], []

        def nka():
            try:
                if concurrent:
                    barrier.wait(timeout=30)
                services.record_no_known_allergies(ctx_for(nurse), patient)
                outcomes.append("nka")
            except Conflict:
                outcomes.append("nka refused")
            except Exception as exc:  # reported below, never swallowed
                errors.append(repr(exc))
            finally:
                connection.close()

        def allergy():
            try:
                if concurrent:
                    barrier.wait(timeout=30)
                services.add_subrecord(ctx_for(prescriber), patient, "allergy", {"substance": f"Latex {n}", "severity": "mild"})
                outcomes.append("allergy")
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                connection.close()

        workers = [threading.Thread(target=f, daemon=True) for f in ((nka, allergy) if n % 2 else (allergy, nka))]
        for w in workers:
            w.start()
            if not concurrent:
                w.join(BOUND_SECONDS)
        for w in workers:
            w.join(BOUND_SECONDS)
        assert not any(w.is_alive() for w in workers), "a writer hung"
        assert errors == []
        fresh = Patient.objects.get(pk=patient.pk)
        assert fresh.allergies.filter(status=RecordStatus.ACTIVE).count() == 1  # the allergy is never lost
        assert fresh.no_known_allergies_at is None  # and "no known allergies" never stands beside it
        assert "allergy" in outcomes
