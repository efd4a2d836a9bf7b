"""Money parsing, estimate deadlines and dispute threshold, instalments. No database."""

import datetime as dt
from decimal import Decimal

import pytest

from ketamine_clinic.billing.rules.money import (
    MoneyError, exceeds_estimate, gfe_due_date, instalments, parse_money, parse_whole_units,
)

D = Decimal


@pytest.mark.parametrize("raw, value", [("125", D("125.00")), ("125.5", D("125.50")), ("$1,200.00", D("1200.00")),
                                        (0.1, D("0.10"))])
def test_parse_money_accepts_cents(raw, value):
    assert parse_money(raw) == value


@pytest.mark.parametrize("raw, message", [("12.345", "2 decimal"), ("-5", "negative"), ("abc", "amount such as"),
                                          ("NaN", "amount such as"), (0.1 + 0.2, "2 decimal")])
def test_parse_money_refuses_bad_amounts(raw, message):
    with pytest.raises(MoneyError, match=message):
        parse_money(raw)


@pytest.mark.parametrize("raw, ok", [("2", 2), ("2.0", 2), ("2.5", None), ("0", None)])
def test_whole_units(raw, ok):
    if ok is None:
        with pytest.raises(MoneyError):
            parse_whole_units(raw)
    else:
        assert parse_whole_units(raw) == ok


@pytest.mark.parametrize("billed, estimated, over", [(D("1399.99"), D("1000"), False), (D("1400"), D("1000"), True)])
def test_dispute_threshold_is_400_dollars(billed, estimated, over):  # source: cfr-149-620
    assert exceeds_estimate(billed, estimated) is over


MON = dt.date(2026, 12, 7)


@pytest.mark.parametrize("service_on, requested, due", [
    (None, True, dt.date(2026, 12, 10)),  # request: 3 business days
    (MON + dt.timedelta(days=14), False, dt.date(2026, 12, 10)),  # >= 10 business days ahead: 3
    (MON + dt.timedelta(days=5), False, dt.date(2026, 12, 8)),  # >= 3 business days ahead: 1
    (MON + dt.timedelta(days=2), False, None),  # sooner: not required
])
def test_gfe_deadlines(service_on, requested, due):  # source: cfr-149-610
    assert gfe_due_date(asked_on=MON, service_on=service_on, requested=requested) == due


def test_friday_request_counts_business_days():
    assert gfe_due_date(asked_on=dt.date(2026, 12, 4), service_on=None, requested=True) == dt.date(2026, 12, 9)


@pytest.mark.parametrize("asked_on, service_on, requested, due", [
    (dt.date(2026, 11, 25), None, True, dt.date(2026, 12, 1)),  # Thanksgiving and the weekend skipped
    (dt.date(2026, 12, 23), None, True, dt.date(2026, 12, 29)),  # Christmas Friday skipped
    # 9 business days to 2027-01-05 (not 10): Christmas and New Year's Day do not count -> 1 business day
    (dt.date(2026, 12, 21), dt.date(2027, 1, 5), False, dt.date(2026, 12, 22)),
    # 2 business days ahead (Wednesday, Friday) across Thanksgiving, not 3: no estimate required
    (dt.date(2026, 11, 24), dt.date(2026, 11, 27), False, None),
])
def test_gfe_deadlines_skip_us_federal_holidays(asked_on, service_on, requested, due):  # source: cfr-149-610
    assert gfe_due_date(asked_on=asked_on, service_on=service_on, requested=requested) == due


def test_instalments_sum_to_total_without_interest():
    parts = instalments(D("1000.00"), 3)
    assert parts == [D("333.34"), D("333.33"), D("333.33")] and sum(parts) == D("1000.00")
