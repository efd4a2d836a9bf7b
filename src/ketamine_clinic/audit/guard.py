"""The database-level guard: audit events and chain seals refuse UPDATE and DELETE on both databases.

The ORM refuses both already; these triggers also stop raw SQL from the application's database
account. A database owner can drop a trigger, which is why the chain is keyed and checkpointed
(``verify``). ``guard_lifted`` is for tests that play that owner, and for the test runner's flush.
"""

from contextlib import contextmanager

from django.db import connection as default_connection

GUARDED_TABLES = {"audit_auditevent": "audit_event", "audit_auditseal": "audit_seal"}

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only';
END;
$$ LANGUAGE plpgsql
"""


def _install_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [PG_FUNCTION] + [
            f"CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
            for table, name in GUARDED_TABLES.items()
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {name}_no_{op.lower()} BEFORE {op} ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END"
            for table, name in GUARDED_TABLES.items()
            for op in ("UPDATE", "DELETE")
        ]
    return []


def _remove_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name}_append_only ON {table}" for table, name in GUARDED_TABLES.items()]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {name}_no_{op.lower()}"
            for name in GUARDED_TABLES.values()
            for op in ("UPDATE", "DELETE")
        ]
    return []


def install(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        for sql in _install_sql(connection.vendor):
            cursor.execute(sql)


def remove(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        for sql in _remove_sql(connection.vendor):
            cursor.execute(sql)


@contextmanager
def guard_lifted(connection=None):
    """Inside: raw UPDATE/DELETE on audit records succeed. The guard is back afterwards."""
    connection = connection or default_connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A superuser can stop triggers (and foreign keys) firing for the session.
            cursor.execute("SET session_replication_role = replica")
    else:
        remove(connection)
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
        else:
            install(connection)
