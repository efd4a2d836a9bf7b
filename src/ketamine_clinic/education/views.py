"""Pages of patient education: the library and a page's preview (staff, printable), sending pages
to a patient (from the chart), and the patient reading and acknowledging them in the portal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import Conflict, NotFound, ServiceError, error_text
from ketamine_clinic.core.views_util import forbidden, staff_required
from ketamine_clinic.patients.services import get_own_patient_record, get_patient_for

from . import content, services


def _ctx(request) -> Context:
    return Context.from_request(request)


@staff_required("education.view")
def library(request):
    return render(request, "education/library.html", {"pages": services.library_for(_ctx(request))})


@staff_required("education.view")
def page(request, slug):
    ctx = _ctx(request)
    try:
        found = services.page_for(ctx, slug, request.GET.get("language", "en")[:10])
    except NotFound:
        raise Http404("No such page.") from None
    _, html = services.rendered(found, request.user.organization)
    return render(request, "education/page.html", {"page": found, "html": html})


@staff_required("education.assign")
@require_POST
def assign(request, patient_id):
    ctx = _ctx(request)
    try:
        patient = get_patient_for(ctx, patient_id)
    except NotFound:
        raise Http404("No such patient.") from None
    try:
        if request.POST.get("route"):
            rows = services.assign_pack(ctx, patient, request.POST["route"], request.POST.get("phase", "before"))
        else:
            rows = services.assign_pages(ctx, patient, request.POST.getlist("page"))
    except PermissionDenied as exc:
        return forbidden(request, exc.action)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Sent to the portal: {', '.join(r.page_title for r in rows)}.")
    return redirect("patients:chart", public_id=patient.public_id)


def _portal_patient(request):
    if not request.user.is_portal_patient:
        return None
    try:
        return get_own_patient_record(_ctx(request))
    except NotFound:
        return None


@login_required
def portal_page(request, assignment_id):
    patient = _portal_patient(request)
    if patient is None:
        return redirect("home")
    try:
        row = services.open_assignment(_ctx(request), patient, assignment_id)
    except NotFound:
        raise Http404("No such page.") from None
    return render(request, "education/portal_page.html", {"row": row, "html": content.to_html(row.body_markdown)})


@login_required
@require_POST
def portal_acknowledge(request, assignment_id):
    patient = _portal_patient(request)
    if patient is None:
        return redirect("home")
    try:
        row = services.acknowledge_assignment(_ctx(request), patient, assignment_id)
    except NotFound:
        raise Http404("No such page.") from None
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("portal:education", assignment_id=assignment_id)
    messages.success(request, f"Thank you. You confirmed you read “{row.page_title}”.")
    return redirect("portal:home")
