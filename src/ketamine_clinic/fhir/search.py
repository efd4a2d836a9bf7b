"""Search parameters, paging and the searchset Bundle.

Every resource type declares its search parameters (name, FHIR type, how to filter); anything else
in the query string is refused with 400, so the CapabilityStatement lists exactly what works.
Paging is ``_count`` (default 20, at most 100) with ``_offset``; the Bundle carries self/next/previous links.
``_include`` names one of the type's declared includes; the included resources follow the matches
with ``search.mode = include``.
"""

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlencode

from django.utils import timezone

from .errors import FhirError

DEFAULT_COUNT = 20
MAX_COUNT = 100
PAGING = {"_count", "_offset"}
INCLUDE = "_include"
DATE = re.compile(r"^(eq|ne|gt|lt|ge|le)?(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:T.*)?$")


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str  # FHIR search parameter type: token, string, date, reference
    apply: Callable  # (items, value, ctx) -> items (a QuerySet, or a list for in-memory types)
    documentation: str = ""


def parse_query(querydict, allowed: dict[str, SearchParam]) -> tuple[list[tuple[SearchParam, str]], int, int]:
    """The (param, value) pairs, count and offset; 400 for an unknown parameter or a bad page size."""
    pairs = []
    for name in querydict:
        if name in PAGING or name == INCLUDE:
            continue
        param = allowed.get(name)
        if param is None:
            raise FhirError(400, f"Unsupported search parameter '{name}'. Supported: {', '.join(sorted(allowed)) or 'none'}.", "not-supported", [name])
        for value in querydict.getlist(name):
            if not value.strip():
                raise FhirError(400, f"Search parameter '{name}' has no value.", "invalid", [name])
            pairs.append((param, value.strip()))
    return pairs, _int(querydict, "_count", DEFAULT_COUNT, 0, MAX_COUNT), _int(querydict, "_offset", 0, 0, 10**9)


def parse_includes(querydict, allowed) -> list[str]:
    """The ``_include`` values asked for, each one the type declares; 400 for any other."""
    names = [v.strip() for v in querydict.getlist(INCLUDE)]
    for name in names:
        if name not in allowed:
            supported = ", ".join(sorted(allowed)) or "none for this type"
            raise FhirError(400, f"Unsupported _include '{name}'. Supported: {supported}.", "not-supported", [INCLUDE])
    return list(dict.fromkeys(names))


def _int(querydict, name, default, low, high) -> int:
    raw = querydict.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise FhirError(400, f"{name} must be a whole number.", "invalid", [name]) from None
    if not low <= value <= high:
        raise FhirError(400, f"{name} must be between {low} and {high}.", "invalid", [name])
    return value


def date_range(value: str) -> tuple[str, dt.date, dt.date]:
    """``ge2024-05`` -> ("ge", 2024-05-01, 2024-06-01): the prefix and the half-open day range named."""
    match = DATE.match(value)
    if not match:
        raise FhirError(400, f"Not a FHIR date: {value!r} (expected e.g. 2024-05-01 with an optional prefix ge, le, gt, lt, eq).", "invalid")
    prefix, year, month, day = match.group(1) or "eq", int(match.group(2)), match.group(3), match.group(4)
    try:
        if day:
            start = dt.date(year, int(month), int(day))
            end = start + dt.timedelta(days=1)
        elif month:
            start = dt.date(year, int(month), 1)
            end = dt.date(year + (start.month == 12), start.month % 12 + 1, 1)
        else:
            start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    except ValueError:
        raise FhirError(400, f"Not a real date: {value!r}.", "invalid") from None
    if prefix == "ne":
        raise FhirError(400, "The date prefix 'ne' is not supported; use ge/le/gt/lt/eq.", "not-supported")
    return prefix, start, end


def date_matches(day: dt.date, value: str) -> bool:
    prefix, start, end = date_range(value)
    return {"eq": start <= day < end, "ge": day >= start, "gt": day >= end, "le": day < end, "lt": day < start}[prefix]


def date_q(field: str, value: str) -> dict:
    """Django filter kwargs for a date search on a DateField."""
    prefix, start, end = date_range(value)
    return {
        "eq": {f"{field}__gte": start, f"{field}__lt": end},
        "ge": {f"{field}__gte": start},
        "gt": {f"{field}__gte": end},
        "le": {f"{field}__lt": end},
        "lt": {f"{field}__lt": start},
    }[prefix]


def datetime_q(field: str, value: str) -> dict:
    """Django filter kwargs for a date search on a DateTimeField, by day in the active time zone."""
    from_day = lambda day: timezone.make_aware(dt.datetime.combine(day, dt.time.min))  # noqa: E731
    return {k: from_day(v) for k, v in date_q(field, value).items()}


def token(value: str) -> tuple[str | None, str]:
    """``system|code`` -> (system, code); a bare ``code`` -> (None, code)."""
    if "|" in value:
        system, code = value.split("|", 1)
        return system, code
    return None, value


def reference_id(value: str, resource_type: str) -> uuid.UUID | None:
    """``Patient/<uuid>`` or ``<uuid>`` -> the UUID; None when it names nothing we could hold."""
    if "/" in value:
        kind, value = value.rsplit("/", 1)
        if kind.rsplit("/", 1)[-1] != resource_type:
            return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def searchset(request, resource_type: str, items, total: int, count: int, offset: int, to_fhir, base: str,
              included: list[dict] = ()) -> dict:
    """A searchset Bundle of one page, with self/next/previous links that keep the search, and the
    ``_include``d resources after the matches (each once)."""
    query = [(k, v) for k in request.GET for v in request.GET.getlist(k) if k not in PAGING]

    def link(relation, page_offset):
        params = urlencode([*query, ("_count", count), ("_offset", page_offset)])
        return {"relation": relation, "url": f"{base}/{resource_type}?{params}"}

    links = [link("self", offset)]
    if offset + count < total:
        links.append(link("next", offset + count))
    if offset > 0:
        links.append(link("previous", max(0, offset - count)))
    entries = []
    for item in items:
        resource = to_fhir(item)
        entries.append({"fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}", "resource": resource, "search": {"mode": "match"}})
    seen = {e["fullUrl"] for e in entries}
    for resource in included:
        url = f"{base}/{resource['resourceType']}/{resource['id']}"
        if url not in seen:
            seen.add(url)
            entries.append({"fullUrl": url, "resource": resource, "search": {"mode": "include"}})
    return {"resourceType": "Bundle", "type": "searchset", "total": total, "link": links, "entry": entries}
