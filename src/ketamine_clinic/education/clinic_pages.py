"""A clinic's own versions of the education pages.

A clinic admin or prescriber (``education.manage``) publishes the clinic's version of a shipped page,
starting from a copy of it: Markdown body, audience, routes, phase, language, source, reviewer and
review date. Each save is a new immutable version; old versions stay readable; assignments keep
pointing at the version they sent. The clinic's newest version replaces the shipped page for that
clinic only. Placeholders work as in the shipped pages (an unknown one is a field error). The
Flesch–Kincaid grade is shown on the edit page: shipped pages are tested at 8 or below; a clinic's
own page above that only warns (the clinic owns its wording).
"""

import datetime as dt
import re

import textstat
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from ketamine_clinic.core import batch
from ketamine_clinic.core.prepared import Prepared

from ketamine_clinic.accounts.permissions import denied, has_permission, require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinic_settings import all_settings, policy_for
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed

from . import content
from .models import CLINIC_PAGE_BODY_MAX_CHARS, ClinicEducationPage

# Shipped pages are held at this grade by a test (NIH: below 8th grade, PRACTICE.md §6.2); a
# clinic's own version above it gets a warning on the edit page, not a refusal.
READING_GRADE_WARN_ABOVE = 8
LANGUAGE_RE = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")
FORMATTERS = (None, "duration", "hours")
TEXT_LIMITS = {"title": 200, "audience": 120, "source": 300, "reviewer": 120}
EDITABLE = ("title", "audience", "routes", "phase", "source", "reviewer", "review_date", "body")


# --- reads ------------------------------------------------------------------------------------
def require_library(user) -> None:
    """Who reads the library: staff who read education, and those who publish the clinic's pages."""
    if not (has_permission(user, "education.view") or has_permission(user, "education.manage")):
        raise denied("education.view")


def page_from_row(row: ClinicEducationPage) -> content.Page:
    return content.Page(slug=row.slug, title=row.title, version=row.version, audience=row.audience,
                        routes=tuple(r.strip() for r in row.routes.split(",")), phase=row.phase, language=row.language,
                        source=row.source, reviewer=row.reviewer, review_date=row.review_date, body=row.body,
                        clinic_page_id=row.pk)


_CLINIC_PAGES = Prepared(lambda organization_id: ClinicEducationPage.objects.filter(organization_id=organization_id)
                         .order_by("slug", "language", "-version"))


def clinic_pages_read(organization) -> dict:
    """The clinic's own page versions, newest first per page (for ``core.batch``; compiled once per process)."""
    org_id = getattr(organization, "pk", organization)
    return {("education.clinic_pages", org_id): _CLINIC_PAGES(org_id)}


def pages_for(organization) -> dict[tuple[str, str], content.Page]:
    """The library one clinic sees: the shipped pages, each replaced by the clinic's newest version."""
    pages = dict(content.library())
    if organization is None:
        return pages
    key, rows = next(iter(clinic_pages_read(organization).items()))
    for row in batch.lists({key: rows})[key]:
        key = (row.slug, row.language)
        if not pages.get(key) or not pages[key].is_clinic_version:
            pages[key] = page_from_row(row)
    return pages


def page_of(organization, slug: str, language: str = "en") -> content.Page | None:
    return pages_for(organization).get((slug, language))


def versions_of(ctx: Context, slug: str, language: str = "en") -> list[ClinicEducationPage]:
    """The clinic's versions of a page, newest first (the shipped page is not among them)."""
    require_library(ctx.user)
    return list(ClinicEducationPage.objects.filter(organization_id=ctx.user.organization_id, slug=slug, language=language)
                .select_related("created_by"))


def version_of(ctx: Context, slug: str, language: str, version: int) -> content.Page:
    """One version of a page as this clinic had it: a clinic version, or the shipped page."""
    require_library(ctx.user)
    row = ClinicEducationPage.objects.filter(organization_id=ctx.user.organization_id, slug=slug, language=language,
                                             version=version).first()
    if row is not None:
        return page_from_row(row)
    shipped = content.get_page(slug, language)
    if shipped is None or shipped.version != version:
        raise NotFound("No such version of this page.")
    return shipped


def reading_grade(page: content.Page, organization) -> float:
    """Flesch–Kincaid grade of the words the patient reads (placeholders filled)."""
    return textstat.flesch_kincaid_grade(content.to_plain_text(content.fill(page, policy_for(organization))))


