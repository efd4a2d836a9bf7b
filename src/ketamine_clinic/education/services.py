"""Sending education pages to a patient, and the patient opening and acknowledging them.

Staff send one page, or a route's pack (every page for the route and phase). Sending the same page
version twice keeps the first assignment (safe under concurrent clicks: one row per patient, page,
language and version). The patient reads and acknowledges in the portal; each step is audited.
"""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ketamine_clinic.accounts.permissions import has_permission, require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinic_settings import policy_for
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed, require_own_clinic
from ketamine_clinic.core.ids import uuid_or_none
from ketamine_clinic.patients.models import Patient, TimelineEvent
from ketamine_clinic.patients.timeline import timeline_summary

from . import content
from .clinic_pages import page_of, pages_for, require_library
from .models import EducationAssignment
from .clinic_policy import send_pack_on_plan_activation


# --- reads ------------------------------------------------------------------------------------
def rendered(page: content.Page, organization) -> tuple[str, str]:
    """(Markdown with the clinic's numbers, sanitized HTML)."""
    text = content.fill(page, policy_for(organization))
    return text, content.to_html(text)


def library_for(ctx: Context) -> list[content.Page]:
    """The clinic's library: each shipped page, or the clinic's newest version of it."""
    require_library(ctx.user)
    return sorted(pages_for(ctx.user.organization_id).values(), key=lambda p: (p.phase != "before", p.title))


def page_for(ctx: Context, slug: str, language: str = "en") -> content.Page:
    require_library(ctx.user)
    page = page_of(ctx.user.organization_id, slug, language)
    if page is None:
        raise NotFound("No such education page.")
    return page


def pack(organization, route: str, phase: str = "before") -> list[content.Page]:
    """The clinic's pages for a route and phase (phase "any" pages go with every pack), English."""
    return [p for p in pages_for(organization).values()
            if p.language == "en" and p.for_route(route) and p.phase in (phase, "any")]


def assignments_for(ctx: Context, patient: Patient) -> QuerySet[EducationAssignment]:
    require(ctx.user, "education.view")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    return EducationAssignment.objects.filter(organization_id=ctx.user.organization_id, patient=patient).select_related("assigned_by")


def own_assignments(patient: Patient) -> QuerySet[EducationAssignment]:
    """A portal patient's own pages (the caller has resolved ``patient`` from the signed-in user)."""
    return EducationAssignment.objects.filter(patient=patient)


def get_own_assignment(ctx: Context, patient: Patient, public_id) -> EducationAssignment:
    found = EducationAssignment.objects.filter(patient=patient, public_id=uuid_or_none(public_id)).first() if uuid_or_none(public_id) else None
    if found is None:
        raise NotFound("No such page.")
    return found


def acknowledged(patient: Patient, slug: str) -> EducationAssignment | None:
    """The newest acknowledged assignment of ``slug`` (any version), if the patient acknowledged it."""
    return EducationAssignment.objects.filter(patient=patient, page_slug=slug, acknowledged_at__isnull=False).order_by("-acknowledged_at").first()


# --- writes -----------------------------------------------------------------------------------
def _assign_one(ctx: Context, patient: Patient, page: content.Page, because: str) -> tuple[EducationAssignment, bool]:
    existing = EducationAssignment.objects.filter(patient=patient, page_slug=page.slug, page_language=page.language,
                                                  page_version=page.version).first()
    if existing is not None:
        return existing, False
    text, _ = rendered(page, patient.organization)
    try:
        with transaction.atomic():
            row = EducationAssignment.objects.create(
                organization=patient.organization, patient=patient, page_slug=page.slug, page_version=page.version,
                page_language=page.language, page_title=page.title, body_markdown=text, assigned_by=ctx.user,
                assigned_because=because, clinic_page_id=page.clinic_page_id)
    except IntegrityError:  # a concurrent request sent the same version first: keep that one
        return EducationAssignment.objects.get(patient=patient, page_slug=page.slug, page_language=page.language,
                                               page_version=page.version), False
    record(ctx, Action.EDUCATION_ASSIGN, obj=row, patient=patient, organization=patient.organization,
           detail={"page": page.slug, "version": page.version, "clinic_version": page.is_clinic_version, "because": because})
    TimelineEvent.objects.create(patient=patient, kind="education", actor=ctx.user,
                                 summary=timeline_summary(f"Education sent: {page.title} (v{page.version})"))
    return row, True


