"""Pages of clinical notes: a patient's notes (list, search), the note (editor while a draft,
read-only with its addenda once signed), print/PDF, the clinic's templates, and a therapist's own
psychotherapy notes. Thin: every write goes through ``services``."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ketamine_clinic.accounts.permissions import PermissionDenied, has_permission
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import Conflict, NotFound, ServiceError, ValidationFailed, error_text
from ketamine_clinic.core.views_util import forbidden, staff_required
from ketamine_clinic.patients.services import get_patient_for

from . import pdf, rules, services
from .models import ADDENDUM_MAX_CHARS, SECTION_MAX_CHARS, NoteStatus


def _ctx(request) -> Context:
    return Context.from_request(request)


def _patient_or_404(request, patient_id):
    try:
        return get_patient_for(_ctx(request), patient_id)
    except NotFound:
        raise Http404("No such patient.") from None


class _DraftOfAnother(Exception):
    """Someone else's draft: shown as existing, opened by its author only."""


def _note_or_404(request, note_id, *, audit=True):
    try:
        return services.get_note_for(_ctx(request), note_id, audit=audit)
    except NotFound:
        raise Http404("No such note.") from None
    except Conflict as exc:
        raise _DraftOfAnother(exc.message) from None


def note_view(view):
    """A note page: someone else's draft answers 409 with its reason instead of the page."""
    from functools import wraps

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _DraftOfAnother as exc:
            return render(request, "notes/refused.html", {"reason": str(exc)}, status=409)

    return wrapper


@staff_required("note.list")
def patient_notes(request, patient_id):
    patient = _patient_or_404(request, patient_id)
    q = request.GET.get("q", "")
    error = None
    try:
        notes = list(services.notes_for_patient(_ctx(request), patient, q).prefetch_related("addenda"))
    except ServiceError as exc:
        notes, error = [], error_text(exc)
    except PermissionDenied:
        notes, error = [], "Your role sees which notes exist, not their text, so it cannot search them."
    return render(request, "notes/patient_notes.html", {
        "patient": patient, "notes": notes, "q": q, "error": error,
        "can_read": has_permission(request.user, "note.read"),
        "kinds": services.writable_kinds(request.user),
        "can_psychotherapy": has_permission(request.user, "psychotherapy_note.write"),
        "can_manage_templates": has_permission(request.user, "note.manage_templates"),
        "sessions": patient.treatment_sessions.order_by("-checked_in_at")[:10] if has_permission(request.user, "session.view") else [],
    }, status=422 if error and q else 200)


@staff_required("note.write_medical", "note.write_therapy")
@require_POST
def new_note(request, patient_id):
    patient = _patient_or_404(request, patient_id)
    ctx = _ctx(request)
    try:
        links = services.resolve_links(ctx, patient, request.POST.get("appointment_id"), request.POST.get("session_id"))
        note = services.start_note(ctx, patient, request.POST.get("kind", ""), **links)
    except PermissionDenied as exc:
        return forbidden(request, exc.action)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
        return redirect("notes:patient", patient_id=patient.public_id)
    return redirect("notes:note", note_id=note.public_id)


def _note_page(request, note, *, errors=None, posted=None, status=200):
    ctx = _ctx(request)
    editing = note.status == NoteStatus.DRAFT and note.author_id == request.user.pk
    sections = [dict(s, text=(posted or {}).get(f"section_{s['key']}", s["text"])) for s in note.sections]
    return render(request, "notes/note.html", {
        "note": note, "patient": note.patient, "sections": sections, "editing": editing, "errors": errors or {},
        "posted": posted or {}, "kind": rules.KINDS[note.kind], "addenda": note.addenda.select_related("author"),
        "may_write": services.may_write(request.user, note),
        "cosigners": services.cosigners_for(note) if editing and services.cosign_required_for(note) else [],
        "needs_cosign": editing and services.cosign_required_for(note),
        "may_cosign": note.status == NoteStatus.AWAITING_COSIGN and note.cosigner_id == request.user.pk,
        "section_max": SECTION_MAX_CHARS, "addendum_max": ADDENDUM_MAX_CHARS, "ctx": ctx,
    }, status=status)


@staff_required("note.read")
@note_view
def note_detail(request, note_id):
    return _note_page(request, _note_or_404(request, note_id))


def _posted(request) -> dict:
    return {k: v for k, v in request.POST.items() if k.startswith("section_") or k in services.MINUTE_FIELDS}


