"""Two nurses drawing from the same vial at the same moment can never take more than it holds.
Real concurrent transactions on PostgreSQL (threads, each with its own connection), bounded in
time; SQLite's in-memory test database runs the same workers one after another."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.inventory import services
from ketamine_clinic.inventory.models import LedgerEvent
from ketamine_clinic.inventory.services._common import container_balance

from tests.support.people import ctx_for

BOUND_SECONDS = 60


@pytest.mark.django_db(transaction=True)
def test_two_nurses_drawing_at_once_never_overdraw_a_vial(nurse, prescriber, patient, vials):
    concurrent = connection.vendor == "postgresql"
    vial = vials[0]
    for n, mg in enumerate(("300", "200", "1")):  # 300 + 300 > 500: one of the first pair must be refused
        barrier, errors, outcomes = threading.Barrier(2), [], []

        def worker(user):
            try:
                if concurrent:
                    barrier.wait(timeout=30)
                services.draw(ctx_for(user), {"container": vial.public_id, "patient": patient.public_id, "quantity_mg": mg})
                outcomes.append("drawn")
            except ValidationFailed as exc:
                outcomes.append(exc.errors)
            except Exception as exc:  # reported below, never swallowed
                errors.append(repr(exc))
            finally:
                connection.close()

        workers = [threading.Thread(target=worker, args=(u,), daemon=True) for u in (nurse, prescriber)]
        for w in workers:
            w.start()
            if not concurrent:
                w.join(BOUND_SECONDS)
        for w in workers:
            w.join(BOUND_SECONDS)
        assert not any(w.is_alive() for w in workers), "a draw hung"
        assert errors == []
        if n == 0:
            assert outcomes.count("drawn") == 1  # 300 then 300 would be 600 mg from a 500 mg vial
        held = container_balance(vial)
        assert held.mg >= 0 and held.ml >= 0
    drawn = sum(e.quantity_mg for e in LedgerEvent.objects.filter(container=vial, event_type="draw"))
    assert drawn + container_balance(vial).mg == Decimal("500")
