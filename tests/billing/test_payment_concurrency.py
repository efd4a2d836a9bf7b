"""Two payments at once on one invoice never over-apply it: the invoice row is locked and each
payment checks the true balance. Real concurrent transactions on PostgreSQL (threads, each with its
own connection), bounded in time; SQLite runs the workers one after another."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from ketamine_clinic.billing import services
from ketamine_clinic.billing.models import LedgerEntry
from ketamine_clinic.core.errors import ValidationFailed

from tests.support.people import ctx_for

ROUNDS, BOUND_SECONDS = 3, 60


@pytest.mark.django_db(transaction=True)
def test_two_payments_of_the_whole_balance_at_once_apply_only_one(finalized_visit, front_desk, biller):
    concurrent = connection.vendor == "postgresql"
    for n in range(ROUNDS):
        invoice = services.issue_invoice(ctx_for(front_desk), finalized_visit(days_ago=n))
        barrier, errors, outcomes = threading.Barrier(2), [], []

        def pay(user):
            try:
                if concurrent:
                    barrier.wait(timeout=30)
                services.record_payment(ctx_for(user), invoice, {"method": "cash", "amount_usd": "520.00"})
                outcomes.append("paid")
            except ValidationFailed as exc:
                outcomes.append("refused" if "More than the balance" in exc.errors["amount_usd"][0] else repr(exc))
            except Exception as exc:  # reported below, never swallowed
                errors.append(repr(exc))
            finally:
                connection.close()

        workers = [threading.Thread(target=pay, args=(u,), daemon=True) for u in (front_desk, biller)]
        for w in workers:
            w.start()
            if not concurrent:
                w.join(BOUND_SECONDS)
        for w in workers:
            w.join(BOUND_SECONDS)
        assert not any(w.is_alive() for w in workers), "a writer hung"
        assert errors == []
        assert sorted(outcomes) == ["paid", "refused"]
        assert LedgerEntry.objects.filter(invoice=invoice).count() == 1
        assert services.balance_of(invoice) == Decimal("0.00")
