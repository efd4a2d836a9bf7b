"""Report reads on a PostgreSQL streaming replica (``DATABASE_REPLICA_URL``), everything else on the
primary.

A router alone cannot tell a report read from a chart read, so the report read sites say so:
``with report_reads(request): ...`` around a report computed at once (outcomes dashboard and API),
or ``queryset.using(report_db(request))`` for a lazily streamed one (the audit CSV export). Inside
them a read goes to the replica when

- the ``replica`` alias is configured (without ``DATABASE_REPLICA_URL`` there is none: nothing
  changes),
- the read is not inside a transaction on the primary (a read inside a write transaction must see
  that transaction's own rows), and
- the user has not written in the last ``REPLICA_PIN_SECONDS`` (read your own writes despite the
  replica's lag: ``PinPrimaryAfterWriteMiddleware`` marks such requests with a cookie).

Every write goes to the primary; migrations run on the primary only (the replica copies them).
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PIN_COOKIE = "kc_wrote_at"  # a timestamp only (no PHI): which database serves, never what is allowed
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_report_reads: ContextVar[bool] = ContextVar("report_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def pinned_to_primary(request) -> bool:
    """The user wrote something moments ago: their next reports read the primary."""
    if request is None:
        return False
    try:
        wrote_at_s = float(request.COOKIES.get(PIN_COOKIE, ""))
    except ValueError:
        return False
    return time.time() - wrote_at_s < settings.REPLICA_PIN_SECONDS


def report_db(request=None) -> str:
    """The alias a report read uses now."""
    if not replica_configured() or connections[DEFAULT_DB_ALIAS].in_atomic_block or pinned_to_primary(request):
        return DEFAULT_DB_ALIAS
    return REPLICA


@contextmanager
def report_reads(request=None):
    """Reads in this block are report reads (to the replica when ``report_db`` says so)."""
    token = _report_reads.set(report_db(request) == REPLICA)
    try:
        yield
    finally:
        _report_reads.reset(token)


class ReportReadRouter:
    """``DATABASE_ROUTERS`` entry: report reads to the replica, all else to the primary."""

    def db_for_read(self, model, **hints):
        # re-checked per query: a transaction opened inside the block pulls its reads back to the primary
        if _report_reads.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class PinPrimaryAfterWriteMiddleware:
    """After a successful write request, the user's report reads stay on the primary for
    ``REPLICA_PIN_SECONDS`` (longer than the replica's usual lag), so they see what they just did."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if replica_configured() and request.method in UNSAFE_METHODS and response.status_code < 400:
            response.set_cookie(PIN_COOKIE, f"{time.time():.3f}", max_age=settings.REPLICA_PIN_SECONDS,
                                httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response
