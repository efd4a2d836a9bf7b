"""What REST handlers share: a request body handed to the services as the form data they validate."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Schema


def form_value(value):
    """A value as a posted form sends it: empty for None; ids, amounts and dates as text; the rest
    (numbers, booleans, lists) as it is, so a service's form reports a wrong type on its field."""
    if value is None:
        return ""
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


def form_data(payload: Schema | dict) -> dict:
    """The fields the client sent (unsent ones stay absent, so a PATCH changes only those)."""
    data = payload if isinstance(payload, dict) else payload.dict(exclude_unset=True)
    return {k: form_value(v) for k, v in data.items()}
