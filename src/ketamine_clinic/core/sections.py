"""The sections of the pages that compose several apps (the patient chart, Today).

Each app registers its sections from its ``AppConfig.ready()``; the page (in ``front``) shows, in
order, those the signed-in user may see, each rendered from its template with what its context
function loaded. A context function loads its data in a fixed, small number of queries, whatever
the number of records, so the page's cost does not grow with the chart.

    register("chart", 30, "plans/_chart_section.html", sections.chart, name="plans", actions=("plan.view",))

A section may also name its lists (``reads``: ``{memo key: QuerySet}``, see ``core.batch``): the
page reads the lists of every section it shows in one statement before it builds any context, and
each context function, reading the same keys through ``batch.lists``, finds its own already loaded.

The kernel knows neither apps nor the permission matrix: it asks the user object (``user.may``).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import batch

PAGES = ("chart", "today")

# ``context_fn(request, patient) -> dict``: ``patient`` is None on a page about no one patient (Today).
ContextFn = Callable[[Any, Any], dict]
# ``reads_fn(request, patient) -> {memo key: QuerySet}``: the lists ``context_fn`` reads with ``batch.lists``.
ReadsFn = Callable[[Any, Any], dict]


@dataclass(frozen=True)
class Section:
    page: str
    order: int  # smaller first; apps leave gaps (10, 20, ...) so a new one fits between
    template: str
    context_fn: ContextFn
    name: str  # unique on its page; the section's markup carries it as ``data-section``
    actions: tuple[str, ...]  # a user allowed any one of these sees the section
    reads: ReadsFn | None = None

    def visible_to(self, user) -> bool:
        return any(user.may(action) for action in self.actions)


@dataclass(frozen=True)
class Shown:
    """A section as one user sees it on one page: its template and the data its function loaded."""

    name: str
    template: str
    context: dict


# Filled at start-up (AppConfig.ready), read afterwards: page -> name -> Section.
_SECTIONS: dict[str, dict[str, Section]] = {page: {} for page in PAGES}


def register(page: str, order: int, template: str, context_fn: ContextFn, *, name: str,
             actions: Iterable[str], reads: ReadsFn | None = None) -> Section:
    """Add a section to ``page``. Registering the same section again changes nothing; another with
    the same name is a programming error."""
    if page not in _SECTIONS:
        raise ValueError(f"unknown page {page!r}: one of {', '.join(PAGES)}")
    section = Section(page, order, template, context_fn, name, tuple(actions), reads)
    if not section.actions:
        raise ValueError(f"section {page}/{name} names no action: every section is permissioned")
    known = _SECTIONS[page].get(name)
    if known is not None and known != section:
        raise ValueError(f"section {page}/{name} registered twice")
    _SECTIONS[page][name] = section
    return section


def sections(page: str) -> list[Section]:
    """Every section registered on ``page``, in order."""
    return sorted(_SECTIONS[page].values(), key=lambda s: (s.order, s.name))


def show(section: Section, request, patient=None) -> Shown | None:
    """``section`` with its data loaded for the request's user; None when they may not see it."""
    if not section.visible_to(request.user):
        return None
    return Shown(section.name, section.template, section.context_fn(request, patient))


def shown(page: str, request, patient=None, also: dict | None = None) -> list[Shown]:
    """The sections of ``page`` the request's user may see, in order, each with its data loaded.
    Their lists, and the page's own (``also``), are read first, in one statement."""
    visible = [section for section in sections(page) if section.visible_to(request.user)]
    planned = dict(also or {})
    for section in visible:
        if section.reads is not None:
            planned.update(section.reads(request, patient))
    batch.lists(planned)
    return [Shown(section.name, section.template, section.context_fn(request, patient)) for section in visible]
