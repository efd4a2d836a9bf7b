"""What REST handlers share: a request body handed to the services as the form data they validate."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Router, Schema


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


def form_data(payload: Schema, *, only_sent: bool = False) -> dict:
    """Every field of the body, an unsent one at the schema's default; with ``only_sent`` (a PATCH)
    only those the client sent, so the others stay unchanged."""
    return {k: form_value(v) for k, v in payload.dict(exclude_unset=only_sent).items()}


class SplitRouter(Router):
    """One router whose operations are written in several modules (a package), each keeping the
    OpenAPI operation id ninja gave it while the package was one module, ``<module>_<function>``:
    clients generated from the schema keep working when an API module is split."""

    def __init__(self, module: str, **kwargs):
        super().__init__(**kwargs)
        self.operation_id_prefix = module.replace(".", "_")

    def add_api_operation(self, path, methods, view_func, *, operation_id=None, **kwargs):
        operation_id = operation_id or f"{self.operation_id_prefix}_{view_func.__name__}"
        return super().add_api_operation(path, methods, view_func, operation_id=operation_id, **kwargs)
