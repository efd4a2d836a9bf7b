"""Two payments at once on one invoice never over-apply it: the invoice row is locked and each
payment checks the true balance. Real concurrent transactions on PostgreSQL (threads, each with its
own connection), bounded in time; SQLite runs the workers one after another."""

from decimal import Decimal

import pytest

from ketamine_clinic.billing import services
from ketamine_clinic.billing.models import LedgerEntry
from ketamine_clinic.core.errors import ValidationFailed

from tests.support.concurrency import label, race
from tests.support.people import ctx_for

ROUNDS = 3


@pytest.mark.django_db(transaction=True)
def test_two_payments_of_the_whole_balance_at_once_apply_only_one(finalized_visit, front_desk, biller):
    for n in range(ROUNDS):
        invoice = services.issue_invoice(ctx_for(front_desk), finalized_visit(days_ago=n))
        outcomes = race(*(lambda u=u: services.record_payment(ctx_for(u), invoice, {"method": "cash", "amount_usd": "520.00"})
                          for u in (front_desk, biller)), expect=(ValidationFailed,))
        assert label(outcomes) == ["ok", "validationfailed"]
        refused = next(o for o in outcomes if isinstance(o, ValidationFailed))
        assert "More than the balance" in refused.errors["amount_usd"][0]
        assert LedgerEntry.objects.filter(invoice=invoice).count() == 1
        assert services.balance_of(invoice) == Decimal("0.00")
