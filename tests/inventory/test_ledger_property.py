"""Hypothesis through the real services and database: any sequence of draws, administrations,
wastes, returns, destructions and corrections keeps the container's balance at zero or above, and
the derived balance always equals the signed sum of its stored events (summed here in SQL)."""

from decimal import Decimal

import pytest
from django.db.models import Q, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.inventory import services
from ketamine_clinic.inventory.models import Draw, LedgerEvent
from ketamine_clinic.inventory.rules.ledger import EFFECT
from ketamine_clinic.inventory.services._common import container_balance
from ketamine_clinic.inventory.services.draws import draw_open_quantity

from tests.support.people import ctx_for
from tests.support.inventory import receive

pytestmark = pytest.mark.django_db

OPS = st.lists(st.tuples(st.sampled_from(["draw", "administer", "waste", "return", "destroy", "correct"]),
                         st.decimals(min_value=Decimal("0.01"), max_value=Decimal("6"), places=2)), min_size=1, max_size=12)


def _sql_sum(container, unit: str) -> Decimal:
    """Signed sum of the container's events, straight from the table (corrections negate their target)."""
    events = LedgerEvent.objects.filter(container=container)
    total = Decimal(0)
    for sign in (1, -1):
        types = [t.value for t, e in EFFECT.items() if e == sign]
        direct = events.filter(event_type__in=types).aggregate(s=Sum(f"quantity_{unit}"))["s"] or 0
        reversed_ = events.filter(event_type="correction", corrects__event_type__in=types).aggregate(s=Sum(f"quantity_{unit}"))["s"] or 0
        total += sign * (direct - reversed_)
    return total


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=OPS)
def test_any_sequence_of_services_keeps_the_balance_non_negative_and_equal_to_the_sum(
        ops, clinic_admin, nurse, patient, location, registration, supplier, ketamine):
    for key in ("waste", "destroy"):  # witnesses are tested elsewhere; here they would only slow the search
        change_setting(ctx_for(clinic_admin), f"inventory.witness.{key}", False, "property test")
    vial = receive(clinic_admin, location, supplier, ketamine, count=1).containers.get()
    for op, ml in ops:
        draw = Draw.objects.filter(container=vial).order_by("-id").first()
        try:
            if op == "draw":
                services.draw(ctx_for(nurse), {"container": vial.label, "patient": patient.public_id, "quantity_ml": str(ml)})
            elif op in ("administer", "waste", "return") and draw is not None:
                service = {"administer": services.administer, "waste": services.waste, "return": services.return_to_stock}[op]
                service(ctx_for(nurse), {"draw": draw.public_id, "quantity_ml": str(ml)})
            elif op == "destroy":
                services.destroy(ctx_for(clinic_admin), {"container": vial.label, "quantity_ml": str(ml), "method": "digest",
                                                         "reason": "test"})
            elif op == "correct" and LedgerEvent.objects.filter(container=vial, event_type="receive", correction__isnull=True).exists():
                last = LedgerEvent.objects.filter(container=vial).exclude(Q(event_type__in=["correction", "count"]) |
                                                                           Q(correction__isnull=False)).last()
                services.correct(ctx_for(clinic_admin), {"event": last.public_id, "reason": "test"})
        except ValidationFailed:
            pass  # refused: nothing written (the sums below would show a half-written event)
        held = container_balance(vial)
        assert held.mg >= 0 and held.ml >= 0
        assert (held.mg, held.ml) == (_sql_sum(vial, "mg"), _sql_sum(vial, "ml"))
        for each in Draw.objects.filter(container=vial):
            assert draw_open_quantity(each).mg >= 0
