"""Query shapes compiled once per process: the hot reads of every page (the signed-in user, the
chart's lists) cost Django more to build and compile than PostgreSQL takes to answer them.

``Prepared(build)`` wraps a function of a few values (integer ids, aware datetimes, dates, UUIDs,
strings compared as they are) that returns a QuerySet whose SQL does not depend on the values (only
on which values they are)::

    ALLERGIES = Prepared(lambda patient_id: Allergy.objects.filter(patient_id=patient_id, status="active"))
    rows = ALLERGIES(patient.pk).fetch()        # or hand ALLERGIES(patient.pk) to core.batch
    UPCOMING = Prepared(lambda patient_id, now: Appointment.objects.filter(patient_id=patient_id, end_at__gte=now))

The first use builds the QuerySet with stand-in values of the same types, compiles it and remembers
the SQL and where the stand-ins sit among its parameters (as they are, or as the database adapts
them: SQLite stores a datetime as text and a UUID as hex); every later use only puts the real
values there, adapted the same way. The rows become instances through Django's own compiler and
iterable (converters, ``select_related``, annotations), exactly as the QuerySet would give them. A
build whose SQL does change with the values is refused when first compiled (it is compiled twice,
with two sets of stand-ins, and both must agree). Ordinary QuerySets are still the rule; this is for
the few reads on every request.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import threading
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.models import QuerySet, Window
from django.db.models.functions import RowNumber
from django.db.models.sql.constants import MULTI
from django.utils import timezone

ROW_NUMBER = "_batch_row"
_UTC = dt.timezone.utc
# Two stand-ins per type of value (a build is compiled with each): no row holds them, and each one
# survives Django's preparation as it is or through one of its type's adapters below. A build's
# n-th value of a type is the base stand-in moved by n steps, and the two sets step differently, so
# that a value worked out from another inside a build (``since + 1 day``) matches no stand-in in
# both compiles. The strings carry the characters a LIKE lookup escapes (``iexact`` on SQLite), so
# an escaped value shows as a mismatch instead of a slot.
_STAND_INS: dict[type, tuple[Callable[[int], Any], Callable[[int], Any]]] = {
    int: (lambda n: -7_000_000_000_000_001 - n, lambda n: -7_000_000_000_000_101 - 7 * n),
    dt.datetime: (lambda n: dt.datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=_UTC) + dt.timedelta(days=n),
                  lambda n: dt.datetime(1903, 4, 5, 6, 7, 8, 901, tzinfo=_UTC) + dt.timedelta(days=7 * n, minutes=n)),
    dt.date: (lambda n: dt.date(1901, 2, 3) + dt.timedelta(days=n), lambda n: dt.date(1903, 4, 5) + dt.timedelta(days=7 * n)),
    uuid.UUID: (lambda n: uuid.UUID(int=0x7A11D_0000 + n), lambda n: uuid.UUID(int=0x7A11D_1000 + 7 * n)),
    str: (lambda n: f"\x1fstand-in_a%\\{n}", lambda n: f"\x1fstand-in_b%\\{7 * n}"),
}
# The second compile runs under another active time zone: a build whose SQL or constants follow
# the request's zone (a ``__date`` lookup) differs between the two and is refused.
_SECOND_ZONE = "Pacific/Chatham"  # +12:45/+13:45: no deployment's zone, and never on a whole hour
# How a value of each type may reach the driver besides as it is (PostgreSQL takes all of them as
# they are; SQLite's backend turns datetimes and dates into text and a UUIDField's value into hex).
_ADAPTERS: dict[type, tuple[Callable[[Any, Any], Any], ...]] = {
    int: (),
    dt.datetime: (lambda ops, value: ops.adapt_datetimefield_value(value),),
    dt.date: (lambda ops, value: ops.adapt_datefield_value(value),),
    uuid.UUID: (lambda ops, value: value.hex,),
    str: (),
}


def _kind(value) -> type:
    """The stand-in type of a value a prepared read takes, or TypeError."""
    kind = type(value)
    if kind is int and value >= 0 or kind in (dt.date, uuid.UUID, str):
        return kind
    if kind is dt.datetime and value.utcoffset() is not None:
        return kind
    raise TypeError(f"a prepared read takes ids (non-negative int), aware datetimes, dates, UUIDs and strings, not {value!r}")


@dataclass(frozen=True)
class Compiled:
    """One compiled shape: the SQL, its parameters (``None`` where a value goes), and the compiler
    and QuerySet that turn its rows into what the QuerySet would have returned."""

    sql: str
    params: tuple
    slots: tuple[int | None, ...]  # per parameter: which value goes there, or None for a constant
    queryset: QuerySet
    compiler: Any
    adapters: tuple = ()  # per parameter: how the value is adapted (None: as it is); empty: none is
    extras: dict = field(default_factory=dict, compare=False)  # what users derive from it once (core.batch)

    def bind(self, values: tuple) -> list:
        if not self.adapters:
            return [p if slot is None else values[slot] for p, slot in zip(self.params, self.slots)]
        ops = connections[self.queryset.db].ops
        return [p if slot is None else values[slot] if adapt is None else adapt(ops, values[slot])
                for p, slot, adapt in zip(self.params, self.slots, self.adapters)]


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
    converters = _converters(compiled_compiler, compiler.connection)
    compiler.get_converters = lambda expressions: converters
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


def _converters(compiled_compiler, connection) -> dict:
    """Django's value converters for the compiled read's columns on ``connection``, worked out once
    per compiled read and connection: Django's iterable works them out again on every read (about a
    fifth of turning a short list's rows into instances), though they depend only on the columns
    and the database. Kept on the connection (each thread has its own; SQLite's converters refer to
    it, so they go with it), by compiled read."""
    kept = connection.__dict__.setdefault("_converters_by_compiler", weakref.WeakKeyDictionary())
    found = kept.get(compiled_compiler)
    if found is None:
        columns = [selected[0] for selected in compiled_compiler.select[0:compiled_compiler.col_count]]
        probe = copy.copy(compiled_compiler)
        probe.connection = connection
        found = kept[compiled_compiler] = probe.get_converters(columns)
    return found


class Prepared:
    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self.model = None  # what it reads: known from the first build
        self._compiled: dict[tuple, Compiled] = {}
        self._lock = threading.Lock()

    def __call__(self, *values) -> Bound:
        for value in values:
            _kind(value)
        return Bound(self, values)

    def compiled(self, kinds: tuple[type, ...], *, for_batch: bool) -> Compiled:
        # The router picks the database per read (a report may read the replica): one compiled read each.
        using = router.db_for_read(self._model(kinds))
        key = (for_batch, using, kinds)
        found = self._compiled.get(key)
        if found is None:
            with self._lock:
                found = self._compiled.get(key) or self._compile(kinds, for_batch, using)
                self._compiled[key] = found
        return found

    def _model(self, kinds: tuple[type, ...]):
        if self.model is None:
            self.model = self.build(*_stand_ins(kinds, 0)).model
        return self.model

    def _compile(self, kinds: tuple[type, ...], for_batch: bool, using: str) -> Compiled:
        ops = connections[using].ops
        shapes = []
        for which, zone in ((0, timezone.get_current_timezone()), (1, _SECOND_ZONE)):
            stand_ins = _stand_ins(kinds, which)
            with timezone.override(zone):
                sql, params, compiler, qs = compile_queryset(self.build(*stand_ins).using(using), for_batch=for_batch)
            places = tuple(_place(p, stand_ins, ops) for p in params)
            shapes.append((sql, params, places, compiler, qs))
        (sql, params, places, compiler, qs), (sql2, params2, places2, *_) = shapes
        constants, constants2 = ([v for v, p in zip(ps, places) if not p] for ps in (params, params2))
        if (sql != sql2 or places != places2 or constants != constants2
                or {p[0] for p in places if p} != set(range(len(kinds)))):
            raise ValueError(f"{self.build!r}: its SQL changes with the values it is given or the time zone, "
                             "works a value out of one, or leaves one out")
        slots = tuple(p[0] if p else None for p in places)
        adapters = tuple(p[1] if p else None for p in places)
        return Compiled(sql, tuple(None if p else v for v, p in zip(params, places)), slots, qs, compiler,
                        adapters if any(adapters) else ())


def _stand_ins(kinds: tuple[type, ...], which: int) -> tuple:
    return tuple(_STAND_INS[kind][which](kinds[:i].count(kind)) for i, kind in enumerate(kinds))


def _place(param, stand_ins: tuple, ops) -> tuple[int, Callable | None] | None:
    """(which stand-in, its adapter or None) that ``param`` is, or None for a constant."""
    for index, stand_in in enumerate(stand_ins):
        if type(param) is type(stand_in) and param == stand_in:
            return index, None
        for adapt in _ADAPTERS[type(stand_in)]:
            adapted = adapt(ops, stand_in)
            if type(param) is type(adapted) and param == adapted:
                return index, adapt
    return None


@dataclass(frozen=True)
class Bound:
    """A prepared read with its values: ``fetch()`` reads it alone; ``core.batch`` reads it with others."""

    prepared: Prepared
    values: tuple
    known: tuple = ()  # (foreign key name, object): see ``rows_as_results``

    def knowing(self, **objects) -> Bound:
        """The same read, setting these objects on the instances that point at them."""
        return replace(self, known=tuple(objects.items()))

    def compiled(self, *, for_batch: bool) -> Compiled:
        return self.prepared.compiled(tuple(map(type, self.values)), for_batch=for_batch)

    @property
    def db(self) -> str:
        return router.db_for_read(self.prepared._model(tuple(map(type, self.values))))

    def fetch(self) -> list:
        shape = self.compiled(for_batch=False)
        rows = run(self.db, shape.sql, shape.bind(self.values))
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
