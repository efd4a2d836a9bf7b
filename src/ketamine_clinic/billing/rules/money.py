"""Money rules: amounts as Decimal with at most 2 places, the good-faith estimate deadlines and
dispute threshold (45 CFR 149.610/149.620), and payment-plan instalments (Reg Z)."""

import datetime as dt
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from ketamine_clinic.core.business_days import add_business_days, business_days_between

CENT = Decimal("0.01")
DISPUTE_THRESHOLD_USD = Decimal("400")  # billed >= $400 above the estimate (source: cfr-149-620)
DISPUTE_WINDOW_DAYS = 120  # calendar days from the initial bill (source: cfr-149-620)
GFE_MAX_RECURRING_MONTHS = 12  # one estimate may cover up to 12 months (source: cfr-149-610)
TILA_MAX_INSTALMENTS = 4  # more makes the clinic a creditor under Reg Z (source: reg-z-1026)


class MoneyError(ValueError):
    pass


def parse_money(raw, *, allow_zero: bool = True, allow_negative: bool = False) -> Decimal:
    """A money amount from text or a number: at most 2 decimal places, never a float's artefacts."""
    if isinstance(raw, float):
        raw = repr(raw)
    text = str(raw if raw is not None else "").strip().replace(",", "").removeprefix("$")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise MoneyError("Enter an amount such as 125.00.") from None
    if not value.is_finite():
        raise MoneyError("Enter an amount such as 125.00.")
    if value != value.quantize(CENT, rounding=ROUND_DOWN):
        raise MoneyError("Use at most 2 decimal places (cents).")
    if value < 0 and not allow_negative:
        raise MoneyError("The amount cannot be negative.")
    if value == 0 and not allow_zero:
        raise MoneyError("The amount must be more than zero.")
    if abs(value) >= Decimal("100000000"):
        raise MoneyError("The amount is too large.")
    return value.quantize(CENT)


def parse_whole_units(raw) -> int:
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise MoneyError("Enter a whole number of units.") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise MoneyError("Enter a whole number (no fractions).")
    if value < 1:
        raise MoneyError("At least 1 unit.")
    if value > 9999:
        raise MoneyError("At most 9999 units.")
    return int(value)


def exceeds_estimate(billed: Decimal, estimated: Decimal) -> bool:
    """True when the bill is at least $400 above the estimate: the patient must hear of the dispute process."""
    return billed - estimated >= DISPUTE_THRESHOLD_USD


def gfe_due_date(*, asked_on: dt.date, service_on: dt.date | None, requested: bool) -> dt.date | None:
    """When a good-faith estimate is due (source: cfr-149-610; CMS-10791), in business days
    (Monday-Friday except US federal holidays, ``core.business_days``):
    requested by the patient -> 3 business days; scheduled >= 10 business days ahead -> 3;
    scheduled >= 3 business days ahead -> 1; scheduled sooner -> not required (None)."""
    if requested:
        return add_business_days(asked_on, 3)
    if service_on is None:
        return None
    ahead = business_days_between(asked_on, service_on)
    if ahead >= 10:
        return add_business_days(asked_on, 3)
    if ahead >= 3:
        return add_business_days(asked_on, 1)
    return None


def instalments(total: Decimal, count: int) -> list[Decimal]:
    """Equal instalments to the cent, the remainder on the first; no interest, no fees."""
    if count < 1:
        raise MoneyError("At least one instalment.")
    base = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    first = total - base * (count - 1)
    return [first] + [base] * (count - 1)