def assign_pages(ctx: Context, patient: Patient, slugs: list[str], *, language: str = "en", because: str = "sent by staff") -> list[EducationAssignment]:
    """Send pages to the patient's portal; a page version already sent is not sent twice."""
    require(ctx.user, "education.assign")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    library = pages_for(patient.organization_id)
    pages = [library.get((slug, language)) for slug in dict.fromkeys(slugs)]
    if not slugs or None in pages:
        raise ValidationFailed({"pages": ["Choose pages from the library."]})
    with transaction.atomic():
        return [_assign_one(ctx, patient, page, because)[0] for page in pages]


def assign_pack(ctx: Context, patient: Patient, route: str, phase: str = "before") -> list[EducationAssignment]:
    """Send every page of a route's pack (what to expect, preparing, the REMS for esketamine …)."""
    if route not in {r.value for r in Route}:
        raise ValidationFailed({"route": [f"Choose one of: {', '.join(r.value for r in Route)}."]})
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    slugs = [p.slug for p in pack(patient.organization_id, route, phase)]
    return assign_pages(ctx, patient, slugs, because=f"{route} pack ({phase})")


def send_pack_for_plan(ctx: Context, plan) -> list[EducationAssignment]:
    """On plan activation (a ``plans`` activation hook): the route's pack for before treatment,
    when the clinic's policy says so and the signer may send education."""
    if not send_pack_on_plan_activation(plan.organization_id) or not has_permission(ctx.user, "education.assign"):
        return []
    return assign_pages(ctx, plan.patient, [p.slug for p in pack(plan.organization_id, plan.route, "before")],
                        because=f"{plan.route} pack (plan activated)")


def _locked_own(ctx: Context, patient: Patient, public_id) -> EducationAssignment:
    row = get_own_assignment(ctx, patient, public_id)
    return EducationAssignment.objects.select_for_update().get(pk=row.pk)


def open_assignment(ctx: Context, patient: Patient, public_id, *, now=None) -> EducationAssignment:
    """The patient opened the page: the first opening is kept; every reading is audited."""
    with transaction.atomic():
        row = _locked_own(ctx, patient, public_id)
        if row.opened_at is None:
            row.opened_at = now or timezone.now()
            row.save(update_fields=["opened_at"])
        record(ctx, Action.EDUCATION_OPEN, obj=row, patient=patient, organization=row.organization,
               detail={"page": row.page_slug, "version": row.page_version})
    return row


def acknowledge_assignment(ctx: Context, patient: Patient, public_id, *, now=None) -> EducationAssignment:
    """The patient confirms they read and understood the page (once; a second time is a conflict)."""
    with transaction.atomic():
        row = _locked_own(ctx, patient, public_id)
        if row.acknowledged_at is not None:
            raise Conflict(f"You already confirmed this page on {timezone.localtime(row.acknowledged_at):%Y-%m-%d}.")
        now = now or timezone.now()
        row.acknowledged_at = now
        row.opened_at = row.opened_at or now
        row.save(update_fields=["acknowledged_at", "opened_at"])
        record(ctx, Action.EDUCATION_ACKNOWLEDGE, obj=row, patient=patient, organization=row.organization,
               detail={"page": row.page_slug, "version": row.page_version})
        TimelineEvent.objects.create(patient=patient, kind="education", actor=ctx.user,
                                     summary=timeline_summary(f"Education acknowledged: {row.page_title} (v{row.page_version})"))
    return row
