"""Query shapes compiled once per process: the hot reads of every page (the signed-in user, the
chart's lists) cost Django more to build and compile than PostgreSQL takes to answer them.

``Prepared(build)`` wraps a function of integer ids that returns a QuerySet whose SQL does not
depend on the ids' values (only on which ids they are)::

    ALLERGIES = Prepared(lambda patient_id: Allergy.objects.filter(patient_id=patient_id, status="active"))
    rows = ALLERGIES(patient.pk).fetch()        # or hand ALLERGIES(patient.pk) to core.batch

The first use builds the QuerySet with stand-in ids, compiles it and remembers the SQL and where
the stand-ins sit among its parameters; every later use only puts the real ids there. The rows
become instances through Django's own compiler and iterable (converters, ``select_related``,
annotations), exactly as the QuerySet would give them. A build whose SQL does change with the
values is refused when first compiled (it is compiled twice, with two sets of stand-ins, and both
must agree). Ordinary QuerySets are still the rule; this is for the few reads on every request.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.models import QuerySet, Window
from django.db.models.functions import RowNumber
from django.db.models.sql.constants import MULTI

ROW_NUMBER = "_batch_row"
# Stand-in ids: no table holds negative ids this large, and they survive Django's preparation as they are.
_STAND_INS = (-7_000_000_000_000_001, -7_000_000_000_000_101)


@dataclass(frozen=True)
class Compiled:
    """One compiled shape: the SQL, its parameters (``None`` where an id goes), and the compiler
    and QuerySet that turn its rows into what the QuerySet would have returned."""

    sql: str
    params: tuple
    slots: tuple[int | None, ...]  # per parameter: which id goes there, or None for a constant
    queryset: QuerySet
    compiler: Any
    extras: dict = field(default_factory=dict, compare=False)  # what users derive from it once (core.batch)

    def bind(self, ids: tuple[int, ...]) -> list:
        return [p if slot is None else ids[slot] for p, slot in zip(self.params, self.slots)]


def numbered(queryset: QuerySet) -> QuerySet:
    """``queryset`` with each row's place in its own ordering as ``ROW_NUMBER`` (a read inside a
    UNION ALL keeps no order of its own)."""
    query = queryset.query
    ordering = list(query.order_by or (query.default_ordering and queryset.model._meta.ordering) or ())
    return queryset.annotate(**{ROW_NUMBER: Window(RowNumber(), order_by=ordering or None)})


def compile_queryset(queryset: QuerySet, *, for_batch: bool) -> tuple[str, tuple, Any, QuerySet]:
    """(sql, params, compiler, queryset) as Django would run ``queryset`` on its database now
    (``for_batch``: numbered, with column aliases, to be wrapped by ``core.batch``). Raises
    EmptyResultSet for a read that can match nothing."""
    qs = queryset.using(queryset.db)  # the database the router picks now, kept with the compiled read
    qs = numbered(qs) if for_batch else qs
    compiler = qs.query.get_compiler(qs.db)
    sql, params = compiler.as_sql(with_col_aliases=for_batch)
    return sql, tuple(params), compiler, qs


def rows_as_results(compiled_compiler, queryset: QuerySet, rows: list, known: tuple = ()) -> list:
    """What ``queryset`` gives (instances, values dicts) for ``rows``, the driver's values of the
    compiler's columns: Django's own iterable runs on them instead of on a cursor. ``known``:
    (foreign key name, object) pairs set on each instance that points at that object, as a
    related manager's QuerySet would (``patient.allergies`` knows its patient)."""
    # Shallow copies of the compiler and the query (the compiled ones are shared by threads and
    # never patched; a full clone of the query would cost more than reading its few rows).
    compiler = copy.copy(compiled_compiler)
    compiler.connection = connections[queryset.db]  # this thread's (converters read its settings)
    compiler.execute_sql = lambda result_type=MULTI, *args, **kwargs: [rows]
    query = copy.copy(queryset.query)
    query.get_compiler = lambda *args, **kwargs: compiler
    qs = queryset.__class__(model=queryset.model, query=query, using=queryset._db, hints=queryset._hints)
    qs._iterable_class, qs._fields = queryset._iterable_class, queryset._fields
    qs._known_related_objects = queryset._known_related_objects
    qs._prefetch_related_lookups = queryset._prefetch_related_lookups[:]
    out = list(qs)
    for item in out:
        if isinstance(item, dict):
            item.pop(ROW_NUMBER, None)
        elif hasattr(item, "__dict__"):
            item.__dict__.pop(ROW_NUMBER, None)
            for name, obj in known:
                field = item._meta.get_field(name)
                if item.__dict__.get(field.attname) == obj.pk:  # a deferred key is left alone (no query)
                    field.set_cached_value(item, obj)
    return out


