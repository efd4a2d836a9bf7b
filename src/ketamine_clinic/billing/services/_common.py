"""Input checks shared by the billing services: text within its field, money, dates, audit rows."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from ketamine_clinic.audit.services import record
from ketamine_clinic.core.errors import ValidationFailed

from ..rules.money import MoneyError, parse_money, parse_whole_units


class Errors:
    """Collects field errors; ``raise_if_any`` raises one ValidationFailed with all of them."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)

    def text(self, data: dict, field: str, max_chars: int, *, required: bool = False, label: str = "This field") -> str:
        raw = data.get(field)
        value = "" if raw is None else str(raw).strip()
        if required and not value:
            self.add(field, f"{label} is required.")
        elif len(value) > max_chars:
            self.add(field, f"At most {max_chars} characters (this has {len(value)}).")
        return value

    def money(self, data: dict, field: str, *, required: bool = True, allow_negative: bool = False,
              allow_zero: bool = True) -> Decimal | None:
        raw = data.get(field)
        if raw in (None, ""):
            if required:
                self.add(field, "Enter an amount.")
            return None
        try:
            return parse_money(raw, allow_negative=allow_negative, allow_zero=allow_zero)
        except MoneyError as exc:
            self.add(field, str(exc))
            return None

    def units(self, data: dict, field: str, default: int | None = None, fraction_message: str = "") -> int | None:
        raw = data.get(field)
        if raw in (None, ""):
            if default is None:
                self.add(field, "Enter the units.")
            return default
        try:
            return parse_whole_units(raw)
        except MoneyError as exc:
            fraction = "no fractions" in str(exc)
            self.add(field, fraction_message if fraction and fraction_message else str(exc))
            return None

    def minutes(self, data: dict, field: str) -> int | None:
        raw = data.get(field)
        if raw in (None, ""):
            return None
        try:
            value = Decimal(str(raw).strip())
            if not value.is_finite() or value != value.to_integral_value() or not 0 <= value <= 1440:
                raise InvalidOperation
            return int(value)
        except InvalidOperation:
            self.add(field, "Enter whole minutes from 0 to 1440.")
            return None

    def date(self, data: dict, field: str, *, required: bool = True) -> dt.date | None:
        raw = data.get(field)
        if raw in (None, ""):
            if required:
                self.add(field, "Enter a date (YYYY-MM-DD).")
            return None
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            self.add(field, "Enter a date (YYYY-MM-DD).")
            return None

    def digits(self, data: dict, field: str, length: int, *, required: bool = True, label: str = "") -> str:
        value = self.text(data, field, length + 4, required=required, label=label or "This field")
        value = value.replace("-", "")
        if value and (not value.isdigit() or len(value) != length):
            self.add(field, f"Enter {length} digits.")
        return value


def flag(data: dict, field: str) -> bool:
    raw = data.get(field)
    if isinstance(raw, bool):
        return raw
    return str(raw or "").strip().lower() in ("1", "true", "on", "yes")


def audit(ctx, action: str, obj, patient=None, detail: dict | None = None) -> None:
    record(ctx, action, obj=obj, patient=patient, organization=ctx.user.organization, detail=detail or {})
