"""Shared plumbing of the session core: the input error, clinic-setting lookup, number checks.

Internal to ``clinical.session``; the public names are re-exported from the package.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..clinic_policy import Setting

# A clinic's overrides: setting key -> value. Keys it does not override fall back to the
# shipped default of the Setting. ``None`` means "all defaults".
Policy = Mapping[str, object] | None


class SessionInputError(ValueError):
    """Bad input to the session core. ``field`` names the input, ``message`` says what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class PolicyValueError(SessionInputError):
    """A clinic setting override has the wrong type or leaves its allowed bounds."""


def settings_by_key(settings: tuple[Setting, ...]) -> dict[str, Setting]:
    keys = [s.key for s in settings]
    if len(keys) != len(set(keys)):
        raise RuntimeError("duplicate setting key")
    return {s.key: s for s in settings}


def setting_value(settings: Mapping[str, Setting], policy: Policy, key: str):
    """The clinic's value for ``key`` (checked against the Setting's type and bounds) or its default."""
    setting = settings[key]
    if policy is None or key not in policy:
        return setting.default
    value = policy[key]
    default = setting.default
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise PolicyValueError(key, "must be true or false")
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise PolicyValueError(key, "must be text")
        return value
    if isinstance(default, Decimal):
        number = to_decimal(value, key, allow_zero=True)
    elif isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise PolicyValueError(key, "must be a whole number")
        number = value
    else:
        number = to_decimal(value, key, allow_zero=True)
    if setting.minimum is not None and number < Decimal(str(setting.minimum)):
        raise PolicyValueError(key, f"must be at least {setting.minimum} {setting.unit}".rstrip())
    if setting.maximum is not None and number > Decimal(str(setting.maximum)):
        raise PolicyValueError(key, f"must be at most {setting.maximum} {setting.unit}".rstrip())
    return number


def to_decimal(
    value: object,
    field: str,
    *,
    allow_zero: bool = False,
    error: type[SessionInputError] = SessionInputError,
) -> Decimal:
    """``value`` as a finite, non-negative Decimal (positive unless ``allow_zero``)."""
    if value is None:
        raise error(field, "is required")
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise error(field, f"must be a number, not {type(value).__name__}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise error(field, "must be a finite number")
        value = repr(value)  # 0.1 stays 0.1, not its binary expansion
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        raise error(field, f"{value!r} is not a number") from None
    if not number.is_finite():
        raise error(field, "must be a finite number")
    if number < 0:
        raise error(field, "must not be negative")
    if number == 0 and not allow_zero:
        raise error(field, "must be greater than zero")
    return number


def to_whole(value: object, field: str, *, error: type[SessionInputError] = SessionInputError) -> int:
    """``value`` as an int; accepts integral floats/Decimals, rejects bool, NaN and fractions."""
    if isinstance(value, bool) or value is None:
        raise error(field, "must be a whole number" if value is not None else "is required")
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            raise error(field, "must be a finite number")
        if isinstance(value, Decimal) and not value.is_finite():
            raise error(field, "must be a finite number")
        if value != int(value):
            raise error(field, "must be a whole number")
        return int(value)
    raise error(field, f"must be a whole number, not {type(value).__name__}")


def round_to(value: Decimal, increment: Decimal) -> Decimal:
    """Round half up to a multiple of ``increment`` (0.1 -> one decimal place)."""
    steps = (value / increment).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (steps * increment).quantize(increment)


def require_aware(value: object, field: str, *, error: type[SessionInputError] = SessionInputError) -> datetime:
    """A timezone-aware datetime, or ``error``."""
    if value is None:
        raise error(field, "is required")
    if not isinstance(value, datetime):
        raise error(field, f"must be a date and time, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise error(field, "must carry a time zone")
    return value


def minutes_between(start: datetime, end: datetime) -> Decimal:
    seconds = Decimal(str((end - start).total_seconds()))
    return seconds / Decimal(60)
