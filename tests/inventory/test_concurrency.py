"""Two nurses drawing from the same vial at the same moment can never take more than it holds.
Real concurrent transactions on PostgreSQL (threads, each with its own connection), bounded in
time; SQLite's in-memory test database runs the same workers one after another."""

from decimal import Decimal

import pytest

from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.inventory import services
from ketamine_clinic.inventory.models import LedgerEvent
from ketamine_clinic.inventory.services._common import container_balance

from tests.support.concurrency import label, race
from tests.support.people import ctx_for


@pytest.mark.django_db(transaction=True)
def test_two_nurses_drawing_at_once_never_overdraw_a_vial(nurse, prescriber, patient, vials):
    vial = vials[0]
    for n, mg in enumerate(("300", "200", "1")):  # 300 + 300 > 500: one of the first pair must be refused
        outcomes = race(*(lambda u=u: services.draw(ctx_for(u), {"container": vial.public_id, "patient": patient.public_id,
                                                                 "quantity_mg": mg})
                          for u in (nurse, prescriber)), expect=(ValidationFailed,))
        if n == 0:
            assert label(outcomes) == ["ok", "validationfailed"]  # 300 then 300 would be 600 mg from a 500 mg vial
        held = container_balance(vial)
        assert held.mg >= 0 and held.ml >= 0
    drawn = sum(e.quantity_mg for e in LedgerEvent.objects.filter(container=vial, event_type="draw"))
    assert drawn + container_balance(vial).mg == Decimal("500")
