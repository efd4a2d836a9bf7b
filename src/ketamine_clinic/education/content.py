"""The education library: Markdown pages shipped in ``pages/``, each with front matter (title,
version, audience, routes, phase, language, source, reviewer, review date).

Numbers in a page are placeholders filled from the clinic's settings, the same values the session
checklist and discharge rules read: ``{{session.fasting.iv.food_min|duration}}``. So the text a
patient reads and the rule the nurse's checklist applies cannot drift apart. Pages render to HTML
with ``markdown`` and are then sanitized with ``nh3`` (no script, style or event attribute survives).
"""

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import markdown
import nh3

PAGES_DIR = Path(__file__).parent / "pages"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9_.]+)\s*(?:\|\s*([a-z]+)\s*)?\}\}")
REQUIRED = ("slug", "title", "version", "audience", "routes", "phase", "language", "source", "reviewer", "review_date")
PHASES = ("before", "after", "any")
ALL_ROUTES = "all"

# Tags the sanitizer keeps: what Markdown makes for prose, lists, tables and links.
ALLOWED_TAGS = {"p", "h1", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "table", "thead", "tbody", "tr",
                "th", "td", "blockquote", "br", "hr", "code"}


class ContentError(ValueError):
    """A shipped page is malformed (caught by the tests, never at a patient's screen)."""


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    version: int
    audience: str
    routes: tuple[str, ...]  # route values, or ("all",)
    phase: str  # before | after | any
    language: str
    source: str
    reviewer: str
    review_date: dt.date
    body: str  # Markdown with placeholders
    clinic_page_id: int | None = None  # the clinic's own version (None: shipped in pages/)

    @property
    def is_clinic_version(self) -> bool:
        return self.clinic_page_id is not None

    def for_route(self, route: str) -> bool:
        return ALL_ROUTES in self.routes or route in self.routes

    @property
    def setting_keys(self) -> list[str]:
        return [m.group(1) for m in PLACEHOLDER.finditer(self.body)]


def _front_matter(text: str, name: str) -> tuple[dict, str]:
    if not text.startswith("---\n"):
        raise ContentError(f"{name}: no front matter")
    head, sep, body = text[4:].partition("\n---\n")
    if not sep:
        raise ContentError(f"{name}: front matter not closed")
    meta = {}
    for line in head.splitlines():
        key, colon, value = line.partition(":")
        if not colon:
            raise ContentError(f"{name}: bad front-matter line {line!r}")
        meta[key.strip()] = value.strip()
    missing = [k for k in REQUIRED if not meta.get(k)]
    if missing:
        raise ContentError(f"{name}: missing {', '.join(missing)}")
    return meta, body.strip() + "\n"


def parse_page(text: str, name: str = "page") -> Page:
    meta, body = _front_matter(text, name)
    if meta["phase"] not in PHASES:
        raise ContentError(f"{name}: phase must be one of {PHASES}")
    return Page(slug=meta["slug"], title=meta["title"], version=int(meta["version"]), audience=meta["audience"],
                routes=tuple(r.strip() for r in meta["routes"].split(",")), phase=meta["phase"], language=meta["language"],
                source=meta["source"], reviewer=meta["reviewer"], review_date=dt.date.fromisoformat(meta["review_date"]),
                body=body)


@cache
def library() -> dict[tuple[str, str], Page]:
    """Every shipped page by (slug, language)."""
    pages = {}
    for path in sorted(PAGES_DIR.glob("*.md")):
        page = parse_page(path.read_text(encoding="utf-8"), path.name)
        if (page.slug, page.language) in pages:
            raise ContentError(f"{path.name}: {page.slug} ({page.language}) twice")
        pages[(page.slug, page.language)] = page
    return pages


def get_page(slug: str, language: str = "en") -> Page | None:
    return library().get((slug, language))


def _format(value, formatter: str | None) -> str:
    if formatter is None:
        return str(value)
    if formatter == "duration":  # minutes -> "4 hours" / "1 hour" / "30 minutes"
        minutes = int(value)
        if minutes and minutes % 60 == 0:
            hours = minutes // 60
            return f"{hours} hour{'s' if hours != 1 else ''}"
        return f"{minutes} minutes"
    if formatter == "hours":  # hours -> "24 hours"
        hours = int(value)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    raise ContentError(f"unknown formatter {formatter!r}")


def fill(page: Page, settings: dict) -> str:
    """The page's Markdown with every placeholder replaced by the clinic's setting."""

    def value(match):
        key, formatter = match.group(1), match.group(2)
        if key not in settings:
            raise ContentError(f"{page.slug}: no clinic setting {key!r}")
        return _format(settings[key], formatter)

    return PLACEHOLDER.sub(value, page.body)


def to_html(markdown_text: str) -> str:
    """Markdown rendered, then sanitized: what a page may show, never what it may run."""
    html = markdown.markdown(markdown_text, extensions=["tables"], output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}, url_schemes={"https", "mailto"},
                     link_rel="noopener noreferrer")


def to_plain_text(markdown_text: str) -> str:
    """The words a reader sees (for the reading-level check and the printout)."""
    return nh3.clean(to_html(markdown_text), tags=set()).replace("&amp;", "&")
