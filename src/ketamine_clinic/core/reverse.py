"""URL reversal with its set-up done once per URL name (``{% url %}`` in every template uses it:
core/templatetags/fast_urls.py).

A patient chart has about eighty links. For each, Django's ``reverse`` walks the namespaces of the
name, finds the name's patterns, formats and compiles a regular expression, and checks the
candidate against it: about 30 µs a link, over 2 ms a chart. ``reverse_args`` does that walk once
per (URL conf, script prefix, name, current app, number of arguments) and keeps the patterns as
plans; a call only converts its arguments (the patterns' own converters), fills the pattern, checks
it against the kept regular expression and quotes it, which is what Django does with them.
Anything else (keyword arguments, a view object as the name, a name with no plan for that many
arguments, an argument no pattern accepts) goes to Django's ``reverse``, which gives the answer
or the usual ``NoReverseMatch``. tests/core/test_fast_urls.py compares the two for every named URL.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import quote

from django.core.signals import setting_changed
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.urls.resolvers import get_ns_resolver
from django.utils.http import RFC3986_SUBDELIMS, escape_leading_slashes

_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what Django leaves unquoted (RFC 3986 pchar)


@dataclass(frozen=True)
class _Plan:
    pattern: str  # "%(public_id)s/plan/" with the script prefix in front
    params: tuple[str, ...]
    converters: dict
    check: re.Pattern


def reverse_args(viewname: str, args, current_app: str | None = None) -> str:
    """``django.urls.reverse(viewname, args=args, current_app=current_app)``."""
    plans = _plans(get_urlconf(), get_script_prefix(), viewname, current_app, len(args))
    for plan in plans:
        subs = {}
        try:
            for name, value in zip(plan.params, args):
                converter = plan.converters.get(name)
                subs[name] = converter.to_url(value) if converter is not None else str(value)
        except ValueError:
            continue
        candidate = plan.pattern % subs
        if plan.check.search(candidate):
            return escape_leading_slashes(quote(candidate, safe=_SAFE))
    return reverse(viewname, args=args, current_app=current_app)  # the answer, or Django's error


@functools.lru_cache(maxsize=4096)
def _plans(urlconf, prefix: str, viewname: str, current_app: str | None, arity: int) -> tuple[_Plan, ...]:
    """The patterns ``reverse`` would try for ``viewname`` with ``arity`` positional arguments, in
    its order (its namespace walk, as in django.urls.base.reverse); () when it finds none."""
    resolver = get_resolver(urlconf)
    *path, view = viewname.split(":")
    current_path = list(reversed(current_app.split(":"))) if current_app else None
    ns_pattern, ns_converters = "", {}
    for ns in path:
        current_ns = current_path.pop() if current_path else None
        app_list = resolver.app_dict.get(ns)
        if app_list is not None:
            if current_ns and current_ns in app_list:
                ns = current_ns
            elif ns not in app_list:
                ns = app_list[0]
        if ns != current_ns:
            current_path = None
        if ns not in resolver.namespace_dict:
            return ()
        extra, resolver = resolver.namespace_dict[ns]
        ns_pattern += extra
        ns_converters.update(resolver.pattern.converters)
    if ns_pattern:
        resolver = get_ns_resolver(ns_pattern, resolver, tuple(ns_converters.items()))
    if not resolver._populated:
        resolver._populate()
    plans = []
    for possibility, pattern, _defaults, converters in resolver.reverse_dict.getlist(view):
        for result, params in possibility:
            if len(params) == arity:
                plans.append(_Plan(prefix.replace("%", "%%") + result, tuple(params), converters,
                                   re.compile(f"^{re.escape(prefix)}{pattern}")))
    return tuple(plans)


def _forget(setting, **kwargs):
    if setting == "ROOT_URLCONF":  # as Django clears its own URL caches
        _plans.cache_clear()


setting_changed.connect(_forget)
