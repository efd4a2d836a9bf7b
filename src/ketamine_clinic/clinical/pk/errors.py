"""Input errors of the PK engine: one exception class with ``field`` and a plain-English ``message``.

The web layer turns a ``PKInputError`` into a 4xx answer ``{"errors": {field: [message]}}``.
"""

from __future__ import annotations

import math
from decimal import Decimal
from numbers import Real


class PKInputError(ValueError):
    """Bad input to the PK engine: ``field`` names the input (``"doses[1].mg"``), ``message`` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


def require_number(
    value: object,
    field: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
) -> float:
    """``value`` as a finite float within bounds, or a ``PKInputError`` naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
        raise PKInputError(field, f"must be a number, got {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise PKInputError(field, "must be a finite number")
    if minimum is not None:
        if exclusive_minimum and number <= minimum:
            raise PKInputError(field, f"must be greater than {minimum:g}")
        if not exclusive_minimum and number < minimum:
            raise PKInputError(field, f"must be at least {minimum:g}")
    if maximum is not None and number > maximum:
        raise PKInputError(field, f"must be at most {maximum:g}")
    return number


def require_int(value: object, field: str, *, minimum: int, maximum: int) -> int:
    """``value`` as an int within [minimum, maximum] (bools and floats with a fraction refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, Real)):
        raise PKInputError(field, f"must be a whole number, got {type(value).__name__}")
    if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
        raise PKInputError(field, "must be a whole number")
    number = int(value)
    if number < minimum or number > maximum:
        raise PKInputError(field, f"must be between {minimum} and {maximum}")
    return number
