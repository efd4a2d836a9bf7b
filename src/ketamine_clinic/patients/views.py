"""Patient registry screens: thin — parse, call a service, render."""

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ketamine_clinic.accounts.models import Location, User
from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical.medications import known_names as known_medication_names
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.core.pagination import MAX_PAGE
from ketamine_clinic.core.versions import required_version
from ketamine_clinic.web.access import staff_required
from ketamine_clinic.web.forms import with_errors
from ketamine_clinic.web.refusals import flash_refusal

from . import forms as pforms
from . import history
from . import services
from .models import RecordStatus

SEARCH_PAGE_SIZE = 25

SUBRECORD_TITLES = {
    "measurement": "Weight and height",
    "allergy": "Allergy",
    "medication": "Current medication",
    "trial": "Antidepressant trial",
    "diagnosis": "Diagnosis",
    "result": "Test result (ECG, laboratory)",
}


@staff_required("patient.view")
def patient_list(request):
    ctx = Context.from_request(request)
    q = request.GET.get("q", "")
    page = _search_page(ctx, q, request.GET.get("page"))
    template = "patients/_results.html" if request.htmx else "patients/list.html"
    return render(request, template, {"page": page, "q": q, "can_register": has_permission(request.user, "patient.register")})


def _search_page(ctx, q: str, requested) -> Page:
    """The search results as a paginator page, from one query for the rows and their count."""
    try:
        number = min(max(int(requested or 1), 1), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    rows, total = services.search_page(ctx, q, number, SEARCH_PAGE_SIZE)
    last = max(1, -(-total // SEARCH_PAGE_SIZE))
    if number > last:  # past the end: the last page, as Paginator.get_page does
        number = last
        rows, total = services.search_page(ctx, q, number, SEARCH_PAGE_SIZE)
    paginator = Paginator(rows, SEARCH_PAGE_SIZE)
    paginator.count = total  # known already: no second scan (``count`` is a cached property)
    return Page(rows, number, paginator)


@staff_required("patient.register")
@require_http_methods(["GET", "POST"])
def patient_register(request):
    ctx = Context.from_request(request)
    if request.method == "POST":
        try:
            patient = services.register_patient(ctx, request.POST.dict())
        except (ValidationFailed, Conflict) as exc:
            form = with_errors(_registration_form(request, request.POST), exc.errors)
            return render(request, "patients/register.html", {"form": form, "error": exc.message}, status=exc.status)
        messages.success(request, f"Registered {patient.display_name} (MRN {patient.mrn}).")
        return redirect("patients:chart", public_id=patient.public_id)
    return render(request, "patients/register.html", {"form": _registration_form(request)})


def _registration_form(request, data=None) -> pforms.RegistrationForm:
    """The form with the clinic's locations to choose the patient's home location from (their
    time zone sets the patient's 'today'); the registering user's own location comes first."""
    user = request.user
    form = pforms.RegistrationForm(data=data, initial={"home_location": getattr(user.default_location, "public_id", None)})
    locations = Location.objects.filter(organization_id=user.organization_id).order_by("name")
    form.fields["home_location"].widget = forms.Select(choices=[("", "Choose a location")] + [(str(loc.public_id), loc.name) for loc in locations])
    form.fields["home_location"].label = "Home location"
    return form




@staff_required("patient.edit_clinical")
@require_POST
def no_known_allergies(request, public_id):
    ctx = Context.from_request(request)
    patient = services.get_patient_for(ctx, public_id)
    try:
        services.record_no_known_allergies(ctx, patient)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "No known allergies recorded.")
    return redirect("patients:chart", public_id=patient.public_id)


@staff_required("patient.edit_demographics")
@require_http_methods(["GET", "POST"])
def patient_edit(request, public_id):
    ctx = Context.from_request(request)
    patient = services.get_patient_for(ctx, public_id)
    if request.method == "POST":
        try:
            version = required_version(request.POST.get("version"))
            services.update_patient(ctx, patient, request.POST.dict(), expected_version=version, reason=request.POST.get("reason", ""))
        except (ValidationFailed, Conflict) as exc:
            form = with_errors(pforms.PatientForm(data=request.POST), exc.errors)
            return render(request, "patients/edit.html", {"form": form, "patient": patient, "error": exc.message}, status=exc.status)
        messages.success(request, "Saved.")
        return redirect("patients:chart", public_id=patient.public_id)
    initial = {k: getattr(patient, k) for k in pforms.PatientForm.DEMOGRAPHIC_FIELDS}
    return render(request, "patients/edit.html", {"form": pforms.PatientForm(initial=initial), "patient": patient})


@staff_required("patient.edit_clinical")
@require_http_methods(["GET", "POST"])
def subrecord_add(request, public_id, kind):
    if kind not in pforms.SUBRECORD_FORMS:
        raise Http404("Unknown record type.")
    ctx = Context.from_request(request)
    patient = services.get_patient_for(ctx, public_id)
    form_class = pforms.SUBRECORD_FORMS[kind]
    if request.method == "POST":
        try:
            services.add_subrecord(ctx, patient, kind, request.POST.dict(), attachment=request.FILES.get("attachment"))
        except ValidationFailed as exc:
            form = with_errors(form_class(data=request.POST), exc.errors)
            return render(request, "patients/subrecord_form.html", {"form": form, "error": exc.message, **_subrecord_page(patient, kind)}, status=exc.status)
        messages.success(request, f"{SUBRECORD_TITLES[kind]} recorded.")
        return redirect("patients:chart", public_id=patient.public_id)
    return render(request, "patients/subrecord_form.html", {"form": form_class(), **_subrecord_page(patient, kind)})


@staff_required("patient.view")
def result_attachment(request, public_id, record_id):
    """The report attached to a test result, served only to staff who may open the chart."""
    ctx = Context.from_request(request)
    patient = services.get_patient_for(ctx, public_id, audit_action=Action.PATIENT_RESULT_ATTACHMENT)
    result = patient.test_results.filter(public_id=record_id).exclude(attachment_type="").first()
    if result is None:
        raise Http404("No such report.")
    response = HttpResponse(bytes(result.attachment), content_type=result.attachment_type)
    response["Content-Disposition"] = f'inline; filename="{_safe_filename(result.attachment_name)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _safe_filename(name: str) -> str:
    return "".join(ch for ch in name if ch.isalnum() or ch in "._- ")[:100] or "report"


def _subrecord_page(patient, kind) -> dict:
    extra = {"medication_names": known_medication_names()} if kind == "medication" else {}
    return {"patient": patient, "kind": kind, "title": SUBRECORD_TITLES[kind], **extra}


@staff_required("patient.edit_clinical")
@require_http_methods(["GET", "POST"])
def subrecord_correct(request, public_id, kind, record_id):
    if kind not in pforms.SUBRECORD_FORMS:
        raise Http404("Unknown record type.")
    ctx = Context.from_request(request)
    patient = services.get_patient_for(ctx, public_id)
    entry = services.get_subrecord(patient, kind, record_id)
    if entry.status == RecordStatus.ENTERED_IN_ERROR:
        messages.error(request, "This entry was withdrawn as entered in error and cannot be corrected.")
        return redirect("patients:chart", public_id=patient.public_id)
    form_class = pforms.correction_form(kind)
    page = {**_subrecord_page(patient, kind), "title": f"Correct: {SUBRECORD_TITLES[kind]}", "entry": entry}
    if request.method == "POST":
        try:
            version = int(request.POST.get("expected_version", ""))
        except ValueError:
            version = -1  # a form without the version it was read at counts as stale; never skip the check
        try:
            services.correct_subrecord(ctx, patient, kind, entry.public_id, request.POST.dict(), request.POST.get("reason", ""), expected_version=version)
        except (ValidationFailed, Conflict) as exc:
            form = with_errors(form_class(data=request.POST), exc.errors)
            return render(request, "patients/subrecord_correct.html", {**page, "form": form, "error": exc.message}, status=exc.status)
        messages.success(request, f"{SUBRECORD_TITLES[kind]} corrected; the earlier version stays in the history.")
        return redirect("patients:chart", public_id=patient.public_id)
    initial = {**pforms.form_data_from(entry, pforms.SUBRECORD_FORMS[kind]), "expected_version": entry.version}
    return render(request, "patients/subrecord_correct.html", {**page, "form": form_class(initial=initial)})


@staff_required("patient.edit_clinical")
@require_POST
def subrecord_status(request, public_id, kind, record_id):
    ctx = Context.from_request(request)
    patient = services.get_patient_for(ctx, public_id)
    try:
        services.set_subrecord_status(ctx, patient, kind, record_id, request.POST.get("status", ""), request.POST.get("reason", ""))
    except (ValidationFailed, Conflict, NotFound) as exc:
        flash_refusal(request, exc, "Not changed: ")
    else:
        messages.success(request, "Entry updated; the earlier version stays in the history.")
    return redirect("patients:chart", public_id=patient.public_id)


@staff_required("patient.view_history")
def patient_history(request, public_id):
    ctx = Context.from_request(request)
    patient = services.get_patient_for(ctx, public_id, audit_action=Action.PATIENT_VIEW_HISTORY)
    revisions = history.with_changes(patient.revisions.select_related("changed_by"))
    return render(request, "patients/history.html", {"patient": patient, "revisions": revisions})


@staff_required("patient.edit_demographics")
@require_http_methods(["GET", "POST"])
def care_team_edit(request, public_id):
    ctx = Context.from_request(request)
    patient = services.get_patient_for(ctx, public_id)
    staff = User.objects.filter(organization_id=patient.organization_id, kind=User.Kind.STAFF, is_active=True).prefetch_related("roles").order_by("last_name", "username")
    if request.method == "POST":
        try:
            services.set_care_team(ctx, patient, request.POST.getlist("members"))
        except ValidationFailed as exc:
            flash_refusal(request, exc, "Not saved: ")
            return render(request, "patients/care_team.html", {"patient": patient, "staff": staff, "chosen": set(request.POST.getlist("members"))}, status=422)
        messages.success(request, "Care team saved.")
        return redirect("patients:chart", public_id=patient.public_id)
    chosen = {str(u.public_id) for u in patient.care_team.all()}
    return render(request, "patients/care_team.html", {"patient": patient, "staff": staff, "chosen": chosen})
