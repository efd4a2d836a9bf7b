"""Small helpers that read a JSON-like dict field by field and collect every error.

Readers return the parsed value, or ``BAD`` after recording an error, so parsing continues and the
caller sees all field errors at once.
"""

import math
from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class _Bad:
    def __repr__(self) -> str:
        return "BAD"


BAD: Any = _Bad()
_ABSENT = object()


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Reader:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def error(self, field: str, message: str) -> Any:
        self.errors.setdefault(field or "(evaluation)", []).append(message)
        return BAD

    # -- structure --------------------------------------------------------------------------

    def obj(self, data: object, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> Mapping | None:
        """``data`` as a mapping; records unknown and missing keys. ``None`` if not a mapping."""
        if not isinstance(data, Mapping):
            self.error(path, f"must be an object, got {_type_name(data)}")
            return None
        allowed = set(required) | set(optional)
        for key in data:
            if not isinstance(key, str) or key not in allowed:
                self.error(join(path, str(key)), "unknown field")
        for key in required:
            if key not in data:
                self.error(join(path, key), "this field is required")
        return data

    def list_(self, data: Mapping, key: str, path: str) -> list | None:
        value = data.get(key, _ABSENT)
        if value is _ABSENT:
            return None  # missing was recorded by obj()
        if not isinstance(value, (list, tuple)):
            self.error(join(path, key), f"must be a list, got {_type_name(value)}")
            return None
        return list(value)

    # -- scalars ----------------------------------------------------------------------------

    def _get(self, data: Mapping, key: str, nullable: bool, path: str) -> object:
        value = data.get(key, _ABSENT)
        if value is _ABSENT:
            return _ABSENT  # missing: recorded by obj() if required, else treated as null
        if value is None and not nullable:
            return self.error(join(path, key), "must not be null")
        return value

    def boolean(self, data: Mapping, key: str, path: str, nullable: bool = False) -> bool | None:
        value = self._get(data, key, nullable, path)
        if value is _ABSENT or value is None:
            return None if nullable else BAD
        if value is BAD:
            return BAD
        if not isinstance(value, bool):
            return self.error(join(path, key), f"must be true or false, got {_type_name(value)}")
        return value

    def number(self, data: Mapping, key: str, path: str, low: float, high: float, *, low_inclusive: bool = True,
               whole: bool = False, nullable: bool = False, unit: str = "") -> float | int | None:
        value = self._get(data, key, nullable, path)
        if value is _ABSENT or value is None:
            return None if nullable else BAD
        if value is BAD:
            return BAD
        field = join(path, key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return self.error(field, f"must be a number, got {_type_name(value)}")
        if not math.isfinite(value):
            return self.error(field, "must be a finite number")
        if whole and value != int(value):
            return self.error(field, "must be a whole number")
        suffix = f" {unit}" if unit else ""
        if value < low or (value == low and not low_inclusive) or value > high:
            bound = f"{'from' if low_inclusive else 'above'} {_fmt(low)} to {_fmt(high)}{suffix}"
            return self.error(field, f"must be {bound}, got {_fmt(value)}")
        return int(value) if whole else float(value)

    def enum(self, data: Mapping, key: str, path: str, enum: type[StrEnum]) -> StrEnum:
        value = self._get(data, key, False, path)
        if value is _ABSENT or value is BAD:
            return BAD
        return self.enum_value(value, join(path, key), enum)

    def enum_value(self, value: object, field: str, enum: type[StrEnum]) -> StrEnum:
        choices = ", ".join(m.value for m in enum)
        if not isinstance(value, str):
            return self.error(field, f"must be one of {choices}; got {_type_name(value)}")
        try:
            return enum(value)
        except ValueError:
            return self.error(field, f"unknown value {value!r}; must be one of {choices}")

    def text(self, data: Mapping, key: str, path: str, max_length: int) -> str:
        value = self._get(data, key, False, path)
        if value is _ABSENT or value is BAD:
            return BAD
        field = join(path, key)
        if not isinstance(value, str):
            return self.error(field, f"must be text, got {_type_name(value)}")
        value = value.strip()
        if not value:
            return self.error(field, "must not be empty")
        if len(value) > max_length:
            return self.error(field, f"must be at most {max_length} characters")
        return value


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "text", list: "a list",
            tuple: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
