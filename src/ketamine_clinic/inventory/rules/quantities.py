"""Drug quantities as Decimal mg and mL, never floats. A quantity is entered in mg or in mL; the
other unit follows from the product's concentration. Over-precise input is refused, not rounded."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MG_PLACES = 3  # 0.001 mg: finer than any dose is measured
ML_PLACES = 3  # 0.001 mL: finer than a 1 mL syringe's 0.01 mL graduation
STORED_ML_PLACES = 4  # mL derived from mg are kept to 0.0001 mL
MAX_QUANTITY = Decimal("1000000")


@dataclass(frozen=True)
class Quantity:
    mg: Decimal
    ml: Decimal

    def __add__(self, other: "Quantity") -> "Quantity":
        return Quantity(self.mg + other.mg, self.ml + other.ml)

    def __neg__(self) -> "Quantity":
        return Quantity(-self.mg, -self.ml)

    def scaled(self, factor: int) -> "Quantity":
        return Quantity(self.mg * factor, self.ml * factor)


ZERO = Quantity(Decimal(0), Decimal(0))


class QuantityError(ValueError):
    """Bad quantity input; ``field`` is "quantity_mg" or "quantity_ml"."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def parse_amount(raw, unit: str, places: int) -> Decimal:
    """A positive Decimal with at most ``places`` decimals; raises ValueError with a message."""
    if raw is None or isinstance(raw, bool) or isinstance(raw, float):
        raise ValueError(f"Enter the quantity in {unit} as a decimal number.")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(f"Enter the quantity in {unit} as a decimal number.") from None
    if not value.is_finite():
        raise ValueError(f"Enter the quantity in {unit} as a decimal number.")
    if value <= 0:
        raise ValueError(f"The quantity must be more than 0 {unit}.")
    if value >= MAX_QUANTITY:
        raise ValueError(f"The quantity must be under {MAX_QUANTITY} {unit}.")
    if -value.as_tuple().exponent > places and value != value.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(f"At most {places} decimals in {unit}.")
    return value.quantize(Decimal(1).scaleb(-places)) if places else value


def quantity_from(*, mg=None, ml=None, concentration_mg_per_ml: Decimal) -> Quantity:
    """The quantity in both units from one of them; raises QuantityError naming the field."""
    if (mg in (None, "")) == (ml in (None, "")):
        raise QuantityError("quantity_mg", "Enter the quantity in mg or in mL (one of them).")
    if ml not in (None, ""):
        try:
            volume = parse_amount(ml, "mL", ML_PLACES)
        except ValueError as exc:
            raise QuantityError("quantity_ml", str(exc)) from None
        return Quantity((volume * concentration_mg_per_ml).quantize(Decimal("0.0001")), volume)
    try:
        amount = parse_amount(mg, "mg", MG_PLACES)
    except ValueError as exc:
        raise QuantityError("quantity_mg", str(exc)) from None
    volume = (amount / concentration_mg_per_ml).quantize(Decimal(1).scaleb(-STORED_ML_PLACES))
    return Quantity(amount, volume)


def fit_remainder(qty: Quantity, available: Quantity) -> Quantity:
    """``qty`` taken from ``available``: the whole remainder when the mg match, and never more mL
    than are left when only the rounding of mg to mL would overshoot (mg are authoritative)."""
    if qty.mg == available.mg:
        return available
    if qty.mg < available.mg and qty.ml > available.ml:
        return Quantity(qty.mg, available.ml)
    return qty
