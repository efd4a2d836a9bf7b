import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import WithJsonSchema

# A wall-clock time without an offset ("09:30" or "09:30:00"). OpenAPI's "time" format is RFC 3339
# full-time, which requires an offset, so declaring it would make every answer break the contract.
LocalTime = Annotated[dt.time, WithJsonSchema({
    "type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$",
    "description": "Local wall-clock time at the location, HH:MM[:SS], without an offset"})]


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


def errors(*codes: int) -> dict:
    """Error responses to declare, each with the standard shape. An operation that reads a body
    (so declares 400 for one it cannot parse) can also be sent one too large to read: 413."""
    declared = set(codes) | ({413} if 400 in codes else set())
    return {c: ErrorOut for c in sorted(declared)}
