"""REST API of patient education: the library, what a patient was sent (and opened and
acknowledged), sending pages; a signed-in portal patient lists and acknowledges their own pages."""

import datetime as dt
from uuid import UUID

from ninja import Field, Query, Router, Schema, Status

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.core.schemas import errors
from ketamine_clinic.patients.services import get_own_patient_record, get_patient_for

from . import clinic_pages, services
from .content import Page
from .models import EducationAssignment

router = Router(tags=["education"])


class PageSummary(Schema):
    slug: str
    title: str
    version: int
    audience: str
    routes: list[str]
    phase: str
    language: str
    source: str
    reviewer: str
    review_date: dt.date
    clinic_version: bool = Field(False, description="True: this clinic's own version; False: the shipped page")


class PageOut(PageSummary):
    html: str = Field(description="Sanitized HTML with this clinic's numbers filled in")


class PageQuery(Schema):
    language: str = Field("en", max_length=10)


class PageVersionIn(Schema):
    language: str = Field("en", max_length=10)
    title: str
    audience: str
    routes: str = Field(..., description="Comma-separated route values, or all")
    phase: str = Field(..., description="before | after | any")
    source: str
    reviewer: str
    review_date: str = Field(..., description="YYYY-MM-DD, not in the future")
    body: str = Field(..., description="Markdown; numbers as settings placeholders such as {{session.fasting.iv.food_min|duration}}")


class PageVersionOut(PageSummary):
    reading_grade: float = Field(description="Flesch-Kincaid grade (shipped pages are held at 8 or lower; a clinic page above 8 only warns)")


class AssignmentOut(Schema):
    id: UUID
    page_slug: str
    page_title: str
    page_version: int
    page_language: str
    status: str = Field(description="sent | opened | acknowledged")
    assigned_because: str
    sent_at: dt.datetime
    opened_at: dt.datetime | None
    acknowledged_at: dt.datetime | None


class AssignIn(Schema):
    pages: list[str] = Field(default_factory=list, description="Page slugs; or leave empty and name a route")
    route: str | None = Field(None, description="Send the route's pack: iv | im | esketamine_nasal | oral_sublingual")
    phase: str = Field("before", description="before | after (with route)")


def _page(p: Page) -> dict:
    return {k: getattr(p, k) for k in ("slug", "title", "version", "audience", "phase", "language", "source", "reviewer",
                                        "review_date")} | {"routes": list(p.routes), "clinic_version": p.is_clinic_version}


def _assignment(a: EducationAssignment) -> dict:
    return {"id": a.public_id, "status": a.status, **{k: getattr(a, k) for k in (
        "page_slug", "page_title", "page_version", "page_language", "assigned_because", "sent_at", "opened_at", "acknowledged_at")}}


def _portal_patient(request):
    if not request.user.is_portal_patient:
        raise PermissionDenied("education.view")
    return get_own_patient_record(Context.from_request(request))


@router.get("/education/pages", response={200: list[PageSummary], **errors(401, 403)}, summary="The education library")
def list_pages(request):
    return [_page(p) for p in services.library_for(Context.from_request(request))]


@router.get("/education/pages/{slug}", response={200: PageOut, **errors(401, 403, 404, 422)},
            summary="An education page with this clinic's numbers, as sanitized HTML")
def read_page(request, slug: str, params: Query[PageQuery]):
    ctx = Context.from_request(request)
    page = services.page_for(ctx, slug, params.language)
    return {**_page(page), "html": services.rendered(page, ctx.user.organization)[1]}


@router.get("/education/pages/{slug}/versions", response={200: list[PageSummary], **errors(401, 403, 422)},
            summary="This clinic's own versions of a page, newest first (the shipped page is not listed)")
def list_page_versions(request, slug: str, params: Query[PageQuery]):
    ctx = Context.from_request(request)
    return [_page(clinic_pages.page_from_row(r)) for r in clinic_pages.versions_of(ctx, slug, params.language)]


@router.post("/education/pages/{slug}/versions", response={201: PageVersionOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Publish this clinic's new version of a page (replaces the shipped page for this clinic)")
def publish_page_version(request, slug: str, payload: PageVersionIn):
    ctx = Context.from_request(request)
    data = payload.dict()
    row = clinic_pages.publish_page(ctx, slug, data.pop("language"), data)
    page = clinic_pages.page_from_row(row)
    return Status(201, {**_page(page), "reading_grade": clinic_pages.reading_grade(page, ctx.user.organization)})


@router.get("/patients/{patient_id}/education", response={200: list[AssignmentOut], **errors(401, 403, 404, 422)},
            summary="Pages sent to a patient: sent, opened, acknowledged, and which version")
def list_assignments(request, patient_id: UUID):
    ctx = Context.from_request(request)
    return [_assignment(a) for a in services.assignments_for(ctx, get_patient_for(ctx, patient_id))]


@router.post("/patients/{patient_id}/education", response={201: list[AssignmentOut], **errors(400, 401, 403, 404, 422)},
             summary="Send pages (or a route's pack) to the patient's portal")
def assign(request, patient_id: UUID, payload: AssignIn):
    ctx = Context.from_request(request)
    patient = get_patient_for(ctx, patient_id)
    if payload.route:
        rows = services.assign_pack(ctx, patient, payload.route, payload.phase)
    elif payload.pages:
        rows = services.assign_pages(ctx, patient, payload.pages)
    else:
        raise ValidationFailed({"pages": ["Name pages or a route."]})
    return Status(201, [_assignment(a) for a in rows])


@router.get("/me/education", response={200: list[AssignmentOut], **errors(401, 403, 404)},
            summary="Portal patient: the pages the clinic sent me")
def my_assignments(request):
    return [_assignment(a) for a in services.own_assignments(_portal_patient(request))]


@router.post("/me/education/{assignment_id}/acknowledge", response={200: AssignmentOut, **errors(401, 403, 404, 409, 422)},
             summary="Portal patient: confirm I read and understood a page")
def acknowledge(request, assignment_id: UUID):
    patient = _portal_patient(request)
    return _assignment(services.acknowledge_assignment(Context.from_request(request), patient, assignment_id))