@staff_required("note.read")
@require_POST
@note_view
def draft_save(request, note_id):
    """Autosave (htmx, while typing): 204, or the field error as text with 409/422."""
    note = _note_or_404(request, note_id, audit=False)
    try:
        services.save_draft(_ctx(request), note, _posted(request))
    except PermissionDenied as exc:
        return HttpResponse(str(exc), status=403)
    except ServiceError as exc:
        return HttpResponse(error_text(exc), status=exc.status, content_type="text/plain")
    return HttpResponse(status=204)


@staff_required("note.read")
@require_POST
@note_view
def sign(request, note_id):
    note = _note_or_404(request, note_id, audit=False)
    try:
        note = services.sign_note(_ctx(request), note, _posted(request), cosigner_id=request.POST.get("cosigner"),
                                  expected_version=request.POST.get("version"))
    except PermissionDenied as exc:
        return forbidden(request, exc.action)
    except ValidationFailed as exc:
        return _note_page(request, note, errors=exc.errors, posted=request.POST, status=422)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("notes:note", note_id=note_id)
    messages.success(request, "Note signed." if note.status != NoteStatus.AWAITING_COSIGN else "Note signed; co-signature requested.")
    return redirect("notes:note", note_id=note_id)


@staff_required("note.read")
@require_POST
@note_view
def cosign(request, note_id):
    try:
        services.cosign_note(_ctx(request), _note_or_404(request, note_id, audit=False))
    except PermissionDenied as exc:
        return forbidden(request, exc.action)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Note co-signed.")
    return redirect("notes:note", note_id=note_id)


@staff_required("note.read")
@require_POST
@note_view
def addendum(request, note_id):
    note = _note_or_404(request, note_id, audit=False)
    try:
        services.add_addendum(_ctx(request), note, request.POST.get("text", ""))
    except PermissionDenied as exc:
        return forbidden(request, exc.action)
    except ValidationFailed as exc:
        return _note_page(request, note, errors=exc.errors, posted=request.POST, status=422)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Addendum signed.")
    return redirect("notes:note", note_id=note_id)


@staff_required("note.read")
@note_view
def note_pdf(request, note_id):
    note = _note_or_404(request, note_id)
    response = HttpResponse(pdf.note_pdf(note), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="note-{note.public_id}.pdf"'
    return response


# --- templates --------------------------------------------------------------------------------
@staff_required("note.manage_templates")
def templates(request):
    return render(request, "notes/templates.html", {"templates": services.templates_for(request.user.organization)})


@staff_required("note.manage_templates")
def template_edit(request, template_kind):
    if template_kind not in rules.KINDS:
        raise Http404("No such template.")
    current = services.template_for(request.user.organization, template_kind)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            services.save_template(_ctx(request), template_kind, request.POST.get("title", ""),
                                   request.POST.get("sections", "").splitlines(), request.POST.get("reason", ""))
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        else:
            messages.success(request, "Template saved as a new version.")
            return redirect("notes:templates")
    return render(request, "notes/template_edit.html", {
        "template": current, "errors": errors, "posted": request.POST if request.method == "POST" else None,
        "sections_text": "\n".join(label for _, label in current.sections)}, status=status)


# --- psychotherapy notes ----------------------------------------------------------------------
@staff_required("psychotherapy_note.write")
def psychotherapy_notes(request, patient_id):
    patient = _patient_or_404(request, patient_id)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            pnote = services.write_psychotherapy_note(_ctx(request), patient, request.POST.get("text", ""))
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        else:
            return redirect("notes:psychotherapy_note", psychotherapy_note_id=pnote.public_id)
    return render(request, "notes/psychotherapy_list.html", {
        "patient": patient, "pnotes": services.own_psychotherapy_notes(_ctx(request), patient), "errors": errors,
        "text": request.POST.get("text", "") if errors else ""}, status=status)


@staff_required("psychotherapy_note.write")
def psychotherapy_note(request, psychotherapy_note_id):
    ctx = _ctx(request)
    try:
        pnote = services.get_psychotherapy_note_for(ctx, psychotherapy_note_id)
    except NotFound:
        raise Http404("No such psychotherapy note.") from None
    errors, status = {}, 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "sign":
                services.update_psychotherapy_note(ctx, pnote, request.POST.get("text", pnote.text))
                services.sign_psychotherapy_note(ctx, pnote)
            else:
                services.update_psychotherapy_note(ctx, pnote, request.POST.get("text", ""))
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Saved.")
            return redirect("notes:psychotherapy_note", psychotherapy_note_id=pnote.public_id)
    return render(request, "notes/psychotherapy_note.html", {"pnote": pnote, "patient": pnote.patient, "errors": errors,
                                                              "back": reverse("notes:psychotherapy", args=[pnote.patient.public_id])},
                  status=status)