class Prepared:
    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self.model = None  # what it reads: known from the first build
        self._compiled: dict[tuple[bool, str], Compiled] = {}
        self._lock = threading.Lock()

    def __call__(self, *ids: int) -> Bound:
        if not all(type(i) is int and i >= 0 for i in ids):
            raise TypeError(f"a prepared read takes ids (non-negative int), not {ids!r}")
        return Bound(self, ids)

    def compiled(self, arity: int, *, for_batch: bool) -> Compiled:
        # The router picks the database per read (a report may read the replica): one compiled read each.
        using = router.db_for_read(self._model(arity))
        key = (for_batch, using)
        found = self._compiled.get(key)
        if found is None:
            with self._lock:
                found = self._compiled.get(key) or self._compile(arity, for_batch, using)
                self._compiled[key] = found
        return found

    def _model(self, arity: int):
        if self.model is None:
            self.model = self.build(*(_STAND_INS[0] - i for i in range(arity))).model
        return self.model

    def _compile(self, arity: int, for_batch: bool, using: str) -> Compiled:
        shapes = []
        for base in _STAND_INS:
            stand_ins = tuple(base - i for i in range(arity))
            sql, params, compiler, qs = compile_queryset(self.build(*stand_ins).using(using), for_batch=for_batch)
            slots = tuple(stand_ins.index(p) if type(p) is int and p in stand_ins else None for p in params)
            shapes.append((sql, params, slots, compiler, qs, stand_ins))
        (sql, params, slots, compiler, qs, stand_ins), (sql2, _, slots2, *_) = shapes
        if sql != sql2 or slots != slots2 or set(s for s in slots if s is not None) != set(range(arity)):
            raise ValueError(f"{self.build!r}: its SQL changes with the ids it is given, or leaves one out")
        return Compiled(sql, tuple(None if s is not None else p for p, s in zip(params, slots)), slots, qs, compiler)


@dataclass(frozen=True)
class Bound:
    """A prepared read with its ids: ``fetch()`` reads it alone; ``core.batch`` reads it with others."""

    prepared: Prepared
    ids: tuple[int, ...]
    known: tuple = ()  # (foreign key name, object): see ``rows_as_results``

    def knowing(self, **objects) -> Bound:
        """The same read, setting these objects on the instances that point at them."""
        return replace(self, known=tuple(objects.items()))

    def compiled(self, *, for_batch: bool) -> Compiled:
        return self.prepared.compiled(len(self.ids), for_batch=for_batch)

    @property
    def db(self) -> str:
        return router.db_for_read(self.prepared._model(len(self.ids)))

    def fetch(self) -> list:
        shape = self.compiled(for_batch=False)
        rows = run(self.db, shape.sql, shape.bind(self.ids))
        return rows_as_results(shape.compiler, shape.queryset, rows, self.known)


def run(using: str, sql: str, params) -> list[tuple]:
    """The rows of ``sql``: on PostgreSQL as a server-side prepared statement, so that PostgreSQL
    plans a statement once per connection instead of on every request (``DATABASE_PREPARED_STATEMENTS``
    turns it off, e.g. behind a connection pooler without prepared-statement support). Through
    Django's cursor wrapper either way: logged and counted like any query."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        # Django turns psycopg's preparing off (None), which also refuses an explicit prepare; a
        # threshold never reached lets this cursor prepare its statements and nothing else change
        # (Django's own cursors bind on the client and never prepare).
        connection.connection.prepare_threshold = _NEVER_AUTOMATIC
    raw = _preparing_cursor_class()(connection.connection)
    raw.log_sql = connection.queries_logged
    cursor = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_NEVER_AUTOMATIC = 2**31 - 1


@functools.cache
def _preparing_cursor_class():
    import psycopg

    class LoggedQuery:
        """What Django's query log reads after a statement (``cursor._query.query``)."""

        def __init__(self, text: str):
            self.query = text.encode()

    class PreparingCursor(psycopg.Cursor):
        """Binds on the server and prepares every statement it runs (psycopg keeps them per connection)."""

        log_sql = False

        def execute(self, query, params=None, *, prepare=None, binary=None):
            result = super().execute(query, params, prepare=True, binary=binary)
            if self.log_sql and self._query is None:  # a prepared statement leaves none to log
                self._query = LoggedQuery(psycopg.ClientCursor(self.connection).mogrify(query, params))
            return result

    return PreparingCursor
