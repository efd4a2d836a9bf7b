"""Pages of patient education: the library and a page's preview (staff, printable), sending pages
to a patient (from the chart), and the patient reading and acknowledging them (portal look). Thin:
writes go through ``services``; a refused lookup goes on to ``web``'s middleware pages."""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import ServiceError, ValidationFailed
from ketamine_clinic.patients.services import get_own_patient_record, get_patient_for
from ketamine_clinic.web.access import staff_required
from ketamine_clinic.web.refusals import attempt, flash_refusal

from . import clinic_pages, content, services


def _ctx(request) -> Context:
    return Context.from_request(request)


@staff_required("education.view", "education.manage")
def library(request):
    return render(request, "education/library.html", {
        "pages": services.library_for(_ctx(request)), "can_manage": has_permission(request.user, "education.manage")})


def _language(request) -> str:
    return (request.POST.get("language") or request.GET.get("language") or "en")[:10]


@staff_required("education.view", "education.manage")
def page(request, slug, version=None):
    ctx, language = _ctx(request), _language(request)
    found = services.page_for(ctx, slug, language) if version is None else clinic_pages.version_of(ctx, slug, language, version)
    _, html = services.rendered(found, request.user.organization)
    return render(request, "education/page.html", {
        "page": found, "html": html, "versions": clinic_pages.versions_of(ctx, slug, language),
        "shipped": content.get_page(slug, language), "can_manage": has_permission(request.user, "education.manage")})


@staff_required("education.manage")
def edit_page(request, slug):
    """The clinic's version of a page: a copy of the one in use to start; each save a new version."""
    ctx, language = _ctx(request), _language(request)
    current = clinic_pages.page_of(request.user.organization_id, slug, language) or content.get_page(slug, "en")
    if current is None:
        raise Http404("No such education page.")
    values, errors, status = clinic_pages.draft_from(current), {}, 200
    if request.method == "POST":
        values = {f: request.POST.get(f, "") for f in clinic_pages.EDITABLE}
        try:
            row = clinic_pages.publish_page(ctx, slug, language, request.POST)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except ServiceError as exc:
            flash_refusal(request, exc, "Not saved: ")
        else:
            grade = clinic_pages.reading_grade(clinic_pages.page_from_row(row), request.user.organization)
            messages.success(request, f"Published version {row.version} (Flesch–Kincaid grade {grade:.1f}).")
            return redirect(f"{reverse('education:page', args=[slug])}?language={language}")
    grade = None if errors else clinic_pages.reading_grade(current if request.method != "POST" else
                                                           _preview(current, values), request.user.organization)
    return render(request, "education/edit.html", {
        "page": current, "values": values, "errors": errors, "language": language, "grade": grade,
        "grade_limit": clinic_pages.READING_GRADE_WARN_ABOVE}, status=status)


def _preview(current, values):
    return dataclasses.replace(current, body=values.get("body", ""))


@staff_required("education.assign")
@require_POST
def assign(request, patient_id):
    ctx = _ctx(request)
    patient = get_patient_for(ctx, patient_id)
    if request.POST.get("route"):
        rows = attempt(request, lambda: services.assign_pack(ctx, patient, request.POST["route"], request.POST.get("phase", "before")),
                       refused="Nothing sent: ")
    else:
        rows = attempt(request, lambda: services.assign_pages(ctx, patient, request.POST.getlist("page")), refused="Nothing sent: ")
    if rows:
        messages.success(request, f"Sent to the portal: {', '.join(r.page_title for r in rows)}.")
    return redirect("patients:chart", public_id=patient.public_id)


def _portal_patient(request):
    """The signed-in portal patient's own record, or None (staff are sent home; no linked record: 404)."""
    if not request.user.is_portal_patient:
        return None
    return get_own_patient_record(_ctx(request))


@login_required
def portal_page(request, assignment_id):
    patient = _portal_patient(request)
    if patient is None:
        return redirect("home")
    row = services.open_assignment(_ctx(request), patient, assignment_id)
    return render(request, "education/portal_page.html", {"row": row, "html": content.to_html(row.body_markdown)})


@login_required
@require_POST
def portal_acknowledge(request, assignment_id):
    patient = _portal_patient(request)
    if patient is None:
        return redirect("home")
    row = attempt(request, lambda: services.acknowledge_assignment(_ctx(request), patient, assignment_id))
    if row is None:
        return redirect("education:portal_page", assignment_id=assignment_id)
    messages.success(request, f"Thank you. You confirmed you read “{row.page_title}”.")
    return redirect("portal:home")
