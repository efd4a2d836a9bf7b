"""A page of a filtered list, with every match found first (PostgreSQL).

A search page orders its matches and takes the first few, and counts them all in the same query
(``Count(...) OVER ()``). PostgreSQL 15's planner costs that badly: it assumes the window hands out
rows as soon as they arrive, so it walks an index in the page's order and filters every row of the
table, where the filter's own indexes (pg_trgm GIN for a name search) would have found the matches
in a millisecond. On 20,000 patients that is about 18 ms instead of about 2 ms.

``page_rows`` fences the filter off: the statement first keeps the matching rows as a
``MATERIALIZED`` common table expression, planned alone (so its indexes are used), and only then
orders, counts and slices them. The CTE carries the table's own name, so the page's SQL (compiled
by Django, with its joins, annotations and slice) reads it unchanged. SQLite cannot shadow a table
with a CTE and has no such planner: it runs the page as it is, with the same result.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from .prepared import compile_queryset, rows_as_results


def page_rows(matches: QuerySet, page: QuerySet) -> list:
    """The rows of ``page``: ``matches`` (a plain filter of the same model) ordered, annotated and
    sliced; on PostgreSQL read with ``matches`` planned first. Inside ``page`` the model's table
    name means the matches, so ``page`` must not read that table again in a subquery."""
    connection = connections[page.db]
    if connection.vendor != "postgresql" or matches.model is not page.model:
        return list(page)
    try:
        inner_sql, inner_params, _, _ = compile_queryset(matches.order_by().using(page.db), for_batch=False)
        outer_sql, outer_params, compiler, page = compile_queryset(page, for_batch=False)
    except EmptyResultSet:
        return []
    table = connection.ops.quote_name(page.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {table} AS MATERIALIZED ({inner_sql}) {outer_sql}", (*inner_params, *outer_params))
        rows = cursor.fetchall()
    return rows_as_results(compiler, page, rows)
