"""Pages of patient education: the library and a page's preview (staff, printable), sending pages
to a patient (from the chart), and the patient reading and acknowledging them (portal look). Thin:
writes go through ``services``; a refused lookup goes on to ``web``'s middleware pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketamine_clinic.audit.services import Context
from ketamine_clinic.patients.services import get_own_patient_record, get_patient_for
from ketamine_clinic.web.access import staff_required
from ketamine_clinic.web.refusals import attempt

from . import content, services


def _ctx(request) -> Context:
    return Context.from_request(request)


@staff_required("education.view")
def library(request):
    return render(request, "education/library.html", {"pages": services.library_for(_ctx(request))})


@staff_required("education.view")
def page(request, slug):
    found = services.page_for(_ctx(request), slug, request.GET.get("language", "en")[:10])
    _, html = services.rendered(found, request.user.organization)
    return render(request, "education/page.html", {"page": found, "html": html})


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
