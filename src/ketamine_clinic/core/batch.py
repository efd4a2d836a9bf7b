"""Several QuerySets read in one round trip to the database.

A composed page (the patient chart) shows a dozen short lists from a dozen tables. Read one by one,
each costs a round trip; ``fetch_lists`` sends them as one ``UNION ALL`` statement instead and hands
each back as the list its QuerySet would have given: the same model instances (``select_related``
objects and annotations included) or the same ``values()`` dicts, in the same order, with Django's
own converters applied to every value.

How: each QuerySet is compiled as Django would run it (its filters, ordering and slice), with a
``ROW_NUMBER()`` over its own ordering added, and wrapped as ``SELECT <part>, <row as a JSON
array> FROM (<its SQL>)``; a ``core.prepared`` read brings that SQL compiled already. The JSON
arrays are decoded here into the values the database driver would have returned (on PostgreSQL,
dates, times, decimals and JSON travel as text and are parsed by their field type), and Django's
compiler turns them into rows, so nothing about a model is re-implemented. ``prefetch_related``
still runs its own queries afterwards. SQLite's JSON keeps a float to 15 significant digits.

    lists = fetch_lists({"allergies": patient.allergies.all(), "notes": Note.objects.filter(...)[:8]})

Inside a page's ``request_memo`` scope, ``lists`` keeps what it read, so a page can read every
section's lists at once up front and each section then finds its own already there.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import json
import uuid
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesIterable
from django.utils.dateparse import parse_duration

from . import request_memo
from .prepared import ROW_NUMBER, Bound, compile_queryset, rows_as_results, run

# PostgreSQL takes at most 100 arguments per function call: longer rows go as arrays of arrays.
MAX_ARRAY_ARGS = 90
READABLE = (ModelIterable, ValuesIterable)


def fetch_lists(querysets: Mapping[Hashable, QuerySet | Bound]) -> dict[Hashable, list]:
    """Each read's rows (a QuerySet, or a ``core.prepared`` read with its ids), keyed as given, read
    in a single statement (none for an empty mapping or for QuerySets that can match nothing)."""
    if not querysets:
        return {}
    aliases = {qs.db for qs in querysets.values()}
    if len(aliases) != 1:
        raise ValueError("fetch_lists reads from one database at a time")
    using = aliases.pop()
    connection = connections[using]
    parts = {key: _Part(read, connection) for key, read in querysets.items()}
    statements, params = [], []
    for index, part in enumerate(parts.values()):
        if part.sql is None:
            continue
        statements.append(part.wrapped(index, connection))
        params.extend(part.params)
    rows: dict[int, list] = {i: [] for i in range(len(parts))}
    if statements:
        for index, data in run(using, " UNION ALL ".join(statements), params):
            rows[index].append(json.loads(data))
    return {key: part.evaluate(rows[i], connection) for i, (key, part) in enumerate(parts.items())}


def lists(reads: Mapping[Hashable, QuerySet | Bound]) -> dict[Hashable, list]:
    """``fetch_lists`` through the request memo: each key's list as read earlier in this page's
    scope, the others read together now (and kept for the rest of the scope)."""
    known = {key: request_memo.recall(key) for key in reads}
    missing = {key: qs for key, qs in reads.items() if known[key] is request_memo.MISSING}
    for key, rows in fetch_lists(missing).items():
        known[key] = request_memo.remember(key, lambda rows=rows: rows)
    return known


def reads(build: Callable[..., dict]) -> Callable[..., dict]:
    """Decorate a function that builds a ``{key: QuerySet}`` map so that inside a page's request
    memo it builds it once: a page names its lists once up front and each section asks again when
    it shows them, and building a QuerySet (its filters) costs as much as reading a small list.
    Arguments are told apart by primary key (records) or value; a request by its identity."""
    name = f"{build.__module__}.{build.__qualname__}"

    @functools.wraps(build)
    def memoized(*args):
        if not request_memo.active():
            return build(*args)
        key = ("batch.reads", name, *(getattr(a, "pk", None) or (id(a) if hasattr(a, "META") else a) for a in args))
        return request_memo.remember(key, lambda: build(*args))

    return memoized


def first_of(queryset: QuerySet) -> QuerySet:
    """What ``queryset.first()`` reads, as a QuerySet to batch (by primary key when unordered)."""
    return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]


def first(reads: Mapping[Hashable, QuerySet | Bound]):
    """The one row of a single ``first_of`` read through ``lists``, or None."""
    (rows,) = lists(reads).values()
    return rows[0] if rows else None


class _Part:
    """One read of the batch, compiled (a QuerySet now, a prepared read once per process), and
    evaluated from the rows the batch read for it."""

    def __init__(self, read: QuerySet | Bound, connection):
        self.sql, self.known = None, ()
        if isinstance(read, Bound):
            self.known = read.known
            shape = read.compiled(for_batch=True)
            self.sql, self.params, self.compiler, self.queryset = shape.sql, shape.bind(read.values), shape.compiler, shape.queryset
            # A prepared read's wrapping is the same on every request: made once per compiled shape.
            found = shape.extras.get("batch")
            if found is None:
                found = shape.extras["batch"] = _wrapping(self.compiler, self.sql, connection)
        else:
            if read.query.combinator or read.query.extra_select or read._iterable_class not in READABLE:
                raise ValueError("fetch_lists reads plain QuerySets of instances or values() dicts")
            try:
                self.sql, self.params, self.compiler, self.queryset = compile_queryset(read, for_batch=True)
            except EmptyResultSet:  # a read that can match nothing: no SQL
                return
            found = _wrapping(self.compiler, self.sql, connection)
        self.body, self.decode, self.row_number_at = found

    def wrapped(self, index: int, connection) -> str:
        return f"SELECT {index} AS {connection.ops.quote_name('part')}, {self.body}"

    def evaluate(self, arrays: list[list], connection) -> list:
        if self.sql is None or not arrays:
            return []
        decode, rows = self.decode, []
        for chunks in arrays:
            values = [v for chunk in chunks for v in chunk] if len(chunks) > 1 else chunks[0]
            for i, f in decode:
                if values[i] is not None:
                    values[i] = f(values[i])
            rows.append(values)
        rows.sort(key=lambda r: r[self.row_number_at])
        return rows_as_results(self.compiler, self.queryset, rows, self.known)


def _wrapping(compiler, sql: str, connection) -> tuple[str, list, int]:
    """(what follows ``SELECT <part>,`` in the batch: the row as one JSON array, from the read's
    SQL; the (column index, decoder) pairs to apply to each row; where the row number sits)."""
    qn = connection.ops.quote_name
    columns = [alias for _, _, alias in compiler.select]
    if connection.vendor == "postgresql":
        decoders = _pg_decoders(compiler.select)
        # JSON carries text, numbers and booleans as they are; the other types go as text.
        cols = [f"{qn('t')}.{qn(c)}" + ("::text" if cast else "") for c, (cast, _) in zip(columns, decoders)]
        array = "json_build_array"
    else:
        # SQLite's JSON holds column values as they are stored (text, integer, real): what the
        # driver returns, so Django's SQLite converters apply unchanged.
        decoders = [(False, None)] * len(columns)
        cols = [f"{qn('t')}.{qn(c)}" for c in columns]
        array = "json_array"
    chunks = [f"{array}({', '.join(cols[i:i + MAX_ARRAY_ARGS])})" for i in range(0, len(cols), MAX_ARRAY_ARGS)]
    data = f"{array}({', '.join(chunks)})"
    if connection.vendor == "postgresql":
        data += "::text"
    decode = [(i, f) for i, (_, f) in enumerate(decoders) if f is not None]
    return f"{data} AS {qn('data')} FROM ({sql}) {qn('t')}", decode, columns.index(ROW_NUMBER)


# PostgreSQL: per field type, whether the column goes into the JSON as text, and the function
# turning its JSON value into what psycopg returns for it (None: the JSON value already is).
_PG_JSON: dict[str, tuple[bool, Callable[[Any], Any] | None]] = {
    **dict.fromkeys(("AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
                     "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField", "BooleanField",
                     "NullBooleanField", "CharField", "TextField", "EmailField", "SlugField", "URLField", "FilePathField",
                     "FileField", "ImageField", "GenericIPAddressField", "IPAddressField"), (False, None)),
    "FloatField": (False, float),  # JSON writes 1.0 as 1
    "UUIDField": (False, uuid.UUID),
    "DateTimeField": (True, dt.datetime.fromisoformat), "DateField": (True, dt.date.fromisoformat),
    "TimeField": (True, dt.time.fromisoformat), "DecimalField": (True, decimal.Decimal),
    "DurationField": (True, parse_duration), "BinaryField": (True, lambda v: bytes.fromhex(v[2:])),
    "JSONField": (True, None),  # as text, as Django's psycopg set-up loads jsonb
}


def _pg_decoders(select) -> list[tuple[bool, Callable[[Any], Any] | None]]:
    """Per selected column: (sent as text?, the function giving the driver's value, or None)."""
    decoders = []
    for expr, _, alias in select:
        field = expr.output_field
        while field.get_internal_type() in ("ForeignKey", "OneToOneField"):
            field = field.target_field
        kind = field.get_internal_type()
        if kind not in _PG_JSON:
            raise TypeError(f"fetch_lists cannot read a {kind} column ({alias})")
        decoders.append(_PG_JSON[kind])
    return decoders