# --- publishing -------------------------------------------------------------------------------
def _placeholder_errors(body: str) -> list[str]:
    known = all_settings()
    out = []
    for match in content.PLACEHOLDER.finditer(body):
        key, formatter = match.group(1), match.group(2)
        if key not in known:
            out.append(f"{{{{{key}}}}} names no clinic setting.")
        elif formatter not in FORMATTERS:
            out.append(f"{{{{{key}|{formatter}}}}}: the formats are duration (minutes) and hours.")
    if "{{" in content.PLACEHOLDER.sub("", body):
        out.append("A placeholder is malformed: write {{setting.key}} or {{setting.key|duration}}.")
    return out


def _clean_text_fields(data: dict, errors: dict) -> dict:
    clean = {}
    for field, limit in TEXT_LIMITS.items():
        value = (data.get(field) or "").strip()
        if not value:
            errors[field] = ["Required."]
        elif len(value) > limit:
            errors[field] = [f"At most {limit} characters (it has {len(value)})."]
        clean[field] = value
    return clean


def _clean_routes_phase_date(data: dict, errors: dict) -> dict:
    routes = [r.strip() for r in (data.get("routes") or "").split(",") if r.strip()]
    allowed = {r.value for r in Route} | {content.ALL_ROUTES}
    if not routes or any(r not in allowed for r in routes):
        errors["routes"] = [f"Give routes separated by commas, from: {', '.join(sorted(allowed))}."]
    phase = (data.get("phase") or "").strip()
    if phase not in content.PHASES:
        errors["phase"] = [f"Choose one of: {', '.join(content.PHASES)}."]
    review_date = None
    try:
        review_date = dt.date.fromisoformat((data.get("review_date") or "").strip())
    except ValueError:
        errors["review_date"] = ["Give the review date as YYYY-MM-DD."]
    if review_date and review_date > timezone.localdate():
        errors["review_date"] = ["The review date cannot be in the future."]
    return {"routes": ",".join(routes), "phase": phase, "review_date": review_date}


def _clean(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    clean = _clean_text_fields(data, errors) | _clean_routes_phase_date(data, errors)
    body = (data.get("body") or "").replace("\r\n", "\n").strip()
    if not body:
        errors["body"] = ["Write the page."]
    elif len(body) > CLINIC_PAGE_BODY_MAX_CHARS:
        errors["body"] = [f"Keep the page to {CLINIC_PAGE_BODY_MAX_CHARS:,} characters or fewer (it has {len(body):,})."]
    elif problems := _placeholder_errors(body):
        errors["body"] = problems
    if errors:
        raise ValidationFailed(errors)
    return clean | {"body": body + "\n"}


def publish_page(ctx: Context, slug: str, language: str, data: dict) -> ClinicEducationPage:
    """Save the clinic's new version of a shipped page (a new row; nothing earlier changes)."""
    require(ctx.user, "education.manage")
    if not LANGUAGE_RE.match(language or ""):
        raise ValidationFailed({"language": ["Give a language code such as en or es."]})
    if not any(s == slug for s, _ in content.library()):
        raise NotFound("No such education page.")
    clean = _clean(data)
    org = ctx.user.organization
    shipped = content.get_page(slug, language)
    try:
        with transaction.atomic():
            last = ClinicEducationPage.objects.filter(organization=org, slug=slug, language=language).aggregate(v=Max("version"))["v"]
            version = max(last or 0, shipped.version if shipped else 0) + 1
            row = ClinicEducationPage.objects.create(organization=org, slug=slug, language=language, version=version,
                                                     created_by=ctx.user, **clean)
            record(ctx, Action.EDUCATION_PAGE_PUBLISH, obj=row, organization=org,
                   detail={"page": slug, "language": language, "version": version})
    except IntegrityError:  # a colleague saved the same page at the same moment
        raise Conflict("Someone saved this page at the same time: reload it and save again.") from None
    return row


def draft_from(page: content.Page) -> dict:
    """The edit form's starting values: the page shown (the clinic's newest, else the shipped copy)."""
    values = {field: getattr(page, field) for field in EDITABLE}
    values["routes"] = ", ".join(page.routes)
    values["review_date"] = page.review_date.isoformat()
    return values
