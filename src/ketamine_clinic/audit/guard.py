"""Lifting the database guard on audit events, for tests that play an attacker with owner rights."""

from contextlib import contextmanager

from django.db import connection

SQLITE_TRIGGER = (
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
)


@contextmanager
def guard_lifted():
    """Inside: raw UPDATE/DELETE on audit events succeed. The guard is back afterwards."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser can stop triggers from firing for the session (no table lock needed).
            cursor.execute("SET session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_append_only")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")
            else:
                cursor.execute(SQLITE_TRIGGER)
