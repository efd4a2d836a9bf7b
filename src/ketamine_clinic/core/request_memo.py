"""A memo that lives for one read-only page request, so the parts of a composed page (the chart,
Today) share what they load instead of each reading it again.

The page opens a scope around its work (``with request_memo.scope():``); inside it
``remember(key, load)`` calls ``load()`` once per key and hands every later caller the same object
(a QuerySet keeps its rows once evaluated, so sharing one shares its single query). Outside a scope
``remember`` just calls ``load()``: services, writes, tasks and the CLI always read fresh. A write
inside a scope calls ``forget`` for what it changed. The memo is a context variable: each thread
and each request has its own, and nothing outlives the scope (no cross-request cache, no lock).
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("kc_request_memo", default=None)


@contextmanager
def scope() -> Iterator[None]:
    """Share loaded data among the callers inside the block; nested scopes reuse the outer one."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remember(key: Hashable, load: Callable[[], T]) -> T:
    """``load()``'s result, loaded once per scope for ``key``; always fresh outside a scope."""
    memo = _memo.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


MISSING = object()  # what ``recall`` answers for a key not loaded in this scope (or outside a scope)


def recall(key: Hashable):
    """What this scope loaded for ``key``, or ``MISSING``."""
    memo = _memo.get()
    return MISSING if memo is None else memo.get(key, MISSING)


def forget(key: Hashable) -> None:
    """Drop ``key`` (after a write changed what it holds); nothing outside a scope."""
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)


def active() -> bool:
    """True inside a scope."""
    return _memo.get() is not None
